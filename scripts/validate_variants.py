"""The real clips again, re-filmed the way other phones and coaches would have filmed them: a lower frame
rate and a smaller athlete (fewer pixels), made from the clips in ../shared/data with the project's own
video stack (PyAV decode and encode, OpenCV resize; no ffmpeg binary needed).

    .venv/bin/python scripts/validate_variants.py            # prints a Markdown table (used in the README)

Each variant keeps the original's truth: the GaitLab treadmill runner's cadence (168.9 steps/min, measured
from raw pixels, male_side.groundtruth.json). A 25 fps variant keeps every frame nearest to k / 25 s (what a
camera at 25 fps would have caught); a smaller one is resized with area averaging. The table gives, per
variant: the touchdowns found against those the true cadence implies over the same span, the share of
successive touchdowns that change foot, the cadence and its error, which event detector was used, and
whether technique was judged.
"""

from __future__ import annotations

import itertools
import json
import sys
import tempfile
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import av
import cv2
import numpy as np

import kneedrive
from kneedrive.errors import KneedriveError

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"
#: (name, source under DATA, frame rate or None to keep it, width in px or None to keep it)
VARIANTS: tuple[tuple[str, str, float | None, int | None], ...] = (
    ("GaitLab treadmill, as filmed (30 fps, 720 px wide)", "gaitlab_treadmill/male_side.mp4", None, None),
    ("GaitLab treadmill at 25 fps", "gaitlab_treadmill/male_side.mp4", 25.0, None),
    ("GaitLab treadmill, 360 px wide", "gaitlab_treadmill/male_side.mp4", None, 360),
    ("GaitLab treadmill, 240 px wide", "gaitlab_treadmill/male_side.mp4", None, 240),
    ("GaitLab treadmill at 25 fps, 360 px wide", "gaitlab_treadmill/male_side.mp4", 25.0, 360),
)


def make_variant(source: Path, out: Path, fps_hz: float | None, width_px: int | None) -> Path:
    """`source` re-encoded (H.264) at `fps_hz` (frames nearest to k / fps_hz kept) and `width_px` wide."""
    with av.open(str(source)) as inp:
        stream = inp.streams.video[0]
        rate = Fraction(fps_hz).limit_denominator(1001) if fps_hz else stream.average_rate or Fraction(30)
        frames = [(float(f.pts * stream.time_base), f.to_ndarray(format="rgb24")) for f in inp.decode(stream)]
    t0 = frames[0][0]
    times = np.array([t - t0 for t, _ in frames])
    if fps_hz:
        wanted = np.arange(0.0, times[-1] + 1e-9, 1.0 / fps_hz)
        picks = sorted({int(np.argmin(np.abs(times - t))) for t in wanted})
    else:
        picks = list(range(len(frames)))
    height, width = frames[0][1].shape[:2]
    if width_px:
        height, width = round(height * width_px / width / 2) * 2, width_px
    with av.open(str(out), mode="w", format="mp4") as container:
        video = container.add_stream("libx264", rate=rate)
        assert isinstance(video, av.video.stream.VideoStream)
        video.width, video.height, video.pix_fmt = width, height, "yuv420p"
        video.options = {"crf": "20", "preset": "fast"}
        for image in (frames[i][1] for i in picks):
            if image.shape[1] != width:
                image = cv2.resize(image, (width, height), interpolation=cv2.INTER_AREA)
            for packet in video.encode(av.VideoFrame.from_ndarray(np.ascontiguousarray(image), format="rgb24")):
                container.mux(packet)
        for packet in video.encode():
            container.mux(packet)
    return out


@dataclass(frozen=True)
class VariantResult:
    name: str
    touchdowns: int
    expected: int
    alternation: float | None
    cadence_spm: float | None
    truth_spm: float
    detector: str
    judged: bool
    failure: str | None = None


def measure(name: str, video: Path, truth_spm: float) -> VariantResult:
    try:
        analysis = kneedrive.analyze(video)
    except KneedriveError as exc:
        return VariantResult(name, 0, 0, None, None, truth_spm, "-", False, str(exc))
    touchdowns = sorted((e for e in analysis.events if e.kind == "touchdown"), key=lambda e: e.time_s)
    span_s = touchdowns[-1].time_s - touchdowns[0].time_s if len(touchdowns) > 1 else 0.0
    changes = [a.side != b.side for a, b in itertools.pairwise(touchdowns)]
    return VariantResult(
        name=name,
        touchdowns=len(touchdowns),
        expected=round(span_s * truth_spm / 60) + 1,
        alternation=sum(changes) / len(changes) if changes else None,
        cadence_spm=analysis.summary.cadence_spm,
        truth_spm=truth_spm,
        detector="foot reach" if any("Zeni" in w for w in analysis.warnings) else "contacts",
        judged=not any("technique is not judged" in w for w in analysis.warnings),
    )


def results(data: Path = DATA) -> list[VariantResult]:
    out = []
    with tempfile.TemporaryDirectory() as tmp:
        for k, (name, source, fps_hz, width_px) in enumerate(VARIANTS):
            path = data / source
            truth = json.loads(path.with_name(path.stem + ".groundtruth.json").read_text())["cadence_spm"]["value"]
            video = (
                path
                if fps_hz is None and width_px is None
                else make_variant(path, Path(tmp) / f"variant{k}.mp4", fps_hz, width_px)
            )
            out.append(measure(name, video, float(truth)))
    return out


def table(rows: list[VariantResult]) -> str:
    lines = [
        "| clip | touchdowns found / implied | alternating | cadence spm (err) | events from | judged |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for r in rows:
        if r.failure is not None:
            lines.append(f"| {r.name} | failed: {r.failure} | - | - | - | - |")
            continue
        cadence = (
            "-" if r.cadence_spm is None else f"{r.cadence_spm:.1f} ({100 * (r.cadence_spm / r.truth_spm - 1):+.1f} %)"
        )
        alternation = "-" if r.alternation is None else f"{100 * r.alternation:.0f} %"
        lines.append(
            f"| {r.name} | {r.touchdowns} / {r.expected} | {alternation} | {cadence} | {r.detector} | "
            f"{'yes' if r.judged else 'no'} |"
        )
    return "\n".join(lines)


def main() -> None:
    print(table(results(Path(sys.argv[1]) if len(sys.argv) > 1 else DATA)))


if __name__ == "__main__":
    main()

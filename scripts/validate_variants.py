"""The real clips again, re-filmed the way other phones and coaches would have filmed them: a lower frame
rate and a smaller athlete (fewer pixels), made from the clips in ../shared/data with the project's own
video stack (PyAV decode and encode, OpenCV resize; no ffmpeg binary needed).

    .venv/bin/python scripts/validate_variants.py            # prints a Markdown table (used in the README)

Each variant keeps the original's truth: the GaitLab treadmill runner's cadence (168.9 steps/min, measured
from raw pixels, male_side.groundtruth.json), the panning race's (283.6, eye-set, real_clips). A 25 fps
variant keeps every frame nearest to k / 25 s (what a camera at 25 fps would have caught); a smaller one is
resized with area averaging. Two are exports: every third image shown three times (a 10 fps source exported
at 29 fps: real time, 9.7 images a second) and every image shown three times (slowed 3x in an editor); one
is a speed ramp (normal speed for 4 s, then every image shown three times, as a phone's slow-motion export
switches from normal to slow). Two are mirrored (every image flipped left to right: the runner runs
the other way). The
table gives, per variant: the touchdowns found against those the true cadence implies over the same span,
the share of successive touchdowns that change foot, the cadence and its error, which event detector was
used, what the athlete was found doing, whether technique was judged, and the slow motion found.
"""

from __future__ import annotations

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
from kneedrive.events.alternation import alternation_share

#: The speed ramp variant slows from here (s of the source).
RAMP_FROM_S = 4.0
DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"
#: (name, source under DATA, frame rate or None to keep it, width in px or None to keep it, every n-th image
#: kept, each image kept shown this many times[, style: "hand-held", "ramp" or "mirrored", see make_variant])
Plain = tuple[str, str, float | None, int | None, int, int]
VARIANTS: tuple[Plain | tuple[str, str, float | None, int | None, int, int, str], ...] = (
    ("GaitLab treadmill, as filmed (30 fps, 720 px wide)", "gaitlab_treadmill/male_side.mp4", None, None, 1, 1),
    ("GaitLab treadmill at 25 fps", "gaitlab_treadmill/male_side.mp4", 25.0, None, 1, 1),
    ("GaitLab treadmill, 360 px wide", "gaitlab_treadmill/male_side.mp4", None, 360, 1, 1),
    ("GaitLab treadmill, 240 px wide", "gaitlab_treadmill/male_side.mp4", None, 240, 1, 1),
    ("GaitLab treadmill at 25 fps, 360 px wide", "gaitlab_treadmill/male_side.mp4", 25.0, 360, 1, 1),
    ("GaitLab treadmill, mirrored", "gaitlab_treadmill/male_side.mp4", None, None, 1, 1, "mirrored"),
    ("GaitLab treadmill at 25 fps, mirrored", "gaitlab_treadmill/male_side.mp4", 25.0, None, 1, 1, "mirrored"),
    (
        "GaitLab treadmill, hand-held (drifts 4 %, zooms in 12 %)",
        "gaitlab_treadmill/male_side.mp4",
        None,
        None,
        1,
        1,
        "hand-held",
    ),
    (
        "GaitLab treadmill, slowed 3x from 4 s (a speed ramp)",
        "gaitlab_treadmill/male_side.mp4",
        None,
        None,
        1,
        3,
        "ramp",
    ),
    ("Panning race at 25 fps", "real_clips/sports2d_race_panning.mp4", 25.0, None, 1, 1),
    ("Panning race, 640 px wide", "real_clips/sports2d_race_panning.mp4", None, 640, 1, 1),
    (
        "Panning race, every 3rd image shown 3 times (export)",
        "real_clips/sports2d_race_panning.mp4",
        None,
        None,
        3,
        3,
    ),
    (
        "Panning race, every image shown 3 times (slowed 3x)",
        "real_clips/sports2d_race_panning.mp4",
        None,
        None,
        1,
        3,
    ),
)


def truth_cadence_spm(path: Path) -> float:
    """The clip's true cadence: `<clip>.groundtruth.json` (pixel-measured) or `<clip>.truth.json` (eye-set)."""
    measured = path.with_name(path.stem + ".groundtruth.json")
    if measured.is_file():
        return float(json.loads(measured.read_text())["cadence_spm"]["value"])
    return float(json.loads(path.with_name(path.stem + ".truth.json").read_text())["cadence_spm"])


def hand_held(image: np.ndarray, k: int, frames: int, fps_hz: float) -> np.ndarray:
    """Frame `k` of `frames` as a phone held by hand would have filmed it: a window 92 % of the image that
    drifts 4 % of the width from side to side (every 4 s) and 1 % up and down (every 5 s) and zooms in 12 % over
    the clip, its bottom edge at the image's (the feet stay in view), resized back to the image's size."""
    height, width = image.shape[:2]
    t, end = k / fps_hz, max(frames - 1, 1) / fps_hz
    size = 0.92 / (1.0 + 0.12 * t / end)
    cx = width / 2 + 0.04 * width * np.sin(2 * np.pi * t / 4.0)
    cy = height - height * size / 2 - 0.01 * height * (1 + np.sin(2 * np.pi * t / 5.0 + 1))
    x0, y0 = cx - width * size / 2, cy - height * size / 2
    to_out = np.array([[1 / size, 0, -x0 / size], [0, 1 / size, -y0 / size]])
    return np.asarray(cv2.warpAffine(image, to_out, (width, height), flags=cv2.INTER_LINEAR))


def make_variant(
    source: Path,
    out: Path,
    fps_hz: float | None,
    width_px: int | None,
    keep_every: int = 1,
    repeat: int = 1,
    style: str | None = None,
) -> Path:
    """`source` re-encoded (H.264) at `fps_hz` (frames nearest to k / fps_hz kept) and `width_px` wide, every
    `keep_every`-th image kept and each shown `repeat` times (an export from a slower source: keep 3, show 3;
    slowed in an editor: keep 1, show 3); `style` "hand-held": filmed so (see hand_held), "ramp":
    each image from RAMP_FROM_S on shown `repeat` times (a speed ramp: normal speed, then slowed),
    "mirrored": each image flipped left to right (the athlete runs the other way)."""
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
    if style == "ramp":  # normal speed, then slowed from RAMP_FROM_S (what a phone's slow-motion export does)
        picks = [i for i in picks for _ in range(repeat if times[i] >= RAMP_FROM_S else 1)]
    else:
        picks = [i for i in picks[::keep_every] for _ in range(repeat)]
    height, width = frames[0][1].shape[:2]
    if width_px:
        height, width = round(height * width_px / width / 2) * 2, width_px
    with av.open(str(out), mode="w", format="mp4") as container:
        video = container.add_stream("libx264", rate=rate)
        assert isinstance(video, av.video.stream.VideoStream)
        video.width, video.height, video.pix_fmt = width, height, "yuv420p"
        video.options = {"crf": "20", "preset": "fast"}
        for k, image in enumerate(frames[i][1] for i in picks):
            if style == "hand-held":
                image = hand_held(image, k, len(picks), float(rate))
            elif style == "mirrored":  # the same run the other way: left to right becomes right to left
                image = image[:, ::-1]
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
    slow_motion: str = "-"
    activity: str = "-"
    failure: str | None = None


def measure(name: str, video: Path, truth_spm: float) -> VariantResult:
    try:
        analysis = kneedrive.analyze(video)
    except KneedriveError as exc:
        return VariantResult(name, 0, 0, None, None, truth_spm, "-", False, failure=str(exc))
    touchdowns = sorted((e for e in analysis.events if e.kind == "touchdown"), key=lambda e: e.time_s)
    span_s = touchdowns[-1].time_s - touchdowns[0].time_s if len(touchdowns) > 1 else 0.0
    return VariantResult(
        name=name,
        touchdowns=len(touchdowns),
        expected=round(span_s * truth_spm / 60) + 1,
        alternation=alternation_share(touchdowns) if len(touchdowns) > 1 else None,
        cadence_spm=analysis.summary.cadence_spm,
        truth_spm=truth_spm,
        detector="foot reach" if any("Zeni" in w for w in analysis.warnings) else "contacts",
        judged=not any("technique is not judged" in w for w in analysis.warnings),
        slow_motion=timing.summary() if (timing := getattr(analysis.video, "timing", None)) is not None else "-",
        activity=f"{analysis.drill.name} ({analysis.drill.confidence:.2f}{', unsure' if analysis.drill.unsure else ''})",  # noqa: E501
    )


def results(data: Path = DATA) -> list[VariantResult]:
    out = []
    with tempfile.TemporaryDirectory() as tmp:
        for k, (name, source, fps_hz, width_px, keep_every, repeat, *style) in enumerate(VARIANTS):
            path = data / source
            untouched = fps_hz is None and width_px is None and keep_every == 1 and repeat == 1 and not style
            video = (
                path
                if untouched
                else make_variant(path, Path(tmp) / f"variant{k}.mp4", fps_hz, width_px, keep_every, repeat, *style)
            )
            out.append(measure(name, video, truth_cadence_spm(path)))
    return out


def table(rows: list[VariantResult]) -> str:
    lines = [
        "| clip | touchdowns found / implied | alternating | cadence spm (err) | events from | activity | judged | "
        "slow motion |",
        "| --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for r in rows:
        if r.failure is not None:
            lines.append(f"| {r.name} | failed: {r.failure} | - | - | - | - | - | - |")
            continue
        cadence = (
            "-" if r.cadence_spm is None else f"{r.cadence_spm:.1f} ({100 * (r.cadence_spm / r.truth_spm - 1):+.1f} %)"
        )
        alternation = "-" if r.alternation is None else f"{100 * r.alternation:.0f} %"
        found = f"{r.touchdowns} / {r.expected}" if r.touchdowns else "- (no steps: not run as a sprint)"
        lines.append(
            f"| {r.name} | {found} | {alternation} | {cadence} | {r.detector if r.touchdowns else '-'} | "
            f"{r.activity} | {'yes' if r.judged else 'no'} | {r.slow_motion} |"
        )
    return "\n".join(lines)


def main() -> None:
    print(table(results(Path(sys.argv[1]) if len(sys.argv) > 1 else DATA)))


if __name__ == "__main__":
    main()

"""Real clips against their eye-set ground truth: touchdowns, cadence, activity, slow motion.

    .venv/bin/python scripts/validate_real_clips.py [CLIPS_DIR]     # prints a Markdown table (used in the README)

For every `<clip>.mp4` with a `<clip>.truth.json` in CLIPS_DIR (default: ../shared/data/real_clips, beside
the repository), `kneedrive.analyze` runs on the video (the pose cache is used) and its touchdowns are
compared with the truth's, in video frames (decode order, from 0):

- found: truth touchdowns with an engine touchdown within MATCH_FRAMES (each engine touchdown matches at
  most one truth touchdown, nearest first); missed: the others; extra: engine touchdowns inside the span
  the truth covers (its first to last touchdown, +/- MATCH_FRAMES) that match none. Touchdowns outside that
  span are not judged (the truth does not cover them) and are counted apart.
- error: |engine - truth| in frames over the matched touchdowns (median / max), and how many of them are
  within 1 frame (the issue's target).
- alternating: the share of successive engine touchdowns inside that span made by the other foot (the
  truth's touchdowns alternate; it does not say which foot is the near one).
- cadence: the engine's summary cadence against the truth's (where the truth gives one).
- activity: the drill the engine named (sprint = running steps) and its confidence.
- slow motion: the slow-motion factor the engine found or suspects, and the truth's note.
A failing analysis is printed as such, with its message.

Each clip is also analysed mirrored (every image flipped left to right, re-encoded with
validate_variants.make_variant): the same run the other way, against the same truth frames. The pose model
is not mirror-symmetric and the runner goes the other way, so this row shows what a runner going left
rather than right changes.
"""

from __future__ import annotations

import functools
import importlib.util
import itertools
import json
import sys
import tempfile
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import av
import numpy as np

import kneedrive
from kneedrive.errors import KneedriveError

CLIPS = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "real_clips"
#: A touchdown matches a truth touchdown this close (video frames).
MATCH_FRAMES = 1.5


@dataclass(frozen=True)
class ClipResult:
    """One clip's comparison with its truth (see the module docstring)."""

    clip: str
    truth_touchdowns: int
    found: int
    missed: int
    extra: int
    outside: int
    error_median_frames: float | None
    error_max_frames: float | None
    within_one_frame: int
    alternating: float | None
    cadence_spm: float | None
    truth_cadence_spm: float | None
    activity: str
    slow_motion: str
    failure: str | None = None


def frame_times_s(path: Path) -> np.ndarray:
    """The time stamp of every frame in decode order, from the first frame (as kneedrive.io.video counts)."""
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        stamps = [float(f.pts * stream.time_base) for f in container.decode(stream) if f.pts is not None]
    times = np.asarray(stamps, dtype=float)
    return times - times[0]


def match(found: list[float], truth: list[float]) -> tuple[list[tuple[float, float]], list[float]]:
    """(truth, engine) pairs within MATCH_FRAMES, nearest first; the engine frames left unmatched."""
    pairs = sorted((abs(f - t), t, f) for t in truth for f in found if abs(f - t) <= MATCH_FRAMES)
    used_t: set[float] = set()
    used_f: set[float] = set()
    matched = []
    for _, t, f in pairs:
        if t in used_t or f in used_f:
            continue
        used_t.add(t)
        used_f.add(f)
        matched.append((t, f))
    return matched, [f for f in found if f not in used_f]


def slow_motion_text(analysis: Any) -> str:
    video = analysis.video
    if video is None:
        return "-"
    timing = getattr(video, "timing", None)
    if timing is None:
        return "not checked"
    return timing.summary()


def compare(path: Path, truth: dict[str, Any]) -> ClipResult:
    truth_frames = [float(td["frame"]) for td in truth["touchdowns"]]
    cadence_truth = truth.get("cadence_spm")
    try:
        analysis = kneedrive.analyze(path)
    except KneedriveError as exc:
        return ClipResult(
            path.name,
            len(truth_frames),
            0,
            len(truth_frames),
            0,
            0,
            None,
            None,
            0,
            None,
            None,
            cadence_truth,
            "-",
            "-",
            str(exc),
        )
    times = frame_times_s(path)
    video = analysis.video
    to_file = video.file_time_s if video is not None and hasattr(video, "file_time_s") else (lambda t: t)
    found, sides = [], []
    for event in analysis.events:
        if event.kind != "touchdown":
            continue
        t = float(to_file(event.time_s))
        i = int(np.clip(np.searchsorted(times, t), 1, len(times) - 1))
        # sub-frame: interpolate between the two frames around the event time
        found.append(i - 1 + (t - times[i - 1]) / (times[i] - times[i - 1]))
        sides.append(event.side)
    low, high = min(truth_frames) - MATCH_FRAMES, max(truth_frames) + MATCH_FRAMES
    inside = [f for f in found if low <= f <= high]
    inside_sides = [side for f, side in zip(found, sides, strict=True) if low <= f <= high]
    changes = [a != b for a, b in itertools.pairwise(inside_sides)]
    matched, unmatched = match(inside, truth_frames)
    errors = [abs(f - t) for t, f in matched]
    drill = analysis.drill
    return ClipResult(
        clip=path.name,
        truth_touchdowns=len(truth_frames),
        found=len(matched),
        missed=len(truth_frames) - len(matched),
        extra=len(unmatched),
        outside=len(found) - len(inside),
        error_median_frames=float(np.median(errors)) if errors else None,
        error_max_frames=float(np.max(errors)) if errors else None,
        within_one_frame=sum(1 for e in errors if e <= 1.0),
        alternating=sum(changes) / len(changes) if changes else None,
        cadence_spm=analysis.summary.cadence_spm,
        truth_cadence_spm=cadence_truth,
        activity=f"{drill.name} ({drill.confidence:.2f})",
        slow_motion=slow_motion_text(analysis),
    )


def results(clips: Path = CLIPS, *, mirrored: bool = True) -> list[ClipResult]:
    """Each clip's comparison, then (`mirrored`) its mirrored copy's, named "<clip>, mirrored"."""
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for truth_path in sorted(clips.glob("*.truth.json")):
            video = truth_path.with_name(truth_path.name.removesuffix(".truth.json") + ".mp4")
            if not video.is_file():
                continue
            truth = json.loads(truth_path.read_text())
            rows.append(compare(video, truth))
            if mirrored:
                flipped = _variants().make_variant(video, Path(tmp) / video.name, None, None, style="mirrored")
                rows.append(replace(compare(flipped, truth), clip=f"{video.name}, mirrored"))
    return rows


@functools.cache
def _variants() -> Any:
    """The sibling script validate_variants (its make_variant re-encodes a clip), loaded once from its file."""
    spec = importlib.util.spec_from_file_location("validate_variants", Path(__file__).with_name("validate_variants.py"))
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def table(rows: list[ClipResult]) -> str:
    def number(value: float | None, unit: str = "") -> str:
        return "-" if value is None else f"{value:.1f}{unit}"

    lines = [
        "| clip | truth TD | found / missed / extra (outside truth span) | error median / max frames (within 1) | "
        "alternating | cadence engine / truth spm (err) | activity | slow motion |",
        "| --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for r in rows:
        if r.failure is not None:
            lines.append(f"| {r.clip} | {r.truth_touchdowns} | failed: {r.failure} | - | - | - | - | - |")
            continue
        cadence = f"{number(r.cadence_spm)} / {number(r.truth_cadence_spm)}"
        alternating = "-" if r.alternating is None else f"{100 * r.alternating:.0f} %"
        if r.cadence_spm is not None and r.truth_cadence_spm:
            cadence += f" ({100 * (r.cadence_spm / r.truth_cadence_spm - 1):+.1f} %)"
        lines.append(
            f"| {r.clip} | {r.truth_touchdowns} | {r.found} / {r.missed} / {r.extra} ({r.outside}) | "
            f"{number(r.error_median_frames)} / {number(r.error_max_frames)} ({r.within_one_frame}) | {alternating} | "
            f"{cadence} | "
            f"{r.activity} | "
            f"{r.slow_motion} |"
        )
    return "\n".join(lines)


def main() -> None:
    clips = Path(sys.argv[1]) if len(sys.argv) > 1 else CLIPS
    print(table(results(clips)))


if __name__ == "__main__":
    main()

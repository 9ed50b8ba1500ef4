"""Validate the automated S-MAS on the Dorn et al. (2012) sprinter (JA1Gait35, 9.47 m/s, 250 Hz):
each item computed from the project's 2D pipeline (the markers turned into pose-like keypoints,
through kneedrive.analyze: filtering, its own events) against the same item computed from the raw
markers (the sagittal marker positions unfiltered, the lab-labelled events, and the pelvic tilt from
the c3d's pelvis markers, which 2D keypoints lack).

This checks that the pipeline measures what the rules judge; it does NOT validate the rules or the
score against trained S-MAS raters (nobody has rated this clip).

Usage: python scripts/validate_smas.py   (prints a markdown table; needs ../shared/data)
"""

from __future__ import annotations

import math
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tests.realdata import PX_PER_M, data_dir, dorn_events, dorn_sequence  # noqa: E402

import kneedrive  # noqa: E402
from kneedrive.coaching.smas import Smas, score  # noqa: E402
from kneedrive.events import GaitEvent  # noqa: E402
from kneedrive.kinematics.angles import compute_angles  # noqa: E402
from kneedrive.metrics.registry import registry  # noqa: E402
from kneedrive.record import Series  # noqa: E402

TRIAL = "JA1Gait35"
_JOINTS = {"shoulder": "shoulder", "hip": "hip", "knee": "knee", "ankle": "ankle", "heel": "heel", "toe": "foot_index"}


def pelvic_tilt_deg(trial: str, time_s: np.ndarray) -> np.ndarray:
    """Anterior pelvic tilt from the c3d pelvis markers: the line from the sacrum marker (SACR) to the
    mid-ASIS below the horizontal in front (+ = anterior tilt). SACR sits a little below the PSIS, so
    this reads a few degrees less than an ASIS-PSIS tilt."""
    import c3d

    with data_dir("dorn2012_sprint", f"{trial}.c3d").open("rb") as handle:
        reader = c3d.Reader(handle)
        labels = [label.strip() for label in reader.point_labels]
        start_s = (reader.first_frame - 1) / reader.point_rate
        rows = [points[:, :3].copy() for _, points, _ in reader.read_frames()]
        rate = reader.point_rate
    xyz = np.stack(rows)  # (frames, markers, 3) mm; z up
    at = {name: xyz[:, labels.index(name)] for name in ("RASI", "LASI", "SACR")}
    asis = (at["RASI"] + at["LASI"]) / 2.0
    forward = asis - at["SACR"]
    tilt = np.degrees(np.arctan2(-forward[:, 2], np.hypot(forward[:, 0], forward[:, 1])))
    times = start_s + np.arange(len(xyz)) / rate
    tilt_at: np.ndarray = np.interp(time_s, times, tilt)
    return tilt_at


def marker_motion(trial: str) -> Series:
    """The raw markers as a motion series (kneedrive.events.phases.Motion): leg lengths, x forward, y up."""
    path = data_dir("dorn2012_sprint", f"{trial}_sagittal2d.csv")
    table = np.genfromtxt(path, delimiter=",", names=True)
    metres = {
        f"{side}_{keypoint}": np.stack([table[f"{p}_{marker}_fwd_m"], table[f"{p}_{marker}_up_m"]], axis=1)
        for p, side in (("L", "left"), ("R", "right"))
        for marker, keypoint in _JOINTS.items()
    }
    leg = float(np.nanmedian(np.linalg.norm(metres["left_hip"] - metres["left_ankle"], axis=1)))
    points = {name: xy / leg for name, xy in metres.items()}
    angles, _ = compute_angles(points)
    time_s = np.asarray(table["time_s"], dtype=float)
    angles["pelvic_tilt_deg"] = pelvic_tilt_deg(trial, time_s)
    rate_hz = float(1.0 / np.median(np.diff(time_s)))
    return Series(rate_hz, np.arange(len(time_s)), time_s, angles, points)


def lab_events(motion: Series) -> list[GaitEvent]:
    return [
        GaitEvent(e.side, e.kind, int(np.argmin(np.abs(motion.time_s - e.time_s))), e.time_s)  # type: ignore[arg-type]
        for e in dorn_events(TRIAL)
    ]


def _shown(figure: str | None, value: float | None) -> str:
    if figure is None or value is None or not math.isfinite(value):
        return "-"
    metric = registry()[figure]
    unit = metric.display
    return f"{metric.shown(value)}{unit}" if unit == "°" else f"{metric.shown(value)} {unit}"


def _call(fault: bool | None) -> str:
    return "n/s" if fault is None else "fault" if fault else "ok"


def table(pipeline: Smas, markers: Smas) -> list[str]:
    lines = [
        "| # | item | side | 2D pipeline | markers | agree |",
        "|---|---|---|---|---|---|",
    ]
    agree = scored = 0
    for n, (a, b) in enumerate(zip(pipeline.items, markers.items, strict=True), start=1):
        for side in ("left", "right"):
            ca, cb = a.sides[side], b.sides[side]
            both = ca.fault is not None and cb.fault is not None
            same = both and ca.fault == cb.fault
            scored += both
            agree += same
            verdict = "yes" if same else "NO" if both else "-"
            lines.append(
                f"| {n} | {a.name} | {side} | {_call(ca.fault)} {_shown(a.figure, ca.value)} | "
                f"{_call(cb.fault)} {_shown(b.figure, cb.value)} | {verdict} |"
            )
    lines.append("")
    lines.append(
        f"Calls scored by both: {scored}; agreeing: {agree}. Total (worse side): 2D pipeline "
        f"{pipeline.total} of {pipeline.scored} ({pipeline.band}, {pipeline.total_range[0]}-{pipeline.total_range[1]} "
        f"over the qualitative thresholds); markers {markers.total} of {markers.scored} ({markers.band}, "
        f"{markers.total_range[0]}-{markers.total_range[1]})."
    )
    return lines


def main() -> None:
    analysis = kneedrive.analyze(dorn_sequence(TRIAL), px_per_m=PX_PER_M)
    pipeline = analysis.record.smas
    if pipeline is None:
        raise SystemExit("the 2D pipeline did not score the S-MAS on the Dorn sprint")
    motion = marker_motion(TRIAL)
    markers = score(motion, lab_events(motion))
    print(f"S-MAS on the Dorn et al. 2012 sprinter ({TRIAL}, 9.47 m/s, 250 Hz): 2D pipeline vs raw markers\n")
    print("\n".join(table(pipeline, markers)))


if __name__ == "__main__":
    main()

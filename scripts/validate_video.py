"""Video in, end to end, on the real clips in ../shared/data: who is tracked, cadence, events.

    .venv/bin/python scripts/validate_video.py            # prints a Markdown table (used in the README)

- GaitLab treadmill (portrait 720x1280, 30 fps, 12 s): cadence against the groundtruth measured from raw
  pixels without any pose model (male_side.groundtruth.json). Two figures: the engine's cadence
  (`kneedrive.analyze` on the video: touchdowns from the foot keypoints) and the cadence in the keypoints
  themselves (twice the dominant frequency of each ankle's forward-backward swing, 0.5-2.5 Hz), which tells
  the pose's share of any error from the event detector's.
- Sports2D demo (1768x994, two people): which person is analyzed, over which time, the hip's travel, and
  the steps found.
- Sports2D demo3 (480x352, 47 frames, about one stride).
The pose cache is not used (fresh pose estimation every run).
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import numpy as np

import kneedrive
from kneedrive.errors import KneedriveError
from kneedrive.pose import VideoPose, estimate_pose

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"


def ankle_swing_cadence_spm(pose: VideoPose, side: str) -> float:
    """Steps per minute from one ankle's horizontal swing (one swing per stride = two steps)."""
    seq = pose.sequence
    x = seq.point(f"{side}_ankle")[:, 0]
    ok = np.isfinite(x) & (seq.confidence(f"{side}_ankle") >= 0.3)
    t, x = seq.time_s[ok], x[ok] - np.mean(x[ok])
    freqs = np.linspace(0.5, 2.5, 4001)
    power = np.abs(np.exp(-2j * np.pi * freqs[:, None] * t[None, :]) @ x)
    return float(120.0 * freqs[np.argmax(power)])


def with_error(value: float | None, truth: float | None) -> str:
    if value is None:
        return "-"
    return f"{value:.1f}" + (f" ({100 * (value / truth - 1):+.1f} %)" if truth else "")


def main() -> None:
    rows = []
    for clip in ("gaitlab_treadmill/male_side.mp4", "sports2d_demo/demo.mp4", "sports2d_demo/demo3.mp4"):
        path = DATA / clip
        start = time.perf_counter()
        pose = estimate_pose(path, use_cache=False)
        seconds = time.perf_counter() - start
        seq = pose.sequence
        hip = (seq.point("left_hip") + seq.point("right_hip")) / 2
        try:
            analysis = kneedrive.analyze(pose)
            cadence = analysis.summary.cadence_spm
            touchdowns = sum(e.kind == "touchdown" for e in analysis.events)
            steps = len(analysis.steps)
        except KneedriveError as exc:
            cadence, touchdowns, steps = None, 0, 0
            print(f"{clip}: analysis failed: {exc}")
        truth = None
        truth_file = path.with_name(path.stem + ".groundtruth.json")
        if truth_file.is_file():
            truth = float(json.loads(truth_file.read_text())["cadence_spm"]["value"])
        # The ankle's swing is a stride only when the runner stays in place (treadmill); across the frame the
        # travel swamps it.
        swing = [ankle_swing_cadence_spm(pose, side) for side in ("left", "right")] if truth else []

        rows.append(
            f"| {clip} | {pose.person} of {pose.people} | {seq.time_s[0]:.2f}-{seq.time_s[-1]:.2f} s, "
            f"{pose.frames_without_pose} of {pose.frames_decoded} frames without pose | "
            f"{np.nanmin(hip[:, 0]):.0f}-{np.nanmax(hip[:, 0]):.0f} / {np.nanmin(hip[:, 1]):.0f}-"
            f"{np.nanmax(hip[:, 1]):.0f} | {touchdowns} / {steps} | {with_error(cadence, truth)} | "
            f"{', '.join(with_error(v, truth) for v in swing) or '-'} | {truth if truth else '-'} | "
            f"{pose.frames_decoded / seconds:.0f} |"
        )
    print(
        "| clip | person | posed | hip x / y range px | touchdowns / steps | engine cadence spm (err) | "
        "ankle-swing cadence L, R spm (err) | truth spm | frames/s |"
    )
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    print("\n".join(rows))


if __name__ == "__main__":
    main()

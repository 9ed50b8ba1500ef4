"""What measuring the camera's motion adds to the pose stage: `estimate_pose` without the cache, with and
without `track_camera`, in fresh processes taking turns, medians of `--repeat` rounds. `--step follow-back`
measures the athlete's follow-back instead (pose.follow_back, on and off; the camera measured in both).

    .venv/bin/python benchmarks/camera_motion.py ../shared/data/sports2d_demo/demo.mp4 [--repeat 3]
    .venv/bin/python benchmarks/camera_motion.py ../shared/data/sports2d_demo/demo.mp4 --step follow-back

The target (issue 12): at most +15 % on the Sports2D demo. Repeated images are left out in both runs (that
check is part of the pose stage either way). The load average is printed: other work on the machine slows
every figure.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path


def run_one(path: Path, step: str, on: bool) -> tuple[int, float]:
    from kneedrive.pose import BlazePoseFull, estimate_pose
    from kneedrive.pose import run as pose_run

    if step == "follow-back" and not on:
        pose_run.follow_back = lambda path, time_s, athlete, *rest: athlete  # type: ignore[assignment]
    backend = BlazePoseFull()
    start = time.perf_counter()
    track_camera = on or step != "camera"
    frames = estimate_pose(path, use_cache=False, backend=backend, track_camera=track_camera).frames_decoded
    return frames, time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("video", type=Path)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--step", choices=("camera", "follow-back"), default="camera")
    parser.add_argument("--only", choices=("on", "off"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.only:
        frames, seconds = run_one(args.video, args.step, args.only == "on")
        print(f"RESULT {frames} {seconds}")
        return
    print(f"{args.video}: {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f} before")
    seconds: dict[str, list[float]] = {"off": [], "on": []}
    for round_ in range(1, args.repeat + 1):
        for mode in ("off", "on"):
            done = subprocess.run(
                [sys.executable, __file__, str(args.video), "--step", args.step, "--only", mode],
                capture_output=True,
                text=True,
                check=False,
            )
            result = [line for line in done.stdout.splitlines() if line.startswith("RESULT")]
            if not result:
                print(f"  {args.step} {mode}: failed ({done.stderr.strip().splitlines()[-1:]})")
                continue
            frames, took = int(result[0].split()[1]), float(result[0].split()[2])
            seconds[mode].append(took)
            print(
                f"  round {round_}: {args.step} {mode:3s} {frames} frames in {took:6.2f} s = {frames / took:6.1f} fps"
            )
    off, on = statistics.median(seconds["off"]), statistics.median(seconds["on"])
    print(
        f"median of {args.repeat}: without the {args.step} step {off:.2f} s, with {on:.2f} s: "
        f"{100 * (on / off - 1):+.1f} %; "
        f"load average {os.getloadavg()[0]:.2f} after"
    )


if __name__ == "__main__":
    main()

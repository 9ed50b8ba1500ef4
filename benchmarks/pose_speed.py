"""Pose throughput on one video, side by side in one run: decode only, the legacy MediaPipe loop, ours.

    .venv/bin/python benchmarks/pose_speed.py ../shared/data/sports2d_demo/demo.mp4 [--repeat 2]

(a) decode only: PyAV, every frame converted to RGB (what every pipeline pays);
(b) legacy: `mediapipe.solutions.pose.Pose(model_complexity=1)` on every decoded frame (the same "full"
    model, MediaPipe's own graph, tracking mode), decode included;
(c) ours: `kneedrive.pose.estimate_pose` without the cache (people scan + athlete tracking), decode included.
Prints frames/s and the ratio ours / legacy, and the machine's load average (other work on the machine
slows every figure).
"""

from __future__ import annotations

import argparse
import os
import time
from collections.abc import Callable
from pathlib import Path

from kneedrive.io.video import read_frames
from kneedrive.pose import estimate_pose


def decode_only(path: Path) -> int:
    return sum(1 for _ in read_frames(path))


def legacy_mediapipe(path: Path) -> int:
    import mediapipe as mp  # only here: the benchmark's reference, not a kneedrive dependency at run time

    frames = 0
    with mp.solutions.pose.Pose(model_complexity=1, static_image_mode=False) as pose:
        for frame in read_frames(path):
            pose.process(frame.rgb)
            frames += 1
    return frames


def ours(path: Path) -> int:
    return estimate_pose(path, use_cache=False).frames_decoded


def timed(run: Callable[[Path], int], path: Path) -> tuple[int, float]:
    start = time.perf_counter()
    frames = run(path)
    return frames, time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("video", type=Path)
    parser.add_argument("--repeat", type=int, default=1, help="run the three one after the other this many times")
    args = parser.parse_args()
    print(f"{args.video}, {os.cpu_count()} CPUs, load average before: {os.getloadavg()[0]:.2f}")
    for round_ in range(1, args.repeat + 1):
        results: dict[str, float] = {}
        for name, run in (("decode only", decode_only), ("legacy mediapipe loop", legacy_mediapipe), ("ours", ours)):
            try:
                frames, seconds = timed(run, args.video)
            except ImportError as exc:
                print(f"  {name}: not available ({exc})")
                continue
            results[name] = frames / seconds
            print(
                f"  round {round_}: {name:22s} {frames:5d} frames in {seconds:6.2f} s "
                f"= {frames / seconds:6.1f} frames/s"
            )
        if "ours" in results and "legacy mediapipe loop" in results:
            ratio = results["ours"] / results["legacy mediapipe loop"]
            print(f"  round {round_}: ours / legacy = {ratio:.2f}x; load average now {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()

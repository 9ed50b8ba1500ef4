"""Pose throughput on one video, side by side in one run: decode only, the legacy MediaPipe loop, ours.

    .venv/bin/python benchmarks/pose_speed.py ../shared/data/sports2d_demo/demo.mp4 [--repeat 3]

(a) decode only: PyAV, every frame converted to RGB (what every pipeline pays);
(b) legacy: `mediapipe.solutions.pose.Pose(model_complexity=1)` on every decoded frame (the same "full"
    landmark model in MediaPipe's own graph, tracking mode), decode included;
(c) ours: `kneedrive.pose.estimate_pose` without the cache (one pass following everyone in view, the
    athlete chosen at the end), decode included.
Each measurement runs in a fresh process (MediaPipe's graph threads and ours never share a process), the
three alternate, and the median of `--repeat` rounds is reported with frames/s and the ratio ours / legacy.
The load average is printed: other work on the machine slows every figure, and ours (which uses both
cores: a decode thread plus a two-thread model) loses most when a core is taken.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

METHODS = ("decode", "legacy", "ours")
LABELS = {"decode": "decode only", "legacy": "legacy mediapipe loop", "ours": "kneedrive (ours)"}


def run_one(method: str, path: Path) -> tuple[int, float]:
    from kneedrive.io.video import read_frames

    start = time.perf_counter()
    if method == "decode":
        frames = sum(1 for _ in read_frames(path))
    elif method == "legacy":
        import mediapipe as mp  # the benchmark's reference only; kneedrive never imports mediapipe

        frames = 0
        with mp.solutions.pose.Pose(model_complexity=1, static_image_mode=False) as pose:
            for frame in read_frames(path):
                pose.process(frame.rgb)
                frames += 1
    else:
        from kneedrive.pose import estimate_pose

        frames = estimate_pose(path, use_cache=False).frames_decoded
    return frames, time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("video", type=Path)
    parser.add_argument("--repeat", type=int, default=3, help="rounds of (decode, legacy, ours)")
    parser.add_argument("--only", choices=METHODS, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.only:
        frames, seconds = run_one(args.only, args.video)
        print(f"RESULT {frames} {seconds}")
        return
    print(f"{args.video}: {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f} before")
    fps: dict[str, list[float]] = {m: [] for m in METHODS}
    for round_ in range(1, args.repeat + 1):
        for method in METHODS:
            done = subprocess.run(
                [sys.executable, __file__, str(args.video), "--only", method],
                capture_output=True,
                text=True,
                check=False,
            )
            result = [line for line in done.stdout.splitlines() if line.startswith("RESULT")]
            if not result:
                print(f"  {LABELS[method]}: failed ({done.stderr.strip().splitlines()[-1:]})")
                continue
            frames, seconds = int(result[0].split()[1]), float(result[0].split()[2])
            fps[method].append(frames / seconds)
            rate = frames / seconds
            print(f"  round {round_}: {LABELS[method]:22s} {frames} frames in {seconds:6.2f} s = {rate:6.1f} fps")
    medians = {m: statistics.median(v) for m, v in fps.items() if v}
    summary = ", ".join(f"{LABELS[m]} {v:.1f} fps" for m, v in medians.items())
    print(f"median of {args.repeat}: {summary}; load average {os.getloadavg()[0]:.2f} after")
    if "ours" in medians and "legacy" in medians:
        print(f"ours / legacy = {medians['ours'] / medians['legacy']:.2f}x")


if __name__ == "__main__":
    main()

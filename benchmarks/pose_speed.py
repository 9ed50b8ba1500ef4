"""Pose throughput on one video, side by side in one run: decode only, the legacy MediaPipe loop, ours.

    .venv/bin/python benchmarks/pose_speed.py ../shared/data/sports2d_demo/demo.mp4 [--repeat 3]

(a) decode only: PyAV, every frame converted to RGB (what every pipeline pays);
(b) legacy: `mediapipe.solutions.pose.Pose(model_complexity=1)` on every decoded frame (the same "full"
    landmark model in MediaPipe's own graph, tracking mode), decode included;
(c) ours: `kneedrive.pose.estimate_pose` without the cache (one pass following everyone in view, the
    athlete chosen at the end), decode included.
Start-up (imports, model loading) is not timed in these. Each measurement runs in a fresh process (MediaPipe's
graph threads and ours never share a process), the three alternate, and the median of `--repeat` rounds
is reported with frames/s and the ratio ours / legacy. The load average is printed: other work on the
machine slows every figure, and ours (a decode thread plus a two-thread model) loses most when a core is
taken.

Whole processes, as a user waits for them (start-up included: interpreter, imports, model loading, and for
ours writing the keypoints CSV): each round also times, from exec to exit, the legacy loop's process (b) and
`kneedrive pose VIDEO -o keypoints.csv --no-cache`, and reports the median seconds of the `--repeat` pairs and
the ratio legacy / ours (`--whole-only`: just this comparison).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

METHODS = ("decode", "legacy", "ours")
LABELS = {"decode": "decode only", "legacy": "legacy mediapipe loop", "ours": "kneedrive (ours)"}


def run_one(method: str, path: Path) -> tuple[int, float]:
    """Frames and seconds of processing; imports and model loading (one-off start-up, about 1 s for either
    pose pipeline) happen before the clock starts."""
    from kneedrive.io.video import read_frames

    if method == "decode":
        start = time.perf_counter()
        frames = sum(1 for _ in read_frames(path))
    elif method == "legacy":
        import mediapipe as mp  # the benchmark's reference only; kneedrive never imports mediapipe

        frames = 0
        with mp.solutions.pose.Pose(model_complexity=1, static_image_mode=False) as pose:
            start = time.perf_counter()
            for frame in read_frames(path):
                pose.process(frame.rgb)
                frames += 1
    else:
        from kneedrive.pose import BlazePoseFull, estimate_pose

        backend = BlazePoseFull()
        start = time.perf_counter()
        frames = estimate_pose(path, use_cache=False, backend=backend).frames_decoded
    return frames, time.perf_counter() - start


def kneedrive_command() -> list[str]:
    """The installed console script next to this interpreter, else the module."""
    script = Path(sys.executable).with_name("kneedrive")
    return [str(script)] if script.is_file() else [sys.executable, "-m", "kneedrive.cli"]


def whole_process_s(command: list[str]) -> float | None:
    """Seconds from exec to exit, None when the process failed."""
    start = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        print(f"  {' '.join(command[:3])}...: failed ({done.stderr.strip().splitlines()[-1:]})")
        return None
    return seconds


def whole_processes(video: Path, repeat: int) -> None:
    """The legacy loop's process vs `kneedrive pose` as a process, `repeat` pairs taking turns."""
    seconds: dict[str, list[float]] = {"legacy": [], "ours": []}
    with tempfile.TemporaryDirectory() as tmp:
        commands = {
            "legacy": [sys.executable, __file__, str(video), "--only", "legacy"],
            "ours": [*kneedrive_command(), "pose", str(video), "-o", str(Path(tmp) / "keypoints.csv"), "--no-cache"],
        }
        for round_ in range(1, repeat + 1):
            for method, command in commands.items():
                took = whole_process_s(command)
                if took is not None:
                    seconds[method].append(took)
                    label = "legacy mediapipe loop" if method == "legacy" else "kneedrive pose (CLI)"
                    print(f"  round {round_}: whole process, {label:22s} {took:6.2f} s")
    if seconds["legacy"] and seconds["ours"]:
        legacy, ours = statistics.median(seconds["legacy"]), statistics.median(seconds["ours"])
        print(
            f"whole process, median of {repeat}: legacy {legacy:.2f} s, kneedrive pose {ours:.2f} s; "
            f"legacy / ours = {legacy / ours:.2f}x; load average {os.getloadavg()[0]:.2f} after"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("video", type=Path)
    parser.add_argument("--repeat", type=int, default=3, help="rounds of (decode, legacy, ours)")
    parser.add_argument("--only", choices=METHODS, help=argparse.SUPPRESS)
    parser.add_argument("--whole-only", action="store_true", help="only the whole-process comparison")
    args = parser.parse_args()
    if args.only:
        frames, seconds = run_one(args.only, args.video)
        print(f"RESULT {frames} {seconds}")
        return
    print(f"{args.video}: {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f} before")
    if args.whole_only:
        whole_processes(args.video, args.repeat)
        return
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
    whole_processes(args.video, args.repeat)


if __name__ == "__main__":
    main()

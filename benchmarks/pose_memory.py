"""Peak memory of the pose stage against clip length: the same video, once and looped to minutes.

    .venv/bin/python benchmarks/pose_memory.py ../shared/data/gaitlab_treadmill/male_side.mp4 --loops 1 5 25

The clip is repeated with ffmpeg's stream loop (packets copied, nothing re-encoded) into a temporary folder;
each length runs `kneedrive.pose.estimate_pose` (no cache) in a fresh process, which reports its peak
resident memory (ru_maxrss) and the frames it decoded. Streaming means the peak does not grow with the
length: only the frames kept for following people back (at most 150 MB), small previews and the keypoints
themselves (a few kB per frame) are held.
"""

from __future__ import annotations

import argparse
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def measure(path: Path) -> None:
    from kneedrive.pose import estimate_pose

    start = time.perf_counter()
    pose = estimate_pose(path, use_cache=False)
    seconds = time.perf_counter() - start
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"RESULT {pose.frames_decoded} {pose.info.duration_s:.1f} {peak_mb:.0f} {seconds:.1f}")


def looped(source: Path, loops: int, folder: Path) -> Path:
    if loops == 1:
        return source
    out = folder / f"{source.stem}_x{loops}{source.suffix}"
    subprocess.run(
        ["ffmpeg", "-v", "error", "-y", "-stream_loop", str(loops - 1), "-i", str(source), "-c", "copy", str(out)],
        check=True,
    )
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("video", type=Path)
    parser.add_argument("--loops", type=int, nargs="+", default=[1, 5, 25])
    parser.add_argument("--measure", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        measure(args.video)
        return
    if shutil.which("ffmpeg") is None:
        sys.exit("error: ffmpeg is needed to loop the clip (scripts/install-system-deps.sh installs it)")
    print("| clip | loops | frames | length s | peak resident MB | pose s |")
    print("| --- | --- | --- | --- | --- | --- |")
    with tempfile.TemporaryDirectory() as folder:
        for loops in args.loops:
            clip = looped(args.video, loops, Path(folder))
            done = subprocess.run(
                [sys.executable, __file__, str(clip), "--measure"], capture_output=True, text=True, check=False
            )
            result = [line.split() for line in done.stdout.splitlines() if line.startswith("RESULT")]
            if not result:
                print(f"| {args.video.name} | {loops} | failed: {done.stderr.strip().splitlines()[-1:]} | | | |")
                continue
            frames, length, peak, seconds = result[0][1:]
            print(f"| {args.video.name} | {loops} | {frames} | {length} | {peak} | {seconds} |")


if __name__ == "__main__":
    main()

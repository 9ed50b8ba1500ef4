"""Time and peak memory of `kneedrive.analyze` on long keypoint CSVs.

    .venv/bin/python benchmarks/long_input.py --frames 100000 1000000

A synthetic treadmill sprinter (kneedrive.drills.sprinter, 240 fps, jitter and a few dropouts) is
synthesized for a whole number of strides and repeated, with the time column running on, into a
CSV of each length in a temporary folder. Each length is analyzed in a fresh process (parse, swap
search, filtering, events, steps, drill recognition, coaching), which reports its wall time and its
peak resident memory (ru_maxrss).
"""

from __future__ import annotations

import argparse
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

FPS_HZ = 240.0


def write_csv(path: Path, frames: int) -> None:
    import numpy as np

    from kneedrive.drills.camera import Artefacts
    from kneedrive.drills.sprinter import SprinterModel, synthesize

    model = SprinterModel(treadmill=True)
    strides = 8
    tile_s = strides * 2.0 * model.step_time_s
    seq = synthesize(
        model, fps_hz=FPS_HZ, duration_s=tile_s, artefacts=Artefacts(jitter_px=1.0, dropout_fraction=0.01), seed=1
    ).sequence
    header = ["time_s"] + [f"{n}_{c}" for n in seq.names for c in ("x", "y", "score")]
    cells = np.concatenate([seq.xy, seq.score[..., None]], axis=2).reshape(seq.n_frames, -1)
    rows = [",".join("" if not np.isfinite(v) else f"{v:.3f}" for v in row) for row in cells]
    with path.open("w", encoding="utf-8") as out:
        out.write(",".join(header) + "\n")
        for i in range(frames):
            out.write(f"{i / FPS_HZ!r},{rows[i % len(rows)]}\n")


def measure(path: Path) -> None:
    import kneedrive

    start = time.perf_counter()
    analysis = kneedrive.analyze(path, athlete_height_m=1.8)
    seconds = time.perf_counter() - start
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"RESULT {seconds:.1f} {peak_mb:.0f} {len(analysis.steps)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--frames", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--measure", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure is not None:
        measure(args.measure)
        return
    print("| frames | clip at 240 fps | file | analyze | peak memory | steps |")
    print("|---:|---:|---:|---:|---:|---:|")
    with tempfile.TemporaryDirectory() as folder:
        for frames in args.frames:
            path = Path(folder) / f"long_{frames}.csv"
            write_csv(path, frames)
            size_mb = path.stat().st_size / 1e6
            run = subprocess.run(
                [sys.executable, __file__, "--measure", str(path)], capture_output=True, text=True, check=False
            )
            result = [line for line in run.stdout.splitlines() if line.startswith("RESULT")]
            if run.returncode != 0 or not result:
                print(f"| {frames:,} | failed: {run.stderr.strip().splitlines()[-1:]} |")
                continue
            seconds, peak_mb, steps = result[0].split()[1:]
            minutes = frames / FPS_HZ / 60.0
            print(f"| {frames:,} | {minutes:.1f} min | {size_mb:.0f} MB | {seconds} s | {peak_mb} MB | {steps} |")
            path.unlink()


if __name__ == "__main__":
    main()

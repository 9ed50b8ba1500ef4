"""Command start-up as a user waits for it: whole processes, from exec to exit.

    .venv/bin/python benchmarks/startup.py [--repeat 7]

Times `kneedrive --help`, a command's help, a bad option, a missing file and a whole keypoint analysis (the
synthetic sprinter's CSV, written once by `kneedrive demo --csv` in a temporary folder before the clock runs),
each as a fresh process, `--repeat` times in turn, and prints the median (and the range) of each. `python -c
pass` is the floor every Python command pays. The load average is printed: other work on the machine slows
every figure. The target: `--help` and a bad argument under 0.3 s.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TARGET_S = 0.3


def kneedrive_command() -> list[str]:
    """The installed console script next to this interpreter, else the module."""
    script = Path(sys.executable).with_name("kneedrive")
    if script.is_file():
        return [str(script)]
    found = shutil.which("kneedrive")
    return [found] if found else [sys.executable, "-m", "kneedrive.cli"]


def cases(folder: Path) -> dict[str, tuple[list[str], int]]:
    """Label -> (command, expected exit code)."""
    kd = kneedrive_command()
    csv = folder / "keypoints.csv"
    return {
        "python -c pass (floor)": ([sys.executable, "-c", "pass"], 0),
        "kneedrive --help": ([*kd, "--help"], 0),
        "kneedrive analyze --help": ([*kd, "analyze", "--help"], 0),
        "kneedrive analyze --bogus (bad option)": ([*kd, "analyze", "--bogus", str(csv)], 2),
        "kneedrive analyze missing.csv (bad file)": ([*kd, "analyze", str(folder / "missing.csv")], 2),
        "kneedrive analyze keypoints.csv (3 s sprint, 240 fps)": (
            [*kd, "analyze", str(csv), "--athlete-height-m", "1.8"],
            0,
        ),
    }


def time_once(command: list[str], expected: int) -> float:
    start = time.perf_counter()
    done = subprocess.run(command, capture_output=True, check=False)
    seconds = time.perf_counter() - start
    if done.returncode != expected:
        tail = done.stderr.decode(errors="replace").strip().splitlines()[-1:]
        raise SystemExit(f"{' '.join(command)}: exit {done.returncode}, expected {expected} ({tail})")
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=7, help="runs of each command (median reported)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        subprocess.run(
            [*kneedrive_command(), "demo", "--csv", str(folder / "keypoints.csv")], capture_output=True, check=True
        )
        table = cases(folder)
        print(f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f} before; {args.repeat} runs each")
        seconds: dict[str, list[float]] = {label: [] for label in table}
        for _ in range(args.repeat):  # in turn, so that a busy moment does not land on one command only
            for label, (command, expected) in table.items():
                seconds[label].append(time_once(command, expected))
    print("| command | median s | range s |")
    print("| --- | --- | --- |")
    for label, runs in seconds.items():
        print(f"| {label} | {statistics.median(runs):.2f} | {min(runs):.2f}-{max(runs):.2f} |")
    print(f"load average {os.getloadavg()[0]:.2f} after")
    for label in ("kneedrive --help", "kneedrive analyze --bogus (bad option)"):
        median = statistics.median(seconds[label])
        verdict = "met" if median < TARGET_S else "NOT met"
        print(f"{label}: {median:.2f} s, target < {TARGET_S} s {verdict}")


if __name__ == "__main__":
    main()

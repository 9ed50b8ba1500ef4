"""Throughput of `kneedrive batch` on this machine: one in-process loop against Dask LocalClusters.

    .venv/bin/python benchmarks/batch_scaling.py                      # keypoint files and video clips
    .venv/bin/python benchmarks/batch_scaling.py --kind csv --csv 16  # keypoint files only

Inputs, made in a temporary folder: synthetic keypoint CSVs (`kneedrive.drills.sprinter`, 3 s at 240 fps,
with and without faults) and video clips cut with ffmpeg from VIDEO (default: the Sports2D demo in
../shared/data, full resolution, CLIP_S seconds each, re-encoded so that each starts on a key frame).
Each layout analyzes the same inputs into a fresh folder, the pose cache off (the model runs every time):

- `loop`: `kneedrive.batch.clip.analyze_clip` job after job in one fresh process (no Dask);
- `WxT`: a LocalCluster of W worker processes of T threads each, started once (its start-up and the
  workers' imports, which the loop also makes before its clips, timed apart),
  then the batch from the first submit to the last result, with the settings of `kneedrive batch`'s own
  LocalCluster (`kneedrive.batch.cluster.local_cluster_config`: Dask's statistical profiler off, the
  workers without Dask's MALLOC_TRIM_THRESHOLD_; `--dask-malloc-trim` puts that back).

Reported: clips/min and frames/s of the batch time, Dask's overhead per clip (`1x1` against `loop`, the same
one core's work), the peak resident memory of each worker (its ru_maxrss, read on the worker after the
batch) and of the loop's process.

Then where a LocalCluster's time goes, every run shown (not only the best: the spread is the machine's
load), from clocks that do not depend on what else the machine runs as much as the batch time does:

- `wait ms/clip`: the batch's wall time on every worker thread minus the clips' own time on them (each
  `ClipOutcome.seconds`, timed inside the task), per clip: submitting, the scheduler's round trips, sending
  the job and its outcome, a thread idle at the end; `no-op ms`: one empty task's round trip, alone;
- `clip s`: a clip's own time inside its task, against the loop's (the same function, the same clips);
- `CPU s/clip`: the CPU time of the worker processes over the batch (every thread: the clip, and Dask's
  event loop, heartbeats and memory monitor) per clip, against the loop's process; `client+scheduler
  ms/clip`: the CPU time of this process (the client and, in a LocalCluster, the scheduler) per clip;
  `idle CPU ms/s`: what a worker and this process use per second with no task (the cluster left idle
  IDLE_S before the batch);
- `job/outcome B`: what travels per clip, pickled; `models/worker`: pose backends built on each worker
  (video: must be 1, whatever the number of clips).
"""

from __future__ import annotations

import argparse
import json
import os
import pickle
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

DEMO = Path(__file__).resolve().parents[1] / ".." / "shared" / "data" / "sports2d_demo" / "demo.mp4"
LAYOUTS = ("loop", "1x1", "1x2", "2x1")
#: Set to 1 (by --dask-malloc-trim) for workers started with Dask's own MALLOC_TRIM_THRESHOLD_.
DASK_MALLOC_TRIM = "KNEEDRIVE_BENCH_DASK_MALLOC_TRIM"
#: Seconds a cluster is left idle before the batch, to measure its workers' own CPU use (heartbeats, monitors).
IDLE_S = 3.0


def make_csvs(folder: Path, count: int) -> list[Path]:
    from kneedrive.drills.sprinter import FAULTS, SprinterModel, synthesize
    from kneedrive.io.keypoints_csv import write_keypoints_csv

    faults = [{}, *FAULTS.values()]
    paths = []
    for i in range(count):
        model = SprinterModel(**faults[i % len(faults)])
        clip = synthesize(model, fps_hz=240.0, duration_s=3.0, seed=i)
        path = folder / f"sprinter_{i:02d}.csv"
        write_keypoints_csv(clip.sequence, path)
        paths.append(path)
    return paths


def make_clips(folder: Path, video: Path, count: int, clip_s: float) -> list[Path]:
    length = float(
        subprocess.run(
            ["ffprobe", "-v", "error", "-show_entries", "format=duration", "-of", "csv=p=0", str(video)],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    )
    paths = []
    for i in range(count):
        start = (i * clip_s) % max(length - clip_s, 0.1)
        path = folder / f"clip_{i:02d}.mp4"
        command = ["ffmpeg", "-v", "error", "-y", "-ss", f"{start:.2f}", "-t", f"{clip_s:.2f}", "-i", str(video)]
        command += ["-an", "-c:v", "libx264", "-preset", "veryfast", str(path)]
        subprocess.run(command, check=True)
        paths.append(path)
    return paths


def jobs_for(paths: list[Path]) -> list[Any]:
    from kneedrive.batch.inputs import AthleteMap
    from kneedrive.batch.jobs import AnalysisOptions, plan_jobs

    return plan_jobs(paths, AnalysisOptions(athlete_height_m=1.8, use_cache=False), AthleteMap())


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def counts(outcomes: list[Any]) -> dict[str, Any]:
    """Frames analyzed, and the clips that failed (a clip the analysis refuses, e.g. no complete step, still
    cost its pose model time: it is counted in the clips per minute, its frames are not)."""
    return {"frames": sum(o.frames for o in outcomes), "failed": sum(not o.ok for o in outcomes)}


def warm_up(video: bool) -> None:
    """What a process imports before its first clip (the analysis and report stack; the pose model for
    video), so that the timed batch is the clips' own work in the loop and in the workers alike."""
    import kneedrive.analysis
    import kneedrive.report.export
    from kneedrive.batch.clip import pose_backend

    del kneedrive
    if video:
        pose_backend(None)


def clip_seconds(outcomes: list[Any]) -> float:
    """The clips' own time, each timed inside its task (or the loop's call)."""
    return float(sum(o.seconds for o in outcomes))


def run_loop(paths: list[Path], out: Path) -> dict[str, Any]:
    """In this process: the clips one after another (the model built once, as a worker does)."""
    from kneedrive.batch.clip import analyze_clip

    jobs = jobs_for(paths)
    warm_up(any(j.video for j in jobs))
    start, cpu = time.perf_counter(), time.process_time()
    outcomes = [analyze_clip(job, out) for job in jobs]
    seconds, cpu_s = time.perf_counter() - start, time.process_time() - cpu
    return {
        "seconds": seconds,
        **counts(outcomes),
        "peak_mb": [peak_rss_mb()],
        "clip_s": clip_seconds(outcomes),
        "cpu_s": cpu_s,
    }


def noop(value: int) -> int:
    return value


def noop_round_trip_s(client: Any, tasks: int = 30) -> float:
    """One empty task's round trip (submit, run, result), one at a time."""
    start = time.perf_counter()
    for i in range(tasks):
        client.submit(noop, i, pure=False).result()
    return (time.perf_counter() - start) / tasks


def run_cluster(paths: list[Path], out: Path, workers: int, threads: int) -> dict[str, Any]:
    from distributed import Client, LocalCluster

    from kneedrive.batch.clip import backends_loaded
    from kneedrive.batch.cluster import ClusterSize, local_cluster_config, run_on_dask

    jobs = jobs_for(paths)
    begin = time.perf_counter()
    import dask.config

    dask.config.set(local_cluster_config(malloc_trim=os.environ.get(DASK_MALLOC_TRIM) == "1"))
    cluster = LocalCluster(n_workers=workers, threads_per_worker=threads, processes=True, dashboard_address=None)
    with cluster, Client(cluster) as client:
        client.wait_for_workers(workers, timeout=60)
        started = time.perf_counter() - begin
        client.run(warm_up, any(j.video for j in jobs))
        startup = time.perf_counter() - begin
        round_trip = noop_round_trip_s(client)
        idle_before, idle_client = client.run(time.process_time), time.process_time()
        time.sleep(IDLE_S)
        idle_after, idle_client = client.run(time.process_time), time.process_time() - idle_client
        clocks: dict[str, Any] = {}

        def ready(_: Any) -> None:  # run_on_dask connected: its clips are submitted next
            clocks.update(start=time.perf_counter(), cpu=time.process_time(), workers=client.run(time.process_time))

        begin_connect = time.perf_counter()
        outcomes = run_on_dask(
            jobs, out, scheduler=cluster.scheduler_address, size=ClusterSize(workers, threads), on_ready=ready
        )
        seconds, client_cpu_s = time.perf_counter() - clocks["start"], time.process_time() - clocks["cpu"]
        cpu_after = client.run(time.process_time)
        peaks = list(client.run(peak_rss_mb).values())
        models = sorted(client.run(backends_loaded).values())
    return {
        "seconds": seconds,
        "started_s": started,
        "startup_s": startup,
        **counts(outcomes),
        "peak_mb": peaks,
        "clip_s": clip_seconds(outcomes),
        "cpu_s": sum(cpu_after[w] - clocks["workers"][w] for w in cpu_after),
        "idle_cpu_per_s": sum(idle_after[w] - idle_before[w] for w in idle_after) / (IDLE_S * workers),
        "idle_client_cpu_per_s": idle_client / IDLE_S,
        "connect_s": clocks["start"] - begin_connect,
        "client_cpu_s": client_cpu_s,
        "slots": workers * threads,
        "noop_s": round_trip,
        "job_bytes": len(pickle.dumps(jobs[0])),
        "outcome_bytes": len(pickle.dumps(outcomes[0])),
        "models": models,
    }


def measure(layout: str, paths: list[Path]) -> dict[str, Any]:
    """One layout on `paths`, in a fresh process (a clean memory peak), into a fresh output folder."""
    with tempfile.TemporaryDirectory() as out:
        args = [sys.executable, __file__, "--measure", layout, "--out", out, *map(str, paths)]
        done = subprocess.run(args, capture_output=True, text=True, check=False, timeout=3600)
    if done.returncode != 0:
        raise SystemExit(f"{layout}: {done.stderr[-2000:]}")
    line = next(ln for ln in done.stdout.splitlines() if ln.startswith("RESULT "))
    result: dict[str, Any] = json.loads(line.removeprefix("RESULT "))
    return result


def table(kind: str, paths: list[Path], layouts: list[str], rounds: int) -> None:
    """Each layout `rounds` times, taking turns (the machine is shared: load comes and goes); the fastest
    round of each is shown."""
    runs: dict[str, list[dict[str, Any]]] = {layout: [] for layout in layouts}
    for _ in range(rounds):
        for layout in layouts:
            runs[layout].append(measure(layout, paths))
    results = {layout: min(r, key=lambda x: float(x["seconds"])) for layout, r in runs.items()}
    n = len(paths)
    failed = results[layouts[0]]["failed"]
    frames = results[layouts[0]]["frames"]
    print(f"\n{kind}: {n} clips ({failed} refused by the analysis), {frames} frames analyzed, best of {rounds}\n")
    print("| layout | batch s | clips/min | frames/s | s/clip | cluster start s | peak MB per worker |")
    print("| --- | --- | --- | --- | --- | --- | --- |")
    for layout, r in results.items():
        seconds, frames = float(r["seconds"]), float(r["frames"])
        peaks = ", ".join(f"{p:.0f}" for p in r["peak_mb"])
        startup = f"{float(r['startup_s']):.1f}" if "startup_s" in r else "-"
        print(
            f"| {layout} | {seconds:.1f} | {60 * n / seconds:.1f} | {frames / seconds:.0f} | {seconds / n:.2f} "
            f"| {startup} | {peaks} |"
        )
    if "loop" in results and "1x1" in results:
        overhead = (float(results["1x1"]["seconds"]) - float(results["loop"]["seconds"])) / n
        print(f"\nDask overhead (1x1 against loop): {overhead * 1000:+.0f} ms per clip, plus the cluster's start-up")
    breakdown(runs, n)


def breakdown(runs: dict[str, list[dict[str, Any]]], n: int) -> None:
    """Where each run's time went (see the module's notes), every run in turn."""
    print("\n| layout | round | batch s | wait ms/clip | no-op ms | clip s | CPU s/clip | client+scheduler ms/clip "
          "| idle CPU ms/s: worker, client+scheduler | cluster start s (with imports) | connect s | job/outcome B "
          "| models/worker |")  # fmt: skip
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    for layout, rounds in runs.items():
        for number, r in enumerate(rounds, start=1):
            cells = [layout, str(number), f"{float(r['seconds']):.1f}"]
            if "slots" in r:
                wait = (float(r["seconds"]) * int(r["slots"]) - float(r["clip_s"])) / n
                cells += [f"{wait * 1000:.0f}", f"{float(r['noop_s']) * 1000:.1f}"]
            else:
                cells += ["-", "-"]
            cells += [f"{float(r['clip_s']) / n:.2f}", f"{float(r['cpu_s']) / n:.2f}"]
            if "slots" in r:
                cells += [
                    f"{float(r['client_cpu_s']) / n * 1000:.0f}",
                    f"{float(r['idle_cpu_per_s']) * 1000:.0f}, {float(r['idle_client_cpu_per_s']) * 1000:.0f}",
                    f"{float(r['started_s']):.1f} ({float(r['startup_s']):.1f})",
                    f"{float(r['connect_s']):.2f}",
                    f"{r['job_bytes']}/{r['outcome_bytes']}",
                    ", ".join(map(str, r["models"])),
                ]
            else:
                cells += ["-"] * 6
            print("| " + " | ".join(cells) + " |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--kind", choices=["csv", "video", "both"], default="both")
    parser.add_argument("--csv", type=int, default=12, help="keypoint CSVs to make")
    parser.add_argument("--clips", type=int, default=4, help="video clips to cut")
    parser.add_argument("--clip-s", type=float, default=3.0, help="length of each video clip (s)")
    parser.add_argument("--video", type=Path, default=DEMO)
    parser.add_argument("--rounds", type=int, default=2, help="runs of each layout, taking turns (the best shown)")
    parser.add_argument("--layouts", nargs="+", default=list(LAYOUTS), choices=LAYOUTS)
    parser.add_argument(
        "--dask-malloc-trim",
        action="store_true",
        help="start the workers with Dask's MALLOC_TRIM_THRESHOLD_ (kneedrive batch leaves it out)",
    )
    parser.add_argument("--measure", help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("paths", nargs="*", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        if args.measure == "loop":
            result = run_loop(args.paths, args.out)
        else:
            workers, threads = (int(x) for x in args.measure.split("x"))
            result = run_cluster(args.paths, args.out, workers, threads)
        print("RESULT " + json.dumps(result))
        return
    os.environ.setdefault("KNEEDRIVE_CACHE_DIR", tempfile.mkdtemp(prefix="kneedrive-bench-cache-"))
    if args.dask_malloc_trim:
        os.environ[DASK_MALLOC_TRIM] = "1"  # the measuring processes inherit it
    print(f"{os.cpu_count()} cores; layouts {', '.join(args.layouts)}")
    with tempfile.TemporaryDirectory() as folder:
        if args.kind in ("csv", "both"):
            table("keypoint CSVs", make_csvs(Path(folder), args.csv), args.layouts, args.rounds)
        if args.kind in ("video", "both"):
            if shutil.which("ffmpeg") is None:
                sys.exit("error: ffmpeg is needed to cut the clips (scripts/install-system-deps.sh installs it)")
            clips = make_clips(Path(folder), args.video, args.clips, args.clip_s)
            table(f"video clips of {args.clip_s:g} s", clips, args.layouts, args.rounds)


if __name__ == "__main__":
    main()

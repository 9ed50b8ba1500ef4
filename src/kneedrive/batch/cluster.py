"""The batch's jobs on dask.distributed: a LocalCluster sized to this machine, or an existing scheduler.

Each job is one task (`analyze_clip`); a task whose worker dies is run again on another worker by the
scheduler (up to its `allowed-failures`, then that clip fails with a one-line error and the others go on).
The pose model is loaded once per worker: `PoseModelPreload`, a worker plugin, builds it when a worker
starts (and when a restarted one comes back), into the per-process cache that every clip on that worker
uses. Every wait is bounded: connecting, waiting for a first worker, and a cluster left without workers.
"""

from __future__ import annotations

import logging
import queue
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import dask.config
from distributed import Client, Future, LocalCluster, WorkerPlugin

from ..errors import KneedriveError
from ..pose.workers import cores
from .clip import ClipOutcome, analyze_clip, pose_backend
from .jobs import ClipJob

if TYPE_CHECKING:
    from distributed import Worker

log = logging.getLogger(__name__)

#: Seconds to reach a scheduler, and for a first worker to join it.
CONNECT_TIMEOUT_S = 30.0
WORKER_TIMEOUT_S = 60.0
#: A batch stops (each remaining clip failed) when the cluster has had no worker for this long.
NO_WORKER_TIMEOUT_S = 120.0
_POLL_S = 2.0


@dataclass(frozen=True)
class ClusterSize:
    """Workers (processes) and threads per worker of the LocalCluster."""

    workers: int
    threads_per_worker: int


def local_cluster_size(*, video: bool, available_cores: int | None = None) -> ClusterSize:
    """The LocalCluster for this machine, as measured on 2 cores (benchmarks/batch_scaling.py, README):
    one worker process per core, one thread each. Keypoint files are analyzed in Python and NumPy code
    that holds Python's lock, so two processes beat one process of two threads; for video, two clips side
    by side (each with a pose-model interpreter per core) kept both cores busier than one clip at a time,
    whose decoder and tracker leave the cores idle part of the time."""
    del video  # measured: the same shape is best for both; kept so a future measurement can tell them apart
    n = available_cores or cores()
    return ClusterSize(workers=max(1, n), threads_per_worker=1)


def local_cluster_config(*, malloc_trim: bool = False) -> dict[str, Any]:
    """The Dask settings of the batch's LocalCluster, as measured (benchmarks/batch_scaling.py, README):

    - no statistical profiler: it samples every worker thread each 10 ms, under Python's lock, and cost
      10-20 % of a keypoint file's analysis (the dashboard keeps everything but its "Profile" page);
    - the workers started without Dask's MALLOC_TRIM_THRESHOLD_ (unless `malloc_trim`; the thread limits
      stay): setting it also turns off glibc's adaptive mmap threshold, so that every decoded frame (5 MB at
      1768x994) is a fresh mapping whose pages fault in again, 0.3-0.4 s of system CPU per 3 s video clip.
    """
    environ = dict(dask.config.get("distributed.nanny.pre-spawn-environ", default={}) or {})
    if not malloc_trim:
        environ.pop("MALLOC_TRIM_THRESHOLD_", None)
    return {"distributed.worker.profile.enabled": False, "distributed.nanny.pre-spawn-environ": environ}


class PoseModelPreload(WorkerPlugin):
    """Builds the batch's pose backends on each worker when it starts, before its first clip."""

    name = "kneedrive-pose-model"

    def __init__(self, specs: Sequence[str | None]) -> None:
        self.specs = tuple(dict.fromkeys(specs))

    def setup(self, worker: Worker) -> None:
        for spec in self.specs:
            pose_backend(spec)


@dataclass(frozen=True)
class Ready:
    """The cluster the batch runs on: where its dashboard is (None: no dashboard), how many workers."""

    dashboard: str | None
    workers: int
    scheduler: str


def run_on_dask(
    jobs: Sequence[ClipJob],
    out_dir: Path,
    *,
    scheduler: str | None = None,
    size: ClusterSize | None = None,
    on_ready: Callable[[Ready], None] | None = None,
    on_outcome: Callable[[ClipJob, ClipOutcome], None] | None = None,
    no_worker_timeout_s: float = NO_WORKER_TIMEOUT_S,
) -> list[ClipOutcome]:
    """Analyze `jobs` on Dask (a LocalCluster of `size`, or the cluster at `scheduler`), writing into
    `out_dir`; each outcome as it arrives to `on_outcome`; the outcomes in the jobs' order."""
    if not jobs:
        return []
    out_dir = out_dir.resolve()
    with _connected(scheduler, size or local_cluster_size(video=any(j.video for j in jobs))) as client:
        if any(j.video for j in jobs):
            client.register_plugin(PoseModelPreload([j.options.pose_model for j in jobs if j.video]))
        if on_ready is not None:
            on_ready(_ready(client, scheduler))
        return _gather(client, jobs, out_dir, on_outcome, no_worker_timeout_s)


@contextmanager
def _connected(scheduler: str | None, size: ClusterSize) -> Iterator[Client]:
    """A client of the cluster at `scheduler`, or of a new LocalCluster (closed after it), with a worker."""
    with ExitStack() as stack:
        if scheduler is None:
            stack.enter_context(dask.config.set(local_cluster_config()))
            cluster = LocalCluster(
                n_workers=size.workers,
                threads_per_worker=size.threads_per_worker,
                processes=True,
                silence_logs=logging.ERROR,
                dashboard_address=":8787",
            )
            stack.enter_context(cluster)
            client = Client(cluster, timeout=CONNECT_TIMEOUT_S, set_as_default=False)
        else:
            try:
                client = Client(scheduler, timeout=CONNECT_TIMEOUT_S, set_as_default=False)
            except OSError as exc:
                raise KneedriveError(f"--scheduler {scheduler}: cannot reach the Dask scheduler ({exc})") from None
        stack.enter_context(client)
        try:
            client.wait_for_workers(1, timeout=WORKER_TIMEOUT_S)
        except TimeoutError:
            raise KneedriveError(f"the Dask cluster has no worker (waited {WORKER_TIMEOUT_S:.0f} s)") from None
        yield client


def _ready(client: Client, scheduler: str | None) -> Ready:
    info = client.scheduler_info()
    link: str | None = None
    try:
        link = client.dashboard_link
    except (KeyError, AttributeError):  # no dashboard (bokeh missing on the scheduler)
        link = None
    if link and "dashboard" not in info.get("services", {}):
        link = None
    return Ready(dashboard=link, workers=len(info.get("workers", {})), scheduler=scheduler or str(info["address"]))


def _gather(
    client: Client,
    jobs: Sequence[ClipJob],
    out_dir: Path,
    on_outcome: Callable[[ClipJob, ClipOutcome], None] | None,
    no_worker_timeout_s: float,
) -> list[ClipOutcome]:
    finished: queue.Queue[Future[ClipOutcome]] = queue.Queue()
    by_key: dict[Any, int] = {}
    futures = []
    for index, job in enumerate(jobs):
        future = client.submit(analyze_clip, job, out_dir, key=f"kneedrive-clip-{job.folder}-{job.key}", pure=False)
        by_key[future.key] = index
        future.add_done_callback(finished.put)
        futures.append(future)
    outcomes: list[ClipOutcome | None] = [None] * len(jobs)
    left, no_worker_since = len(jobs), None
    lost: list[Future[ClipOutcome]] = []  # finished, but the worker holding the result died before we read it
    while left:
        try:
            future = finished.get(timeout=_POLL_S)
        except queue.Empty:
            no_worker_since = _watch_workers(client, no_worker_since, no_worker_timeout_s)
            for again in [f for f in lost if f.done()]:
                lost.remove(again)
                finished.put(again)
            continue
        if not future.done():  # "lost": the scheduler runs it again (a done callback would fire at once)
            lost.append(future)
            continue
        index = by_key[future.key]
        outcome = _outcome(jobs[index], future)
        outcomes[index] = outcome
        left -= 1
        if on_outcome is not None:
            on_outcome(jobs[index], outcome)
    return [o for o in outcomes if o is not None]


def _watch_workers(client: Client, since: float | None, timeout_s: float) -> float | None:
    """When the cluster has no worker: the time since when; past `timeout_s`, an error."""
    if client.scheduler_info().get("workers"):
        return None
    now = time.monotonic()
    if since is not None and now - since > timeout_s:
        raise KneedriveError(f"the Dask cluster has had no worker for {timeout_s:.0f} s; run the batch again")
    return since if since is not None else now


def _outcome(job: ClipJob, future: Future[ClipOutcome]) -> ClipOutcome:
    """A finished task's outcome; a task that did not return (its workers died, it could not be sent) is
    this clip's failure."""
    if future.status == "finished":
        result = future.result()
        if isinstance(result, ClipOutcome):
            return result
    error = future.exception() if future.status == "error" else None
    if type(error).__name__ == "KilledWorker":
        message = "the workers analyzing it died each time (out of memory, or a crash in a decoder)"
    else:
        message = f"the task did not finish ({future.status}: {' '.join(str(error).split()) or 'cancelled'})"
    return ClipOutcome(job.folder, "failed", error=message)

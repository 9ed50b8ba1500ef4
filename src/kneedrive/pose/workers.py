"""Model calls run side by side: one per core, in threads (LiteRT releases Python's lock while it runs).

Two single-threaded interpreters working on two crops at once use two cores better than one interpreter
splitting each crop over two threads: measured on a 2-core machine with the video decoding alongside,
the split interpreter waits on its slower half whenever the decoder holds a core.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from types import TracebackType
from typing import Any

#: Calls run at once (the calls of one frame: the athlete, others followed then, the detector).
WORKERS = 2


_this_thread = threading.local()


def cores() -> int:
    """The cores this process may run on (its CPU affinity: a container's or taskset's limit)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def threads_per_call() -> int:
    """Interpreter threads for one call: in a worker, the cores shared out among the calls that run at
    once; elsewhere (a call running alone) every core."""
    threads: int | None = getattr(_this_thread, "threads", None)
    return threads or cores()


def shared_threads() -> int:
    """The cores shared out among the calls that run at once."""
    return max(1, cores() // WORKERS)


def _as_worker() -> None:
    _this_thread.threads = shared_threads()


@dataclass(frozen=True)
class Call:
    """One model call: whose (a key), in which frame row, and what to run."""

    key: int
    row: int
    run: Callable[..., Any]
    args: tuple[Any, ...]


class Workers:
    """Runs a frame's calls, side by side when the model allows it (`parallel`), else one after another."""

    def __init__(self, *, parallel: bool) -> None:
        self._pool = (
            ThreadPoolExecutor(WORKERS, thread_name_prefix="kneedrive-model", initializer=_as_worker)
            if parallel
            else None
        )
        self.calls = 0

    def run(self, calls: Sequence[Call]) -> dict[tuple[int, int], Any]:
        """Each call's answer, by (key, row). Calls run in pairs, one per worker; an odd one out runs last
        and alone, in this thread, on every core (one worker would sit idle beside it)."""
        self.calls += len(calls)
        if self._pool is None or len(calls) < 2:
            return {(c.key, c.row): c.run(*c.args) for c in calls}
        paired = len(calls) - len(calls) % WORKERS
        futures = [(c, self._pool.submit(c.run, *c.args)) for c in calls[:paired]]
        answers = {(c.key, c.row): future.result() for c, future in futures}
        answers.update({(c.key, c.row): c.run(*c.args) for c in calls[paired:]})
        return answers

    def __enter__(self) -> Workers:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)

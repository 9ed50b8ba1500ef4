"""One analysis at a time on this machine: a thread takes the oldest queued session and runs it in its own
process (`python -m kneedrive.store.job`), so a crash of the pose runtime marks the session failed and the
server goes on. Queued sessions are in the database: a restarted server finds them again."""

from __future__ import annotations

import logging
import subprocess
import sys
import threading

from ..store import Store

log = logging.getLogger(__name__)

#: Seconds between looks at the queue when nobody wakes the worker.
POLL_S = 1.0


class Worker:
    def __init__(self, store: Store) -> None:
        self.store = store
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._child: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        interrupted = self.store.recover_interrupted()
        if interrupted:
            log.warning("%d analyses were interrupted by a stop; marked failed", len(interrupted))
        self._thread = threading.Thread(target=self._loop, name="kneedrive-worker", daemon=True)
        self._thread.start()

    def wake(self) -> None:
        self._wake.set()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        child = self._child
        if child is not None and child.poll() is None:
            child.terminate()
        if self._thread is not None:
            self._thread.join(timeout=15)

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                session = self.store.claim_next()
            except Exception:  # the database is busy or gone for a moment: try again
                log.exception("claiming the next session")
                session = None
            if session is None:
                self._wake.wait(POLL_S)
                self._wake.clear()
                continue
            self._run(session.id)

    def _run(self, session_id: str) -> None:
        location = self.store.location
        command = [sys.executable, "-m", "kneedrive.store.job", "--data-dir", str(location.data_dir)]
        command += ["--db", location.db_url, session_id]
        self._child = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL)
        code = self._child.wait()
        self._child = None
        try:
            if self.store.session(session_id).status == "running":
                why = "the server stopped" if self._stop.is_set() else f"the analysis process ended with code {code}"
                self.store.fail(session_id, f"interrupted: {why}")
        except Exception:  # deleted meanwhile
            log.info("session %s is gone", session_id)

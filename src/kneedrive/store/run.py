"""Running a queued session: the analysis, its session folder, and the row marked done or failed.

`run_session` runs one claimed session (the web app's worker calls it in its own process through
kneedrive.store.job, so that a crash of the pose runtime cannot take the server down);
`analyze_and_store` is the Python API behind `kneedrive analyze FILE --athlete NAME`.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import KneedriveError
from ..io.formats import is_video
from .store import Store, clean_name, open_store
from .values import AnalysisOptions, Athlete, StoredSession

if TYPE_CHECKING:
    from ..analysis import Analysis
    from ..pose.run import Progress

log = logging.getLogger(__name__)

#: Progress is written to the store at most this often.
PROGRESS_EVERY_S = 0.5


def run_analysis(path: Path, options: AnalysisOptions, progress: Progress | None = None) -> Analysis:
    """kneedrive.analyze with the stored options."""
    return options.analyze(path, progress=progress)


def _reporter(store: Store, session_id: str) -> Progress:
    last_at = [0.0]
    last_phase = [""]

    def report(phase: str, done: int, total: int) -> None:
        now = time.monotonic()
        if phase != last_phase[0] or now - last_at[0] >= PROGRESS_EVERY_S or done >= total:
            last_at[0], last_phase[0] = now, phase
            store.set_progress(session_id, phase, done, total)

    return report


def run_session(store: Store, session: StoredSession) -> None:
    """Analyze a claimed (running) session and store the result; any error marks it failed with the error."""
    from ..report.export import write_outputs

    folder = store.location.sessions_dir / f".{session.id}.part"
    try:
        progress = _reporter(store, session.id)
        progress("analysis", 0, 0)
        analysis = run_analysis(store.input_path(session), session.options, progress)
        # the report names the file as the coach uploaded it, not by its generated storage name
        record = replace(analysis.record, source=session.input_name)
        progress("report", 0, 0)
        written = write_outputs(record, analysis.sequence, folder, analysis=analysis, progress=progress)
        store.finish(session.id, record, folder, [p.name for p in written])
    except KneedriveError as exc:
        store.fail(session.id, str(exc))
    except OSError as exc:
        store.fail(session.id, f"file error: {exc.strerror or exc}")
    except Exception as exc:  # a bug: recorded with its kind, logged with its traceback
        log.exception("session %s", session.id)
        store.fail(session.id, f"internal error ({type(exc).__name__}: {exc})")
    finally:
        import shutil

        shutil.rmtree(folder, ignore_errors=True)


def analyze_and_store(
    path: Path,
    athlete: str,
    *,
    options: AnalysisOptions | None = None,
    store: Store | None = None,
    recorded_on: dt.date | None = None,
    progress: Progress | None = None,
) -> tuple[Analysis, StoredSession]:
    """Analyze `path` for the athlete named `athlete` (added to the store if new) and store the session with
    its report folder. The athlete's stored height gives the scale when the options have none."""
    from ..report.export import write_outputs

    store = store or open_store()
    options = options or AnalysisOptions()
    clean_name(athlete)
    try:
        person: Athlete | None = store.athlete_named(athlete)
    except KneedriveError:
        person = None  # added once the analysis has succeeded: a failed one leaves the store as it was
    if person is not None and options.athlete_height_m is None and options.px_per_m is None and person.height_m:
        options = replace(options, athlete_height_m=person.height_m)
    analysis = run_analysis(path, options, progress)
    record = analysis.record
    if person is None:
        person = store.add_athlete(athlete)

    def write(folder: Path) -> list[Path]:
        return write_outputs(record, analysis.sequence, folder, analysis=analysis, progress=progress)

    stored = store.store_analysis(
        record,
        write,
        athlete_id=person.id,
        input_path=path,
        input_kind="video" if is_video(path) else "keypoints",
        options=options,
        recorded_on=recorded_on,
    )
    return analysis, stored

"""The coach's store: athletes, their analysed sessions and the plans they were given, in one SQLite file in
the user data folder (or `--data-dir` / $KNEEDRIVE_DATA_DIR, or any database by `--db URL`).

    from kneedrive.store import open_store, analyze_and_store
    analysis, session = analyze_and_store(Path("monday.csv"), "Ana")
    for s in open_store().sessions(athlete_id=session.athlete_id): ...

An edge of the pipeline like io/ and report/: it reads and writes files and the database; it hands out the
typed analysis record (kneedrive.record.AnalysisRecord) and frozen values (kneedrive.store.values).
"""

from __future__ import annotations

from .location import DATA_DIR_ENV, StoreLocation
from .run import analyze_and_store
from .store import NotFound, Store, open_store
from .values import AnalysisOptions, Athlete, Progress, StoredSession

__all__ = [
    "DATA_DIR_ENV",
    "AnalysisOptions",
    "Athlete",
    "NotFound",
    "Progress",
    "Store",
    "StoreLocation",
    "StoredSession",
    "analyze_and_store",
    "open_store",
]

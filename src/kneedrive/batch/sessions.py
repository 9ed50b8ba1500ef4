"""The batch's clips in the coach's workspace store (kneedrive.store): each clip a session of its athlete.

The command's own process adds them, as each clip's outcome arrives (and, first, the clips a previous run
analyzed), never the Dask workers: one writer for the store, which may be a SQLite file on this machine
only. A session is the same when its athlete, its input's content hash and its options are: a clip whose
session is already stored is "skipped", so a re-run adds nothing twice, and a clip analyzed by an earlier
batch that did not store it (`--no-store`, a store made since) is added. The session's folder holds the
clip's output files (hard links when the file system allows, copies otherwise); its record is the one in
the clip's analysis.json.
"""

from __future__ import annotations

import logging
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.exc import SQLAlchemyError

from .. import options as analysis_options
from ..errors import KneedriveError
from ..store import Store, open_store
from ..store.location import DB_FILE, StoreLocation
from ..store.values import Athlete
from .clip import read_manifest
from .jobs import ClipJob
from .squad import written_record

log = logging.getLogger(__name__)


def open_batch_store(data_dir: Path | None, db_url: str | None, *, enabled: bool = True) -> Store | None:
    """The store the batch adds its sessions to: the one named by `data_dir` / `db_url` (made when new),
    else the default one ($KNEEDRIVE_DATA_DIR, the user data folder) when it exists; None when `enabled`
    is False or there is none (a batch does not create a store nobody asked for)."""
    if not enabled:
        return None
    if data_dir is None and db_url is None and not (StoreLocation.resolve().data_dir / DB_FILE).is_file():
        return None
    return open_store(data_dir, db_url)


@dataclass(frozen=True)
class StoredClip:
    """What became of one clip in the store: "added" (with its new session), "skipped" (that session was
    there) or "failed" (with the one-line `error`; the clip's outputs are kept, the next run tries again)."""

    folder: str
    status: str
    session_id: str | None = None
    error: str | None = None


def session_options(job: ClipJob) -> analysis_options.AnalysisOptions:
    """The options a clip's session records: those that changed its outputs (a keypoint file's session
    carries no video option), as `kneedrive analyze --athlete` stores them."""
    keyed = job.options.keyed(video=job.video)
    return analysis_options.AnalysisOptions.from_dict({k: v for k, v in keyed.items() if v is not None})


class BatchSessions:
    """Adds a batch's finished clips to `store`, each once (see the module's notes)."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self._athletes = {a.name.lower(): a for a in store.athletes()}
        self._stored = {
            (s.athlete_name.lower(), s.input_sha256, _options_key(s.options)): s.id
            for s in store.sessions(status="done")
        }

    def add(self, job: ClipJob, out_dir: Path) -> StoredClip:
        """The session of `job`, whose output folder `out_dir/job.folder` is whole (done now or before)."""
        wanted = (job.athlete.name.lower(), job.input_sha256, _options_key(session_options(job)))
        if wanted in self._stored:
            return StoredClip(job.folder, "skipped", self._stored[wanted])
        try:
            session_id = self._add_session(job, out_dir / job.folder)
        except (KneedriveError, OSError, ValueError, KeyError, SQLAlchemyError) as exc:
            line = " ".join(str(exc).split()) or type(exc).__name__
            log.warning("%s: not stored: %s", job.path, line)
            return StoredClip(job.folder, "failed", error=line)
        self._stored[wanted] = session_id
        return StoredClip(job.folder, "added", session_id)

    def _add_session(self, job: ClipJob, folder: Path) -> str:
        manifest = read_manifest(folder)
        if manifest is None or manifest.get("key") != job.key:
            raise KneedriveError(f"{folder}: not this clip's analysis (no manifest with its key)")
        names = sorted(manifest["files"])
        record = written_record(folder / "analysis.json")
        athlete = self._athlete(job)

        def link_outputs(session_folder: Path) -> list[Path]:
            session_folder.mkdir(parents=True)
            return [_link_or_copy(folder / name, session_folder / name) for name in names]

        stored = self.store.store_analysis(
            record,
            link_outputs,
            athlete_id=athlete.id,
            input_path=job.path,
            input_kind="video" if job.video else "keypoints",
            options=session_options(job),
        )
        return stored.id

    def _athlete(self, job: ClipJob) -> Athlete:
        """The clip's athlete in the store, added (with the map's height) when new."""
        name = job.athlete.name
        known = self._athletes.get(name.lower())
        if known is None:
            try:
                known = self.store.add_athlete(name, height_m=job.athlete.athlete_height_m)
            except KneedriveError:  # added meanwhile (the app), or a height the store refuses: kept in the options
                known = self._existing(name) or self.store.add_athlete(name)
            self._athletes[known.name.lower()] = known
        return known

    def _existing(self, name: str) -> Athlete | None:
        try:
            return self.store.athlete_named(name)
        except KneedriveError:
            return None


def _options_key(options: analysis_options.AnalysisOptions) -> tuple[tuple[str, object], ...]:
    return tuple(sorted(options.to_dict().items()))


def _link_or_copy(source: Path, target: Path) -> Path:
    """`target` as a hard link to `source` (the batch and the store only ever replace files whole, never
    edit them), or a copy on a file system without hard links or across file systems."""
    try:
        os.link(source, target)
    except OSError:
        shutil.copy2(source, target)
    return target

"""The store: athletes, their sessions (queued, running, done or failed) and the plans they were given.

Every change is one database transaction; files (uploads, a session's output folder) are put in place under
generated names before the row that names them is committed, and removed after the row that named them is
gone, so a killed process leaves at worst an orphan file, never a row naming a missing or half-written one.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import shutil
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from ..errors import InputError
from .database import MissingDriver, make_engine, shown_url, upgrade
from .location import StoreLocation
from .models import AthleteRow, PlanRow, SessionRow
from .values import LEGS, AnalysisOptions, Athlete, Progress, Status, StoredSession

if TYPE_CHECKING:
    from ..record import AnalysisRecord

log = logging.getLogger(__name__)

MAX_NAME_CHARS = 200
MAX_NOTES_CHARS = 5000


class NotFound(InputError):
    """No athlete or session with that id or name."""


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def clean_name(name: str) -> str:
    name = " ".join(name.split())
    if not name:
        raise InputError("an athlete needs a name")
    if len(name) > MAX_NAME_CHARS:
        raise InputError(f"an athlete's name has at most {MAX_NAME_CHARS} characters")
    return name


class Store:
    """The coach's store at `location` (created and migrated to the newest schema on open)."""

    def __init__(self, location: StoreLocation) -> None:
        self.location = location
        location.data_dir.mkdir(parents=True, exist_ok=True)
        try:
            self._writer = make_engine(location.db_url, immediate=True)
            self._reader = make_engine(location.db_url) if location.is_sqlite else self._writer
            upgrade(self._writer)
        except (SQLAlchemyError, ImportError) as exc:  # a bad URL, a missing driver, a database out of reach
            reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            if isinstance(exc, ImportError) and not isinstance(exc, MissingDriver):
                reason += " (install the database's Python driver)"
            raise InputError(f"cannot open the store at {shown_url(location.db_url)}: {reason}") from None
        self._write = sessionmaker(self._writer, expire_on_commit=False)
        self._read = sessionmaker(self._reader, expire_on_commit=False)

    def close(self) -> None:
        self._writer.dispose()
        self._reader.dispose()

    @contextmanager
    def _tx(self) -> Iterator[Session]:
        """One write transaction: committed when the block ends, rolled back on any exception."""
        with self._write.begin() as session:
            yield session

    @contextmanager
    def _view(self) -> Iterator[Session]:
        with self._read() as session:
            yield session

    # --- athletes ------------------------------------------------------------------------------
    def add_athlete(
        self,
        name: str,
        *,
        height_m: float | None = None,
        sex: str | None = None,
        birth_date: dt.date | None = None,
        dominant_leg: str | None = None,
        notes: str = "",
    ) -> Athlete:
        name = clean_name(name)
        if height_m is not None and not 0.5 <= height_m <= 2.5:
            raise InputError(f"height must be in metres (0.5-2.5), got {height_m}")
        if dominant_leg is not None and dominant_leg not in LEGS:
            raise InputError(f"dominant leg must be left or right, got {dominant_leg!r}")
        if len(notes) > MAX_NOTES_CHARS:
            raise InputError(f"notes have at most {MAX_NOTES_CHARS} characters")
        row = AthleteRow(
            name=name,
            height_m=height_m,
            sex=(sex or None) and sex.strip()[:20],
            birth_date=birth_date,
            dominant_leg=dominant_leg,
            notes=notes,
            created_at=_now(),
        )
        try:
            with self._tx() as s:
                if s.scalar(select(func.count()).where(func.lower(AthleteRow.name) == name.lower())):
                    raise IntegrityError("athletes.name", None, ValueError(name))
                s.add(row)
                s.flush()
                athlete_id = row.id
        except IntegrityError:
            raise InputError(f"there is already an athlete called {name!r}") from None
        return self.athlete(athlete_id)

    def athletes(self) -> list[Athlete]:
        with self._view() as s:
            counts = (
                select(SessionRow.athlete_id, func.count(), func.max(SessionRow.recorded_on))
                .where(SessionRow.status == "done")
                .group_by(SessionRow.athlete_id)
            )
            stats = {a: (n, last) for a, n, last in s.execute(counts)}
            rows = s.scalars(select(AthleteRow).order_by(func.lower(AthleteRow.name))).all()
            return [_athlete(r, *stats.get(r.id, (0, None))) for r in rows]

    def athlete(self, athlete_id: int) -> Athlete:
        for athlete in self.athletes():
            if athlete.id == athlete_id:
                return athlete
        raise NotFound(f"no athlete with id {athlete_id}")

    def athlete_named(self, name: str) -> Athlete:
        wanted = " ".join(name.split()).lower()
        for athlete in self.athletes():
            if athlete.name.lower() == wanted:
                return athlete
        raise NotFound(f"no athlete called {name!r} (see `kneedrive athletes`)")

    def delete_athlete(self, athlete_id: int) -> None:
        """The athlete, their sessions and plans (refused while one of their analyses runs)."""
        self.athlete(athlete_id)
        with self._tx() as s:
            running = s.scalar(
                select(func.count()).where(SessionRow.athlete_id == athlete_id, SessionRow.status == "running")
            )
            if running:
                raise InputError("an analysis of this athlete is running: delete them when it is done")
            rows = s.scalars(select(SessionRow).where(SessionRow.athlete_id == athlete_id)).all()
            files = [self._files_of(r) for r in rows]
            s.execute(delete(PlanRow).where(PlanRow.athlete_id == athlete_id))
            s.execute(delete(SessionRow).where(SessionRow.athlete_id == athlete_id))
            s.execute(delete(AthleteRow).where(AthleteRow.id == athlete_id))
        for paths in files:
            _remove(paths)

    # --- sessions ------------------------------------------------------------------------------
    def queue_session(
        self,
        athlete_id: int,
        upload: Path,
        *,
        input_name: str,
        input_kind: str,
        suffix: str,
        options: AnalysisOptions,
        recorded_on: dt.date | None = None,
    ) -> StoredSession:
        """Queue the analysis of `upload` (a file the caller wrote in uploads_dir; moved to a generated name).
        The athlete's height is used when the options give no scale."""
        athlete = self.athlete(athlete_id)
        if options.athlete_height_m is None and options.px_per_m is None and athlete.height_m is not None:
            options = AnalysisOptions.from_dict(options.to_dict() | {"athlete_height_m": athlete.height_m})
        session_id = uuid.uuid4().hex
        stored = f"{session_id}{suffix}"
        self.location.uploads_dir.mkdir(parents=True, exist_ok=True)
        target = self.location.uploads_dir / stored
        digest = file_sha256(upload)
        upload.replace(target)
        try:
            with self._tx() as s:
                s.add(
                    SessionRow(
                        id=session_id,
                        athlete_id=athlete_id,
                        recorded_on=recorded_on or dt.date.today(),
                        created_at=_now(),
                        input_name=input_name[:255],
                        input_sha256=digest,
                        input_kind=input_kind,
                        stored_input=stored,
                        options_json=json.dumps(options.to_dict()),
                        status="queued",
                        outputs_json="[]",
                        progress_done=0,
                        progress_total=0,
                    )
                )
        except BaseException:
            target.unlink(missing_ok=True)
            raise
        return self.session(session_id)

    def store_analysis(
        self,
        record: AnalysisRecord,
        write_outputs: Any,
        *,
        athlete_id: int,
        input_path: Path,
        input_kind: str,
        options: AnalysisOptions,
        recorded_on: dt.date | None = None,
    ) -> StoredSession:
        """Store an analysis run elsewhere (the CLI): `write_outputs(folder)` writes its session folder and
        returns the paths; the row is committed once the folder is complete."""
        self.athlete(athlete_id)
        session_id = uuid.uuid4().hex
        partial = self.location.sessions_dir / f".{session_id}.part"
        final = self.session_dir(session_id)
        try:
            written: Sequence[Path] = write_outputs(partial)
            partial.replace(final)
            started = _now()
            with self._tx() as s:
                s.add(
                    SessionRow(
                        id=session_id,
                        athlete_id=athlete_id,
                        recorded_on=recorded_on or dt.date.today(),
                        created_at=started,
                        input_name=input_path.name[:255],
                        input_sha256=file_sha256(input_path),
                        input_kind=input_kind,
                        stored_input=None,
                        options_json=json.dumps(options.to_dict()),
                        status="queued",
                        outputs_json="[]",
                        progress_done=0,
                        progress_total=0,
                    )
                )
                s.flush()
                self._finish(s, session_id, record, [p.name for p in written], started)
        except BaseException:
            shutil.rmtree(partial, ignore_errors=True)
            shutil.rmtree(final, ignore_errors=True)
            raise
        return self.session(session_id)

    def claim_next(self) -> StoredSession | None:
        """The oldest queued session, now marked running (None when the queue is empty)."""
        with self._tx() as s:
            row = s.scalars(
                select(SessionRow)
                .where(SessionRow.status == "queued")
                .order_by(SessionRow.created_at)
                .limit(1)
                .with_for_update(skip_locked=True)  # a server database: two workers never take the same one
            ).first()
            if row is None:
                return None
            now = _now()
            row.status, row.started_at, row.phase_started_at = "running", now, now
            row.progress_phase, row.progress_done, row.progress_total = "starting", 0, 0
            session_id = row.id
        return self.session(session_id)

    def set_progress(self, session_id: str, phase: str, done: int, total: int) -> None:
        with self._tx() as s:
            row = s.get(SessionRow, session_id)
            if row is None or row.status != "running":
                return
            if row.progress_phase != phase:
                row.progress_phase, row.phase_started_at = phase[:40], _now()
            row.progress_done, row.progress_total = done, total

    def finish(self, session_id: str, record: AnalysisRecord, folder: Path, outputs: Sequence[str]) -> bool:
        """Mark a running session done with its record; `folder` (written beside the final one) is moved into
        place. False when the session was deleted meanwhile (the folder is then removed)."""
        final = self.session_dir(session_id)
        with self._tx() as s:
            row = s.get(SessionRow, session_id)
            if row is None:
                shutil.rmtree(folder, ignore_errors=True)
                return False
            shutil.rmtree(final, ignore_errors=True)
            folder.replace(final)
            self._finish(s, session_id, record, outputs, row.started_at or _now())
        return True

    def _finish(
        self, s: Session, session_id: str, record: AnalysisRecord, outputs: Sequence[str], started: dt.datetime
    ) -> None:
        row = s.get(SessionRow, session_id)
        assert row is not None
        row.status, row.error = "done", None
        row.activity, row.activity_label = record.drill.id, record.drill.label
        row.record_json = json.dumps(record.to_dict(include_series=False))
        row.series_json = None if record.series is None else json.dumps(record.series.to_dict())
        row.outputs_json = json.dumps(list(outputs))
        row.started_at, row.finished_at = started, _now()
        row.progress_phase = "done"

    def fail(self, session_id: str, error: str) -> None:
        with self._tx() as s:
            s.execute(
                update(SessionRow)
                .where(SessionRow.id == session_id)
                .values(status="failed", error=error[:2000], finished_at=_now(), progress_phase="failed")
            )

    def recover_interrupted(self) -> list[str]:
        """Sessions left running by a process that stopped: marked failed (their work is not half-stored)."""
        with self._tx() as s:
            ids = list(s.scalars(select(SessionRow.id).where(SessionRow.status == "running")))
            s.execute(
                update(SessionRow)
                .where(SessionRow.id.in_(ids))
                .values(
                    status="failed",
                    error="interrupted: the analysis stopped before it finished (server stopped); upload it again",
                    finished_at=_now(),
                    progress_phase="failed",
                )
            )
        return ids

    def sessions(self, *, athlete_id: int | None = None, status: Status | None = None) -> list[StoredSession]:
        """Sessions oldest first (by the day recorded, then when they were added)."""
        with self._view() as s:
            query = select(SessionRow, AthleteRow.name).join(AthleteRow, SessionRow.athlete_id == AthleteRow.id)
            if athlete_id is not None:
                query = query.where(SessionRow.athlete_id == athlete_id)
            if status is not None:
                query = query.where(SessionRow.status == status)
            query = query.order_by(SessionRow.recorded_on, SessionRow.created_at)
            return [_session(row, name) for row, name in s.execute(query)]

    def session(self, session_id: str) -> StoredSession:
        with self._view() as s:
            found = s.execute(
                select(SessionRow, AthleteRow.name)
                .join(AthleteRow, SessionRow.athlete_id == AthleteRow.id)
                .where(SessionRow.id == session_id)
            ).first()
        if found is None:
            raise NotFound(f"no session with id {session_id!r}")
        return _session(found[0], found[1])

    def queue_position(self, session_id: str) -> int | None:
        """1 for the next to run; None when not queued."""
        queued = sorted(self.sessions(status="queued"), key=lambda s: s.created_at)
        ids = [s.id for s in queued]
        return ids.index(session_id) + 1 if session_id in ids else None

    def record(self, session_id: str, *, with_series: bool = False) -> AnalysisRecord:
        """The typed record of a done session."""
        from ..record import AnalysisRecord

        with self._view() as s:
            row = s.get(SessionRow, session_id)
            if row is None:
                raise NotFound(f"no session with id {session_id!r}")
            if row.record_json is None:
                raise InputError(f"session {session_id} has no analysis ({row.status})")
            doc = json.loads(row.record_json)
            if with_series and row.series_json is not None:
                doc["series"] = json.loads(row.series_json)
        return AnalysisRecord.from_dict(doc)

    def records(self, sessions: Sequence[StoredSession]) -> list[AnalysisRecord]:
        return [self.record(s.id) for s in sessions]

    def delete_session(self, session_id: str) -> None:
        with self._tx() as s:
            row = s.get(SessionRow, session_id)
            if row is None:
                raise NotFound(f"no session with id {session_id!r}")
            if row.status == "running":
                raise InputError("this analysis is running: delete it when it is done")
            files = self._files_of(row)
            s.execute(update(PlanRow).where(PlanRow.session_id == session_id).values(session_id=None))
            s.delete(row)
        _remove(files)

    def session_dir(self, session_id: str) -> Path:
        return self.location.sessions_dir / session_id

    def input_path(self, session: StoredSession) -> Path:
        with self._view() as s:
            row = s.get(SessionRow, session.id)
            stored = None if row is None else row.stored_input
        if stored is None:
            raise InputError(f"session {session.id} keeps no copy of its input")
        return self.location.uploads_dir / stored

    def _files_of(self, row: SessionRow) -> list[Path]:
        paths = [self.session_dir(row.id)]
        if row.stored_input:
            paths.append(self.location.uploads_dir / row.stored_input)
        return paths

    # --- plans ---------------------------------------------------------------------------------
    def add_plan(self, athlete_id: int, goal: str, plan: dict[str, Any], *, session_id: str | None = None) -> int:
        with self._tx() as s:
            row = PlanRow(
                athlete_id=athlete_id, session_id=session_id, goal=goal, created_at=_now(), plan_json=json.dumps(plan)
            )
            s.add(row)
            s.flush()
            return row.id

    def plans(self, athlete_id: int) -> list[tuple[int, str | None, str, dict[str, Any]]]:
        """(plan id, session id, goal, the plan's JSON), newest first."""
        with self._view() as s:
            rows = s.scalars(
                select(PlanRow).where(PlanRow.athlete_id == athlete_id).order_by(PlanRow.created_at.desc())
            ).all()
            return [(r.id, r.session_id, r.goal, json.loads(r.plan_json)) for r in rows]


def _athlete(row: AthleteRow, sessions: int, last: dt.date | None) -> Athlete:
    return Athlete(
        id=row.id,
        name=row.name,
        height_m=row.height_m,
        sex=row.sex,
        birth_date=row.birth_date,
        dominant_leg=row.dominant_leg,
        notes=row.notes or "",
        sessions=int(sessions),
        last_session_on=last,
    )


def _progress(row: SessionRow) -> Progress:
    done, total = row.progress_done or 0, row.progress_total or 0
    rate = eta = None
    if row.status == "running" and row.phase_started_at is not None and done > 0:
        elapsed = (_now() - row.phase_started_at).total_seconds()
        if elapsed > 0:
            rate = done / elapsed
            eta = max(total - done, 0) / rate if total else None
    return Progress(phase=row.progress_phase, done=done, total=total, frames_per_s=rate, eta_s=eta)


def _session(row: SessionRow, athlete_name: str) -> StoredSession:
    status: Status = row.status  # type: ignore[assignment]
    return StoredSession(
        id=row.id,
        athlete_id=row.athlete_id,
        athlete_name=athlete_name,
        recorded_on=row.recorded_on,
        created_at=row.created_at,
        activity=row.activity,
        activity_label=row.activity_label,
        input_name=row.input_name,
        input_sha256=row.input_sha256,
        input_kind=row.input_kind,
        options=AnalysisOptions.from_dict(json.loads(row.options_json)),
        status=status,
        error=row.error,
        progress=_progress(row),
        outputs=tuple(json.loads(row.outputs_json or "[]")),
    )


def _remove(paths: Sequence[Path]) -> None:
    for path in paths:
        if path.is_dir():
            shutil.rmtree(path, ignore_errors=True)
        else:
            path.unlink(missing_ok=True)


def open_store(data_dir: Path | None = None, db_url: str | None = None) -> Store:
    """The store in `data_dir` / at `db_url` (see StoreLocation.resolve), migrated to the newest schema."""
    return Store(StoreLocation.resolve(data_dir, db_url))

"""Importing an archive into a store: all or nothing, duplicates skipped."""

from __future__ import annotations

import hashlib
import shutil
import uuid
import zipfile
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from sqlalchemy import select

from ...errors import InputError
from ..models import AthleteRow, PlanRow, SessionRow
from ..store import Store
from .check import ArchivedPlan, ArchivedSession, Contents, read_archive
from .format import CHUNK, MEMBER, ArchiveLimits, open_zip, refused, size_text


@dataclass(frozen=True)
class ImportPlan:
    """What importing an archive would do (and, after `import_store`, did)."""

    athletes_new: tuple[str, ...]
    athletes_merged: tuple[str, ...]  # already in the store: their sessions are added to them
    sessions_new: int
    sessions_skipped: int  # already in the store (same id, or same athlete, day, input and options)
    plans_new: int
    plans_skipped: int
    files: int
    bytes: int

    def to_dict(self) -> dict[str, Any]:
        return {
            "athletes_new": list(self.athletes_new),
            "athletes_merged": list(self.athletes_merged),
            "sessions_new": self.sessions_new,
            "sessions_skipped": self.sessions_skipped,
            "plans_new": self.plans_new,
            "plans_skipped": self.plans_skipped,
            "files": self.files,
            "bytes": self.bytes,
        }

    def sentence(self) -> str:
        athletes = len(self.athletes_new) + len(self.athletes_merged)
        merged = f" ({len(self.athletes_merged)} already in the store)" if self.athletes_merged else ""
        skipped = f", {self.sessions_skipped} skipped as already in the store" if self.sessions_skipped else ""
        return (
            f"{athletes} athletes{merged}, {self.sessions_new} new sessions{skipped}, {self.plans_new} plans, "
            f"{self.files} files ({size_text(self.bytes)})"
        )


def _plan_import(
    s: Any, contents: Contents
) -> tuple[ImportPlan, dict[int, int | None], list[ArchivedSession], list[ArchivedPlan]]:
    """What to add: archive athlete key -> stored athlete id (None: new), the sessions and plans to add."""
    existing = {name.lower(): i for i, name in s.execute(select(AthleteRow.id, AthleteRow.name))}
    athlete_map: dict[int, int | None] = {a.key: existing.get(a.name.lower()) for a in contents.athletes}
    ids = {sid for (sid,) in s.execute(select(SessionRow.id))}
    same = {
        (a, d, sha, o)
        for a, d, sha, o in s.execute(
            select(SessionRow.athlete_id, SessionRow.recorded_on, SessionRow.input_sha256, SessionRow.options_json)
        )
    }
    new_sessions = []
    skipped = 0
    for sess in contents.sessions:
        stored_athlete = athlete_map[sess.athlete]
        twin = (stored_athlete, sess.row["recorded_on"], sess.row["input_sha256"], sess.row["options_json"])
        if sess.id in ids or (stored_athlete is not None and twin in same):
            skipped += 1
        else:
            new_sessions.append(sess)
    given = {(a, g, c) for a, g, c in s.execute(select(PlanRow.athlete_id, PlanRow.goal, PlanRow.created_at))}
    new_plans = [p for p in contents.plans if (athlete_map[p.athlete], p.goal, p.created_at) not in given]
    members = [m for sess in new_sessions for m in _members_of(sess)]
    plan = ImportPlan(
        athletes_new=tuple(a.name for a in contents.athletes if athlete_map[a.key] is None),
        athletes_merged=tuple(a.name for a in contents.athletes if athlete_map[a.key] is not None),
        sessions_new=len(new_sessions),
        sessions_skipped=skipped,
        plans_new=len(new_plans),
        plans_skipped=len(contents.plans) - len(new_plans),
        files=len(members),
        bytes=sum(contents.sizes[m] for m in members),
    )
    return plan, athlete_map, new_sessions, new_plans


def _members_of(sess: ArchivedSession) -> list[str]:
    names = [f"sessions/{sess.id}/{n}" for n in sess.outputs]
    return [*names, sess.input_member] if sess.input_member else names


def preview_import(
    store: Store, path: Path, limits: ArchiveLimits | None = None, *, name: str | None = None
) -> ImportPlan:
    """What `import_store` would add and skip (the archive checked; nothing is written)."""
    contents = read_archive(path, limits, name=name)
    with store._view() as s:
        return _plan_import(s, contents)[0]


def import_store(
    store: Store, path: Path, limits: ArchiveLimits | None = None, *, name: str | None = None
) -> ImportPlan:
    """Add the archive's athletes, sessions, plans and files to the store, all or nothing; what was added.

    The files are copied out of the archive (and checked) before the write transaction, so that a long copy
    does not hold the store's write lock; the transaction then adds the rows and moves the files into place."""
    contents = read_archive(path, limits, name=name)
    where = name or str(path)
    with store._view() as s:
        expected, _, to_add, _ = _plan_import(s, contents)
    staged = [m for sess in to_add for m in _members_of(sess)]
    free = shutil.disk_usage(store.location.data_dir).free
    if expected.bytes > free:
        raise refused(where, f"it needs {size_text(expected.bytes)} and the disk has {size_text(free)} free")
    staging = store.location.data_dir / f".import-{uuid.uuid4().hex}"
    placed: list[Path] = []
    try:
        _extract(path, staged, contents, staging, where)
        with store._tx() as s:
            plan, athlete_map, sessions, plans = _plan_import(s, contents)  # again, under the write lock
            if not {m for sess in sessions for m in _members_of(sess)} <= set(staged):
                raise InputError("the store changed while importing: nothing imported, try again")
            for athlete in contents.athletes:
                if athlete_map[athlete.key] is None:
                    row = AthleteRow(
                        name=athlete.name,
                        height_m=athlete.height_m,
                        sex=athlete.sex,
                        birth_date=athlete.birth_date,
                        dominant_leg=athlete.dominant_leg,
                        notes=athlete.notes,
                        created_at=athlete.created_at,
                    )
                    s.add(row)
                    s.flush()
                    athlete_map[athlete.key] = row.id
            for sess in sessions:
                stored_input = None if sess.input_member is None else f"{sess.id}{Path(sess.input_member).suffix}"
                s.add(
                    SessionRow(id=sess.id, athlete_id=athlete_map[sess.athlete], stored_input=stored_input, **sess.row)
                )
            s.flush()
            present = {sid for (sid,) in s.execute(select(SessionRow.id))}
            for p in plans:
                s.add(
                    PlanRow(
                        athlete_id=athlete_map[p.athlete],
                        session_id=p.session_id if p.session_id in present else None,
                        goal=p.goal,
                        created_at=p.created_at,
                        plan_json=p.plan_json,
                    )
                )
            s.flush()
            _place(store, sessions, staging, placed)  # before the commit: a row never names a missing file
    except BaseException:
        for target in placed:
            if target.is_dir():
                shutil.rmtree(target, ignore_errors=True)
            else:
                target.unlink(missing_ok=True)
        raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return plan


def _extract(path: Path, names: Sequence[str], contents: Contents, staging: Path, where: str) -> None:
    """Copy the members into the staging folder, each checked against the manifest's size and SHA-256.
    The file names on disk are the validated member names (see MEMBER): nothing else reaches a path."""
    staging.mkdir(parents=True)
    with open_zip(path, where) as zf:
        for name in names:
            assert MEMBER.fullmatch(name)
            target = staging.joinpath(*name.split("/"))
            target.parent.mkdir(parents=True, exist_ok=True)
            expected = contents.sizes[name]
            digest = hashlib.sha256()
            size = 0
            try:
                with zf.open(name) as source, target.open("wb") as out:
                    while block := _read(source, min(CHUNK, expected - size + 1)):
                        size += len(block)
                        if size > expected:
                            break
                        digest.update(block)
                        out.write(block)
            except (zipfile.BadZipFile, RuntimeError, EOFError, zlib.error) as exc:
                raise refused(where, f"{name} is damaged ({exc})") from None
            if size != expected or digest.hexdigest() != contents.digests[name]:
                raise refused(where, f"{name} is damaged (its size or SHA-256 differs from the manifest's)")


def _read(source: IO[bytes], size: int) -> bytes:
    return source.read(size) if size > 0 else b""


def _place(store: Store, sessions: Sequence[ArchivedSession], staging: Path, placed: list[Path]) -> None:
    """Move the staged files to their places in the store (under the session ids), each path added to
    `placed` as soon as it is there (so that a failure half-way removes what was placed)."""
    store.location.sessions_dir.mkdir(parents=True, exist_ok=True)
    store.location.uploads_dir.mkdir(parents=True, exist_ok=True)
    for sess in sessions:
        final = store.session_dir(sess.id)
        source = staging / "sessions" / sess.id
        if final.exists():
            shutil.rmtree(final)  # an orphan folder of a session the store no longer names
        if source.is_dir():
            source.replace(final)
        else:
            final.mkdir()
        placed.append(final)
        if sess.input_member is not None:
            target = store.location.uploads_dir / f"{sess.id}{Path(sess.input_member).suffix}"
            staging.joinpath(*sess.input_member.split("/")).replace(target)
            placed.append(target)

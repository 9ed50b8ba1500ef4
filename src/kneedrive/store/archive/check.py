"""Reading an archive: every member and row checked before anything is written."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import stat
import zipfile
import zlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ...errors import InputError
from ..store import MAX_NOTES_CHARS, clean_name
from ..values import LEGS, AnalysisOptions
from .format import (
    CHUNK,
    DATA,
    FORMAT,
    ID_PATTERN,
    MANIFEST,
    MEMBER,
    OUTPUT_NAME,
    VERSION,
    ArchiveLimits,
    BadArchive,
    open_zip,
    refused,
    size_text,
)


@dataclass(frozen=True)
class ArchivedAthlete:
    key: int
    name: str
    height_m: float | None
    sex: str | None
    birth_date: dt.date | None
    dominant_leg: str | None
    notes: str
    created_at: dt.datetime


@dataclass(frozen=True)
class ArchivedSession:
    id: str
    athlete: int
    row: dict[str, Any]  # the SessionRow's columns (validated)
    outputs: tuple[str, ...]
    input_member: str | None


@dataclass(frozen=True)
class ArchivedPlan:
    athlete: int
    session_id: str | None
    goal: str
    created_at: dt.datetime
    plan_json: str


@dataclass(frozen=True)
class Contents:
    athletes: tuple[ArchivedAthlete, ...]
    sessions: tuple[ArchivedSession, ...]
    plans: tuple[ArchivedPlan, ...]
    sizes: Mapping[str, int] = field(default_factory=dict)
    digests: Mapping[str, str] = field(default_factory=dict)


def _read_json(zf: zipfile.ZipFile, info: zipfile.ZipInfo, limit: int, where: str, sha256: str | None = None) -> Any:
    """A JSON member (checked against the manifest's SHA-256 when given)."""
    if info.file_size > limit:
        raise refused(where, f"{info.filename} is {size_text(info.file_size)}, over the {size_text(limit)} limit")
    try:
        with zf.open(info) as f:
            raw = f.read(limit + 1)
    except (zipfile.BadZipFile, OSError, RuntimeError, EOFError, zlib.error) as exc:  # damaged, bad CRC, encrypted
        raise refused(where, f"{info.filename} cannot be read ({exc})") from None
    if sha256 is not None and hashlib.sha256(raw).hexdigest() != sha256:
        raise refused(where, f"{info.filename} is damaged (its SHA-256 differs from the manifest's)")
    try:
        return json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError):
        raise refused(where, f"{info.filename} is not valid JSON") from None


def _check_members(zf: zipfile.ZipFile, limits: ArchiveLimits, where: str) -> dict[str, zipfile.ZipInfo]:
    infos = zf.infolist()
    if len(infos) > limits.max_members:
        raise refused(where, f"{len(infos)} members, over the limit of {limits.max_members}")
    members: dict[str, zipfile.ZipInfo] = {}
    for info in infos:
        name = info.filename
        if info.is_dir():
            continue
        if name != MANIFEST and not MEMBER.fullmatch(name):
            raise refused(where, f"unexpected member {name[:80]!r} (only the store's own names are accepted)")
        if stat.S_ISLNK(info.external_attr >> 16):
            raise refused(where, f"{name} is a link")
        if info.flag_bits & 0x1:
            raise refused(where, f"{name} is encrypted")
        if name in members:
            raise refused(where, f"{name} appears twice")
        limit = limits.max_data_bytes if name in (MANIFEST, DATA) else limits.max_member_bytes
        if info.file_size > limit:
            raise refused(where, f"{name} is {size_text(info.file_size)}, over the {size_text(limit)} limit")
        if info.file_size > CHUNK and info.file_size > limits.max_ratio * max(info.compress_size, 1):
            raise refused(
                where, f"{name} is compressed {info.file_size / max(info.compress_size, 1):.0f}:1 (a zip bomb?)"
            )
        members[name] = info
    if MANIFEST not in members:
        raise refused(where, "no manifest.json (not a kneedrive store archive)")
    return members


def _check_manifest(doc: Any, members: Mapping[str, zipfile.ZipInfo], limits: ArchiveLimits, where: str) -> None:
    from ..database import known_revisions

    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        raise refused(where, "not a kneedrive store archive (manifest.json names another format)")
    version = doc.get("version")
    if not isinstance(version, int) or isinstance(version, bool):
        raise refused(where, "the manifest has no version")
    if version > VERSION:
        raise refused(where, f"archive version {version} is newer than this kneedrive reads ({VERSION}): update it")
    if version < 1:
        raise refused(where, f"unknown archive version {version}")
    revision = doc.get("store_revision")
    if revision not in known_revisions():
        raise refused(where, f"made by a newer kneedrive (store revision {str(revision)[:20]!r}): update kneedrive")
    listed = doc.get("files")
    if not isinstance(listed, list):
        raise refused(where, "the manifest lists no files")
    seen: set[str] = set()
    total = 0
    for entry in listed:
        if not isinstance(entry, dict):
            raise refused(where, "a file entry of the manifest is not an object")
        name, size, digest = entry.get("name"), entry.get("bytes"), entry.get("sha256")
        if not isinstance(name, str) or name not in members:
            raise refused(where, f"the manifest lists {str(name)[:80]!r}, which the archive does not hold")
        if not isinstance(size, int) or size != members[name].file_size:
            raise refused(where, f"{name}: its size differs from the manifest's")
        if not isinstance(digest, str) or not re.fullmatch(r"[0-9a-f]{64}", digest):
            raise refused(where, f"{name}: the manifest gives no SHA-256")
        seen.add(name)
        total += size
    unlisted = sorted(set(members) - seen - {MANIFEST})
    if unlisted:
        raise refused(where, f"{unlisted[0][:80]} is not in the manifest")
    if DATA not in seen:
        raise refused(where, "no store.json")
    if total > limits.max_total_bytes:
        raise refused(where, f"{size_text(total)} in all, over the {size_text(limits.max_total_bytes)} limit")


class _Fields:
    """Typed access to one row of store.json; any problem names the row."""

    def __init__(self, doc: Any, what: str, where: str) -> None:
        if not isinstance(doc, dict):
            raise refused(where, f"{what} is not an object")
        self.doc, self.what, self.where = doc, what, where

    def bad(self, key: str, why: str) -> BadArchive:
        return refused(self.where, f"{self.what}: {key} {why}")

    def text(self, key: str, max_chars: int, *, optional: bool = False) -> Any:
        value = self.doc.get(key)
        if value is None and optional:
            return None
        if not isinstance(value, str) or len(value) > max_chars:
            raise self.bad(key, f"must be text of at most {max_chars} characters")
        return value

    def number(self, key: str) -> float | None:
        value = self.doc.get(key)
        if value is None:
            return None
        if not isinstance(value, int | float) or isinstance(value, bool) or value != value:
            raise self.bad(key, "must be a number")
        return float(value)

    def key(self, key: str) -> int:
        value = self.doc.get(key)
        if not isinstance(value, int) or isinstance(value, bool):
            raise self.bad(key, "must be an integer id")
        return value

    def date(self, key: str, *, optional: bool = False) -> dt.date | None:
        raw = self.text(key, 10, optional=optional)
        try:
            return None if raw is None else dt.date.fromisoformat(raw)
        except ValueError:
            raise self.bad(key, "must be a date YYYY-MM-DD") from None

    def time(self, key: str, *, optional: bool = False) -> dt.datetime | None:
        raw = self.text(key, 40, optional=optional)
        try:
            value = None if raw is None else dt.datetime.fromisoformat(raw)
        except ValueError:
            raise self.bad(key, "must be a date and time (ISO 8601)") from None
        return None if value is None else value.replace(tzinfo=None)

    def object(self, key: str, *, optional: bool = False) -> Any:
        value = self.doc.get(key)
        if value is None and optional:
            return None
        if not isinstance(value, dict):
            raise self.bad(key, "must be an object")
        return value


def _athlete_of(doc: Any, where: str) -> ArchivedAthlete:
    f = _Fields(doc, f"athlete {str(doc.get('name') if isinstance(doc, dict) else '')[:40]!r}", where)
    try:
        name = clean_name(f.text("name", 500))
    except InputError as exc:
        raise f.bad("name", str(exc)) from None
    height = f.number("height_m")
    if height is not None and not 0.5 <= height <= 2.5:
        raise f.bad("height_m", "must be in metres (0.5-2.5)")
    leg = f.text("dominant_leg", 10, optional=True)
    if leg is not None and leg not in LEGS:
        raise f.bad("dominant_leg", "must be left or right")
    created = f.time("created_at")
    assert created is not None
    return ArchivedAthlete(
        key=f.key("id"),
        name=name,
        height_m=height,
        sex=f.text("sex", 20, optional=True),
        birth_date=f.date("birth_date", optional=True),
        dominant_leg=leg,
        notes=f.text("notes", MAX_NOTES_CHARS, optional=True) or "",
        created_at=created,
    )


def _session_of(doc: Any, members: Mapping[str, zipfile.ZipInfo], where: str) -> ArchivedSession:
    from ...record import AnalysisRecord, Series

    sid = doc.get("id") if isinstance(doc, dict) else None
    if not isinstance(sid, str) or not re.fullmatch(ID_PATTERN, sid):
        raise refused(where, f"a session id {str(sid)[:40]!r} is not 32 hexadecimal digits")
    f = _Fields(doc, f"session {sid}", where)
    status = f.text("status", 10)
    if status not in ("done", "failed"):
        raise f.bad("status", "must be done or failed (an unfinished analysis is not archived)")
    try:
        options = AnalysisOptions.from_dict(f.object("options"))
    except (InputError, TypeError) as exc:
        raise f.bad("options", f"are not analysis options ({exc})") from None
    record, series = f.object("record", optional=True), f.object("series", optional=True)
    if status == "done" and record is None:
        raise f.bad("record", "is missing (a done session has its analysis)")
    try:
        if record is not None:
            AnalysisRecord.from_dict(record)
        if series is not None:
            Series.from_dict(series)
    except (KeyError, TypeError, ValueError, AttributeError, IndexError) as exc:
        raise f.bad("record", f"is not a kneedrive analysis ({type(exc).__name__}: {str(exc)[:80]})") from None
    outputs = doc.get("outputs")
    if not isinstance(outputs, list) or not all(isinstance(n, str) and OUTPUT_NAME.fullmatch(n) for n in outputs):
        raise f.bad("outputs", "must be a list of plain file names")
    for name in outputs:
        if f"sessions/{sid}/{name}" not in members:
            raise f.bad("outputs", f"name {name}, which the archive does not hold")
    member = f.text("input", 60, optional=True)
    if member is not None and (not member.startswith(f"inputs/{sid}.") or member not in members):
        raise f.bad("input", "names no input file of this session in the archive")
    digest = f.text("input_sha256", 64)
    if not re.fullmatch(r"[0-9a-f]{64}", digest):
        raise f.bad("input_sha256", "must be a SHA-256 in hexadecimal")
    row = {
        "recorded_on": f.date("recorded_on"),
        "created_at": f.time("created_at"),
        "started_at": f.time("started_at", optional=True),
        "finished_at": f.time("finished_at", optional=True),
        "activity": f.text("activity", 40, optional=True),
        "activity_label": f.text("activity_label", 120, optional=True),
        "input_name": f.text("input_name", 255),
        "input_sha256": digest,
        "input_kind": f.text("input_kind", 20),
        "options_json": json.dumps(options.to_dict()),
        "status": status,
        "error": f.text("error", 2000, optional=True),
        "record_json": None if record is None else json.dumps(record),
        "series_json": None if series is None else json.dumps(series),
        "outputs_json": json.dumps(list(outputs)),
        "progress_phase": status,
        "progress_done": 0,
        "progress_total": 0,
    }
    return ArchivedSession(sid, f.key("athlete_id"), row, tuple(outputs), member)


def _plan_of(doc: Any, where: str) -> ArchivedPlan:
    f = _Fields(doc, "a plan", where)
    sid = f.text("session_id", 32, optional=True)
    if sid is not None and not re.fullmatch(ID_PATTERN, sid):
        raise f.bad("session_id", "is not a session id")
    created = f.time("created_at")
    assert created is not None
    return ArchivedPlan(f.key("athlete_id"), sid, f.text("goal", 40), created, json.dumps(f.object("plan")))


def read_archive(path: Path, limits: ArchiveLimits | None = None, *, name: str | None = None) -> Contents:
    """The archive's rows, every member and row checked (BadArchive otherwise; nothing is written). `name`:
    how errors name the file (default: its path)."""
    limits = limits or ArchiveLimits()
    where = name or str(path)
    with open_zip(path, where) as zf:
        members = _check_members(zf, limits, where)
        manifest = _read_json(zf, members[MANIFEST], limits.max_data_bytes, where)
        _check_manifest(manifest, members, limits, where)
        digest = next(e["sha256"] for e in manifest["files"] if e["name"] == DATA)
        data = _read_json(zf, members[DATA], limits.max_data_bytes, where, digest)
    if not isinstance(data, dict) or not all(isinstance(data.get(k), list) for k in ("athletes", "sessions", "plans")):
        raise refused(where, "store.json holds no athletes, sessions and plans")
    athletes = tuple(_athlete_of(d, where) for d in data["athletes"])
    keys = [a.key for a in athletes]
    names = [a.name.lower() for a in athletes]
    if len(set(keys)) != len(keys) or len(set(names)) != len(names):
        raise refused(where, "two athletes share an id or a name")
    sessions = tuple(_session_of(d, members, where) for d in data["sessions"])
    if len({s.id for s in sessions}) != len(sessions):
        raise refused(where, "two sessions share an id")
    plans = tuple(_plan_of(d, where) for d in data["plans"])
    known = set(keys)
    for s in sessions:
        if s.athlete not in known:
            raise refused(where, f"session {s.id} belongs to no athlete of the archive")
    for p in plans:
        if p.athlete not in known:
            raise refused(where, "a plan belongs to no athlete of the archive")
    listed = {e["name"]: e for e in manifest["files"]}
    return Contents(
        athletes,
        sessions,
        plans,
        sizes={n: int(e["bytes"]) for n, e in listed.items()},
        digests={n: str(e["sha256"]) for n, e in listed.items()},
    )

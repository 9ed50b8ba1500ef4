"""The whole store as one file (a backup, or moving to another laptop): a zip archive with a manifest.

    manifest.json              {"format": "kneedrive-store", "version": 1, "store_revision", "files": [...]}
    store.json                 the athletes, the sessions (each with its record and series) and the plans
    sessions/<id>/<name>       each session's outputs (report.html, analysis.json, annotated.mp4, ...)
    inputs/<id>.<ext>          the uploaded video or keypoint file, where the store kept one

`export_store` writes it atomically (a temporary file beside the target, renamed when complete). Done and
failed sessions are exported; an analysis still queued or running is not (it has no result yet).

`import_store` refuses a bad archive whole, with one line, before anything is stored: not a zip, another
format or a newer version, a member that the manifest does not list or whose size or SHA-256 differs, a
path that is not one of the names above (no `..`, no absolute path, no link ever reaches the file system:
files are written under names built from validated ids), a member over the size limits or compressed beyond
any real file (a zip bomb), more than the disk holds, rows that do not validate. The rows go in in one
transaction and the files are moved into place before it commits (removed again if it does not), so an
import is all or nothing.

Duplicates are skipped, never overwritten: an athlete with the same name (case-insensitive) is the same
athlete (the sessions are added to them, the stored athlete's details are kept); a session with the same id,
or with the same athlete, day, input file (SHA-256) and options as a stored one, is skipped; so is a plan
already given (same athlete, goal and time). Importing the same archive twice adds nothing the second time.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import re
import shutil
import stat
import tempfile
import uuid
import zipfile
import zlib
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from sqlalchemy import select

from .. import __version__
from ..errors import InputError
from ..io.atomic import default_file_mode
from .models import AthleteRow, PlanRow, SessionRow
from .store import MAX_NOTES_CHARS, Store, clean_name
from .values import LEGS, AnalysisOptions

FORMAT = "kneedrive-store"
VERSION = 1
MANIFEST = "manifest.json"
DATA = "store.json"
INPUT_SUFFIXES = (".mp4", ".mov", ".avi", ".mkv", ".csv", ".trc")
_ID = r"[0-9a-f]{32}"
_OUTPUT_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,99}")
_MEMBER = re.compile(
    rf"store\.json|sessions/{_ID}/[A-Za-z0-9][A-Za-z0-9._-]{{0,99}}|inputs/{_ID}\.(?:mp4|mov|avi|mkv|csv|trc)"
)
#: Already-compressed outputs are stored as they are; the rest (JSON, CSV, HTML) deflated.
_STORED_SUFFIXES = {".mp4", ".mov", ".avi", ".mkv", ".png", ".jpg", ".jpeg", ".webm"}
CHUNK = 1 << 20


@dataclass(frozen=True)
class ArchiveLimits:
    """What an archive may hold. A real file compresses at most about 20:1 (JSON series); a member above
    `max_ratio` is a zip bomb, not a backup."""

    max_member_bytes: int = 8_000_000_000
    max_total_bytes: int = 200_000_000_000
    max_data_bytes: int = 1_000_000_000
    max_members: int = 200_000
    max_ratio: float = 200.0


@dataclass(frozen=True)
class ExportSummary:
    path: Path
    athletes: int
    sessions: int
    plans: int
    files: int
    bytes: int
    left_out: int  # sessions still queued or running

    def sentence(self) -> str:
        left = f"; {self.left_out} analyses still queued or running left out" if self.left_out else ""
        return (
            f"{self.athletes} athletes, {self.sessions} sessions, {self.plans} plans, {self.files} files "
            f"({_size(self.bytes)}){left}"
        )


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
            f"{self.files} files ({_size(self.bytes)})"
        )


def _size(n: float) -> str:
    for unit, scale in (("GB", 1e9), ("MB", 1e6), ("kB", 1e3)):
        if n >= scale:
            return f"{n / scale:.3g} {unit}"
    return f"{n:.0f} bytes"


def _iso(value: dt.date | dt.datetime | None) -> str | None:
    return None if value is None else value.isoformat()


# --- export -------------------------------------------------------------------------------------------


def export_store(store: Store, path: Path) -> ExportSummary:
    """Write the store (done and failed sessions, with their files) to the zip archive `path`, atomically."""
    path = Path(path)
    if path.is_dir():
        raise IsADirectoryError(21, "is a folder, not a file", str(path))
    with store._view() as s:  # one read transaction: a consistent set of rows
        athletes = list(s.scalars(select(AthleteRow).order_by(AthleteRow.id)))
        rows = list(s.scalars(select(SessionRow).order_by(SessionRow.recorded_on, SessionRow.created_at)))
        plans = list(s.scalars(select(PlanRow).order_by(PlanRow.id)))
    kept = [r for r in rows if r.status in ("done", "failed")]
    files: list[tuple[str, Path]] = []
    sessions = []
    for row in kept:
        folder = store.session_dir(row.id)
        outputs = [n for n in json.loads(row.outputs_json or "[]") if (folder / n).is_file()]
        files += [(f"sessions/{row.id}/{n}", folder / n) for n in outputs]
        member = None
        if row.stored_input and (store.location.uploads_dir / row.stored_input).is_file():
            suffix = Path(row.stored_input).suffix.lower()
            if suffix in INPUT_SUFFIXES:
                member = f"inputs/{row.id}{suffix}"
                files.append((member, store.location.uploads_dir / row.stored_input))
        sessions.append(_session_doc(row, outputs, member))
    exported = {r.id for r in kept}
    data = {
        "athletes": [_athlete_doc(a) for a in athletes],
        "sessions": sessions,
        "plans": [_plan_doc(p, exported) for p in plans],
    }
    data_bytes = json.dumps(data, separators=(",", ":")).encode()
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
    total = len(data_bytes)
    try:
        with os.fdopen(fd, "wb") as handle:
            with zipfile.ZipFile(handle, "w", compression=zipfile.ZIP_DEFLATED, allowZip64=True) as zf:
                listed = [{"name": DATA, "bytes": len(data_bytes), "sha256": hashlib.sha256(data_bytes).hexdigest()}]
                copied: list[tuple[str, Path, int, str]] = []
                for name, source in files:
                    size, digest = _size_and_sha256(source)
                    listed.append({"name": name, "bytes": size, "sha256": digest})
                    copied.append((name, source, size, digest))
                    total += size
                manifest = {
                    "format": FORMAT,
                    "version": VERSION,
                    "store_revision": _head(),
                    "kneedrive": __version__,
                    "created_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
                    "counts": {"athletes": len(athletes), "sessions": len(sessions), "plans": len(plans)},
                    "files": listed,
                }
                zf.writestr(MANIFEST, json.dumps(manifest, indent=1))
                zf.writestr(DATA, data_bytes)
                for name, source, _size, _digest in copied:
                    kind = zipfile.ZIP_STORED if source.suffix.lower() in _STORED_SUFFIXES else zipfile.ZIP_DEFLATED
                    zf.write(source, name, compress_type=kind)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, default_file_mode())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return ExportSummary(path, len(athletes), len(sessions), len(plans), len(files), total, len(rows) - len(kept))


def _size_and_sha256(path: Path) -> tuple[int, str]:
    digest = hashlib.sha256()
    size = 0
    with path.open("rb") as f:
        while block := f.read(CHUNK):
            digest.update(block)
            size += len(block)
    return size, digest.hexdigest()


def _head() -> str:
    from .database import head_revision

    return head_revision()


def _athlete_doc(row: AthleteRow) -> dict[str, Any]:
    return {
        "id": row.id,
        "name": row.name,
        "height_m": row.height_m,
        "sex": row.sex,
        "birth_date": _iso(row.birth_date),
        "dominant_leg": row.dominant_leg,
        "notes": row.notes or "",
        "created_at": _iso(row.created_at),
    }


def _session_doc(row: SessionRow, outputs: Sequence[str], input_member: str | None) -> dict[str, Any]:
    return {
        "id": row.id,
        "athlete_id": row.athlete_id,
        "recorded_on": _iso(row.recorded_on),
        "created_at": _iso(row.created_at),
        "started_at": _iso(row.started_at),
        "finished_at": _iso(row.finished_at),
        "activity": row.activity,
        "activity_label": row.activity_label,
        "input_name": row.input_name,
        "input_sha256": row.input_sha256,
        "input_kind": row.input_kind,
        "input": input_member,
        "options": json.loads(row.options_json),
        "status": row.status,
        "error": row.error,
        "record": None if row.record_json is None else json.loads(row.record_json),
        "series": None if row.series_json is None else json.loads(row.series_json),
        "outputs": list(outputs),
    }


def _plan_doc(row: PlanRow, exported: set[str]) -> dict[str, Any]:
    return {
        "athlete_id": row.athlete_id,
        "session_id": row.session_id if row.session_id in exported else None,
        "goal": row.goal,
        "created_at": _iso(row.created_at),
        "plan": json.loads(row.plan_json),
    }


# --- reading and checking an archive -------------------------------------------------------------------


class BadArchive(InputError):
    """The file is not a kneedrive store archive this version can import (nothing was stored)."""


@dataclass(frozen=True)
class _Athlete:
    key: int
    name: str
    height_m: float | None
    sex: str | None
    birth_date: dt.date | None
    dominant_leg: str | None
    notes: str
    created_at: dt.datetime


@dataclass(frozen=True)
class _Session:
    id: str
    athlete: int
    row: dict[str, Any]  # the SessionRow's columns (validated)
    outputs: tuple[str, ...]
    input_member: str | None


@dataclass(frozen=True)
class _Plan:
    athlete: int
    session_id: str | None
    goal: str
    created_at: dt.datetime
    plan_json: str


@dataclass(frozen=True)
class _Contents:
    athletes: tuple[_Athlete, ...]
    sessions: tuple[_Session, ...]
    plans: tuple[_Plan, ...]
    sizes: Mapping[str, int] = field(default_factory=dict)
    digests: Mapping[str, str] = field(default_factory=dict)


@contextmanager
def _open_zip(path: Path, where: str) -> Iterator[zipfile.ZipFile]:
    try:
        with zipfile.ZipFile(path) as zf:
            yield zf
    except FileNotFoundError:
        raise InputError(f"{where}: no such file") from None
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError) as exc:
        raise BadArchive(f"{where}: not a kneedrive store archive (not a readable zip: {exc})") from None
    except NotImplementedError as exc:
        raise BadArchive(f"{where}: not a kneedrive store archive ({exc})") from None


def _fail(where: str, why: str) -> BadArchive:
    return BadArchive(f"{where}: refused, nothing imported: {why}")


def _read_json(zf: zipfile.ZipFile, info: zipfile.ZipInfo, limit: int, where: str, sha256: str | None = None) -> Any:
    """A JSON member (checked against the manifest's SHA-256 when given)."""
    if info.file_size > limit:
        raise _fail(where, f"{info.filename} is {_size(info.file_size)}, over the {_size(limit)} limit")
    try:
        with zf.open(info) as f:
            raw = f.read(limit + 1)
    except (zipfile.BadZipFile, OSError, RuntimeError, EOFError, zlib.error) as exc:  # damaged, bad CRC, encrypted
        raise _fail(where, f"{info.filename} cannot be read ({exc})") from None
    if sha256 is not None and hashlib.sha256(raw).hexdigest() != sha256:
        raise _fail(where, f"{info.filename} is damaged (its SHA-256 differs from the manifest's)")
    try:
        return json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError):
        raise _fail(where, f"{info.filename} is not valid JSON") from None


def _check_members(zf: zipfile.ZipFile, limits: ArchiveLimits, where: str) -> dict[str, zipfile.ZipInfo]:
    infos = zf.infolist()
    if len(infos) > limits.max_members:
        raise _fail(where, f"{len(infos)} members, over the limit of {limits.max_members}")
    members: dict[str, zipfile.ZipInfo] = {}
    for info in infos:
        name = info.filename
        if info.is_dir():
            continue
        if name != MANIFEST and not _MEMBER.fullmatch(name):
            raise _fail(where, f"unexpected member {name[:80]!r} (only the store's own names are accepted)")
        if stat.S_ISLNK(info.external_attr >> 16):
            raise _fail(where, f"{name} is a link")
        if info.flag_bits & 0x1:
            raise _fail(where, f"{name} is encrypted")
        if name in members:
            raise _fail(where, f"{name} appears twice")
        limit = limits.max_data_bytes if name in (MANIFEST, DATA) else limits.max_member_bytes
        if info.file_size > limit:
            raise _fail(where, f"{name} is {_size(info.file_size)}, over the {_size(limit)} limit")
        if info.file_size > CHUNK and info.file_size > limits.max_ratio * max(info.compress_size, 1):
            raise _fail(
                where, f"{name} is compressed {info.file_size / max(info.compress_size, 1):.0f}:1 (a zip bomb?)"
            )
        members[name] = info
    if MANIFEST not in members:
        raise _fail(where, "no manifest.json (not a kneedrive store archive)")
    return members


def _check_manifest(doc: Any, members: Mapping[str, zipfile.ZipInfo], limits: ArchiveLimits, where: str) -> None:
    from .database import known_revisions

    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        raise _fail(where, "not a kneedrive store archive (manifest.json names another format)")
    version = doc.get("version")
    if not isinstance(version, int) or isinstance(version, bool):
        raise _fail(where, "the manifest has no version")
    if version > VERSION:
        raise _fail(where, f"archive version {version} is newer than this kneedrive reads ({VERSION}): update it")
    if version < 1:
        raise _fail(where, f"unknown archive version {version}")
    revision = doc.get("store_revision")
    if revision not in known_revisions():
        raise _fail(where, f"made by a newer kneedrive (store revision {str(revision)[:20]!r}): update kneedrive")
    listed = doc.get("files")
    if not isinstance(listed, list):
        raise _fail(where, "the manifest lists no files")
    seen: set[str] = set()
    total = 0
    for entry in listed:
        if not isinstance(entry, dict):
            raise _fail(where, "a file entry of the manifest is not an object")
        name, size, digest = entry.get("name"), entry.get("bytes"), entry.get("sha256")
        if not isinstance(name, str) or name not in members:
            raise _fail(where, f"the manifest lists {str(name)[:80]!r}, which the archive does not hold")
        if not isinstance(size, int) or size != members[name].file_size:
            raise _fail(where, f"{name}: its size differs from the manifest's")
        if not isinstance(digest, str) or not re.fullmatch(r"[0-9a-f]{64}", digest):
            raise _fail(where, f"{name}: the manifest gives no SHA-256")
        seen.add(name)
        total += size
    unlisted = sorted(set(members) - seen - {MANIFEST})
    if unlisted:
        raise _fail(where, f"{unlisted[0][:80]} is not in the manifest")
    if DATA not in seen:
        raise _fail(where, "no store.json")
    if total > limits.max_total_bytes:
        raise _fail(where, f"{_size(total)} in all, over the {_size(limits.max_total_bytes)} limit")


class _Fields:
    """Typed access to one row of store.json; any problem names the row."""

    def __init__(self, doc: Any, what: str, where: str) -> None:
        if not isinstance(doc, dict):
            raise _fail(where, f"{what} is not an object")
        self.doc, self.what, self.where = doc, what, where

    def bad(self, key: str, why: str) -> BadArchive:
        return _fail(self.where, f"{self.what}: {key} {why}")

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


def _athlete_of(doc: Any, where: str) -> _Athlete:
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
    return _Athlete(
        key=f.key("id"),
        name=name,
        height_m=height,
        sex=f.text("sex", 20, optional=True),
        birth_date=f.date("birth_date", optional=True),
        dominant_leg=leg,
        notes=f.text("notes", MAX_NOTES_CHARS, optional=True) or "",
        created_at=created,
    )


def _session_of(doc: Any, members: Mapping[str, zipfile.ZipInfo], where: str) -> _Session:
    from ..record import AnalysisRecord, Series

    sid = doc.get("id") if isinstance(doc, dict) else None
    if not isinstance(sid, str) or not re.fullmatch(_ID, sid):
        raise _fail(where, f"a session id {str(sid)[:40]!r} is not 32 hexadecimal digits")
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
    if not isinstance(outputs, list) or not all(isinstance(n, str) and _OUTPUT_NAME.fullmatch(n) for n in outputs):
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
    return _Session(sid, f.key("athlete_id"), row, tuple(outputs), member)


def _plan_of(doc: Any, where: str) -> _Plan:
    f = _Fields(doc, "a plan", where)
    sid = f.text("session_id", 32, optional=True)
    if sid is not None and not re.fullmatch(_ID, sid):
        raise f.bad("session_id", "is not a session id")
    created = f.time("created_at")
    assert created is not None
    return _Plan(f.key("athlete_id"), sid, f.text("goal", 40), created, json.dumps(f.object("plan")))


def read_archive(path: Path, limits: ArchiveLimits | None = None, *, name: str | None = None) -> _Contents:
    """The archive's rows, every member and row checked (BadArchive otherwise; nothing is written). `name`:
    how errors name the file (default: its path)."""
    limits = limits or ArchiveLimits()
    where = name or str(path)
    with _open_zip(path, where) as zf:
        members = _check_members(zf, limits, where)
        manifest = _read_json(zf, members[MANIFEST], limits.max_data_bytes, where)
        _check_manifest(manifest, members, limits, where)
        digest = next(e["sha256"] for e in manifest["files"] if e["name"] == DATA)
        data = _read_json(zf, members[DATA], limits.max_data_bytes, where, digest)
    if not isinstance(data, dict) or not all(isinstance(data.get(k), list) for k in ("athletes", "sessions", "plans")):
        raise _fail(where, "store.json holds no athletes, sessions and plans")
    athletes = tuple(_athlete_of(d, where) for d in data["athletes"])
    keys = [a.key for a in athletes]
    names = [a.name.lower() for a in athletes]
    if len(set(keys)) != len(keys) or len(set(names)) != len(names):
        raise _fail(where, "two athletes share an id or a name")
    sessions = tuple(_session_of(d, members, where) for d in data["sessions"])
    if len({s.id for s in sessions}) != len(sessions):
        raise _fail(where, "two sessions share an id")
    plans = tuple(_plan_of(d, where) for d in data["plans"])
    known = set(keys)
    for s in sessions:
        if s.athlete not in known:
            raise _fail(where, f"session {s.id} belongs to no athlete of the archive")
    for p in plans:
        if p.athlete not in known:
            raise _fail(where, "a plan belongs to no athlete of the archive")
    listed = {e["name"]: e for e in manifest["files"]}
    return _Contents(
        athletes,
        sessions,
        plans,
        sizes={n: int(e["bytes"]) for n, e in listed.items()},
        digests={n: str(e["sha256"]) for n, e in listed.items()},
    )


# --- importing -----------------------------------------------------------------------------------------


def _plan_import(s: Any, contents: _Contents) -> tuple[ImportPlan, dict[int, int | None], list[_Session], list[_Plan]]:
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


def _members_of(sess: _Session) -> list[str]:
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
        raise _fail(where, f"it needs {_size(expected.bytes)} and the disk has {_size(free)} free")
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


def _extract(path: Path, names: Sequence[str], contents: _Contents, staging: Path, where: str) -> None:
    """Copy the members into the staging folder, each checked against the manifest's size and SHA-256.
    The file names on disk are the validated member names (see _MEMBER): nothing else reaches a path."""
    staging.mkdir(parents=True)
    with _open_zip(path, where) as zf:
        for name in names:
            assert _MEMBER.fullmatch(name)
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
                raise _fail(where, f"{name} is damaged ({exc})") from None
            if size != expected or digest.hexdigest() != contents.digests[name]:
                raise _fail(where, f"{name} is damaged (its size or SHA-256 differs from the manifest's)")


def _read(source: IO[bytes], size: int) -> bytes:
    return source.read(size) if size > 0 else b""


def _place(store: Store, sessions: Sequence[_Session], staging: Path, placed: list[Path]) -> None:
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

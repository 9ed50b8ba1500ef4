"""Writing the archive (see kneedrive.store.archive for its layout)."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import tempfile
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import select

from ... import __version__
from ...io.atomic import default_file_mode
from ..models import AthleteRow, PlanRow, SessionRow
from ..store import Store
from .format import CHUNK, DATA, FORMAT, INPUT_SUFFIXES, MANIFEST, STORED_SUFFIXES, VERSION, iso, size_text


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
            f"({size_text(self.bytes)}){left}"
        )


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
                    kind = zipfile.ZIP_STORED if source.suffix.lower() in STORED_SUFFIXES else zipfile.ZIP_DEFLATED
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
    from ..database import head_revision

    return head_revision()


def _athlete_doc(row: AthleteRow) -> dict[str, Any]:
    return {
        "id": row.id,
        "name": row.name,
        "height_m": row.height_m,
        "sex": row.sex,
        "birth_date": iso(row.birth_date),
        "dominant_leg": row.dominant_leg,
        "notes": row.notes or "",
        "created_at": iso(row.created_at),
    }


def _session_doc(row: SessionRow, outputs: Sequence[str], input_member: str | None) -> dict[str, Any]:
    return {
        "id": row.id,
        "athlete_id": row.athlete_id,
        "recorded_on": iso(row.recorded_on),
        "created_at": iso(row.created_at),
        "started_at": iso(row.started_at),
        "finished_at": iso(row.finished_at),
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
        "created_at": iso(row.created_at),
        "plan": json.loads(row.plan_json),
    }

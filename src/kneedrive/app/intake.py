"""What comes in from a request: ids from the address, the analysis options of an upload form, and the upload
itself (received, checked by content, queued). Shared by the pages and the JSON API."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

from fastapi import Request

from ..errors import InputError
from ..store import AnalysisOptions, NotFound, Store
from .config import AppConfig
from .uploads import Readable, receive, sniff
from .worker import Worker

SESSION_ID = re.compile(r"[0-9a-f]{32}")


def store_of(request: Request) -> Store:
    store: Store = request.app.state.store
    return store


def session_id(raw: str) -> str:
    if not SESSION_ID.fullmatch(raw):
        raise NotFound(f"no session with id {raw[:40]!r}")
    return raw


def athlete_id(raw: str) -> int:
    if not raw.isdigit() or len(raw) > 12:
        raise NotFound(f"no athlete with id {raw[:40]!r}")
    return int(raw)


def _number(form: dict[str, Any], name: str, label: str, kind: type = float) -> Any:
    raw = str(form.get(name) or "").strip()
    if not raw:
        return None
    try:
        value = kind(raw)
    except ValueError:
        raise InputError(f"{label} must be a number, got {raw[:20]!r}") from None
    return value


def options_from_form(form: dict[str, Any]) -> tuple[AnalysisOptions, dt.date | None]:
    """The analysis options of an upload form (or the API's multipart fields), and the day it was filmed."""
    from ..drills.analyze import check_drill_id

    drill = str(form.get("drill") or "auto").strip()
    check_drill_id(drill)
    recorded = str(form.get("recorded_on") or "").strip()
    try:
        recorded_on = dt.date.fromisoformat(recorded) if recorded else None
    except ValueError:
        raise InputError(f"recorded_on must be YYYY-MM-DD, got {recorded[:20]!r}") from None
    options = AnalysisOptions(
        drill=drill,
        athlete_height_m=_number(form, "height_m", "height"),
        capture_fps=_number(form, "capture_fps", "capture fps"),
        person=_number(form, "person", "person", int),
        fps_hz=_number(form, "fps", "fps"),
        treadmill_speed_mps=_number(form, "treadmill_speed_mps", "treadmill speed"),
    )
    return options, recorded_on


async def queue_upload(request: Request, form: Any, athlete_key: str) -> str:
    """Receive the form's `file` for `athlete_id`, check it, queue its analysis; the session id. Nothing is
    stored when anything is wrong."""
    store = store_of(request)
    config: AppConfig = request.app.state.config
    athlete = store.athlete(athlete_id(athlete_key))
    options, recorded_on = options_from_form(dict(form))
    upload = form.get("file")
    if upload is None or isinstance(upload, str) or not hasattr(upload, "read"):
        raise InputError("no file in the upload (field 'file')")
    file: Readable = upload
    path = await receive(file, store.location.uploads_dir, config.max_upload_bytes)
    try:
        kind = sniff(path)
        name = Path(str(getattr(upload, "filename", "") or "upload").replace("\\", "/")).name or "upload"
        session = store.queue_session(
            athlete.id,
            path,
            input_name=name,
            input_kind=kind.input_kind,
            suffix=kind.suffix,
            options=options,
            recorded_on=recorded_on,
        )
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    worker: Worker | None = request.app.state.worker
    if worker is not None:
        worker.wake()
    return session.id

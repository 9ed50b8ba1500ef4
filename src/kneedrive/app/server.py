"""The web app: `create_app(config)` builds the FastAPI application (pages, the /api/ JSON API, local static
files) over one store, with the worker that runs the queue."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from importlib import resources
from pathlib import Path
from typing import Any

import jinja2
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from ..errors import InputError, KneedriveError
from ..store import AnalysisOptions, NotFound, Store
from ..store.store import MAX_NAME_CHARS
from .config import AppConfig
from .guard import Guard, error_response_body
from .uploads import NotAnInput, Readable, TooLarge, receive, sniff
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


def _status_of(exc: Exception) -> int:
    status = getattr(exc, "status", None)
    if isinstance(status, int):
        return status
    if isinstance(exc, NotFound):
        return 404
    if isinstance(exc, TooLarge):
        return 413
    if isinstance(exc, NotAnInput):
        return 415
    return 400


def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("kneedrive.app", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    return env


def create_app(config: AppConfig, store: Store | None = None) -> FastAPI:
    store = store or Store(config.location)
    worker = Worker(store) if config.run_worker else None

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        if worker is not None:
            worker.start()
        try:
            yield
        finally:
            if worker is not None:
                worker.stop()

    app = FastAPI(title="kneedrive", lifespan=lifespan, docs_url=None, redoc_url=None, openapi_url="/api/openapi.json")
    app.state.config = config
    app.state.store = store
    app.state.worker = worker
    app.state.templates = _environment()
    app.state.max_name_chars = MAX_NAME_CHARS

    async def error(request: Request, status: int, message: str) -> Response:
        content_type, body = error_response_body(request.url.path, status, message)
        return Response(body, status_code=status, media_type=content_type.decode().split(";")[0])

    @app.exception_handler(KneedriveError)
    async def _kneedrive_error(request: Request, exc: KneedriveError) -> Response:
        return await error(request, _status_of(exc), str(exc))

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> Response:
        problems = "; ".join(f"{'.'.join(str(p) for p in e['loc'][1:])}: {e['msg']}" for e in exc.errors())
        return await error(request, 422, problems or "invalid request")

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, exc: StarletteHTTPException) -> Response:
        message = f"nothing here: {request.url.path[:80]}" if exc.status_code == 404 else str(exc.detail)
        return await error(request, exc.status_code, message)

    from .api import router as api_router
    from .pages import router as pages_router

    app.include_router(api_router)
    app.include_router(pages_router)
    static = resources.files("kneedrive.app").joinpath("static")
    app.mount("/static", StaticFiles(directory=str(static)), name="static")
    app.add_middleware(Guard, config=config)
    return app

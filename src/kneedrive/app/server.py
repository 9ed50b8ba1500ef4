"""The web app: `create_app(config)` builds the FastAPI application (pages, the /api/ JSON API, local static
files) over one store, with the worker that runs the queue."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from importlib import resources

import jinja2
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from ..drills.table import drill_table
from ..errors import KneedriveError
from ..store import NotFound, Store
from ..store.store import MAX_NAME_CHARS
from .config import AppConfig
from .guard import Guard, error_response_body
from .uploads import NotAnInput, TooLarge
from .worker import Worker


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
    env.filters["activity_name"] = _activity_name
    return env


def _activity_name(activity: str) -> str:
    """The drill table's name of an activity id ("Sprint / run", "Walk"); an id the table lacks as it is."""
    names = drill_table().names
    return names[activity] if activity in names else activity.replace("_", " ")


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
    from .backup import router as backup_router
    from .pages import router as pages_router

    app.include_router(api_router)
    app.include_router(pages_router)
    app.include_router(backup_router)
    static = resources.files("kneedrive.app").joinpath("static")
    app.mount("/static", StaticFiles(directory=str(static)), name="static")
    app.add_middleware(Guard, config=config)
    return app

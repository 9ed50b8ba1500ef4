"""The whole store as one file from the browser: download a backup (kneedrive.store.archive), and import one
in two steps: the archive is uploaded and checked, a page says what it would add, merge and skip, and only a
second, confirmed form imports it (or cancels and removes the upload)."""

from __future__ import annotations

import datetime as dt
import time
import uuid
from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response
from starlette.background import BackgroundTask

from ..store import NotFound
from ..store.archive import export_store, import_store, preview_import
from .config import AppConfig
from .intake import SESSION_ID, store_of
from .pages import _check_csrf, _render
from .uploads import receive

router = APIRouter()

#: An uploaded archive nobody confirmed or cancelled is removed after this long.
STALE_IMPORT_S = 24 * 3600


def _imports_dir(request: Request) -> Path:
    return store_of(request).location.data_dir / "imports"


def _staged(request: Request, token: str) -> Path:
    if not SESSION_ID.fullmatch(token):  # a generated name only: nothing from the request reaches a path
        raise NotFound("no such import (it was done or cancelled already)")
    path = _imports_dir(request) / f"{token}.zip"
    if not path.is_file():
        raise NotFound("no such import (it was done or cancelled already)")
    return path


def _remove_stale(folder: Path) -> None:
    for old in folder.glob("*.zip"):
        if time.time() - old.stat().st_mtime > STALE_IMPORT_S:
            old.unlink(missing_ok=True)


@router.get("/store", response_class=HTMLResponse)
def store_page(request: Request) -> HTMLResponse:
    store = store_of(request)
    config: AppConfig = request.app.state.config
    return _render(
        request,
        "store.html.j2",
        athletes=len(store.athletes()),
        sessions=len(store.sessions(status="done")) + len(store.sessions(status="failed")),
        max_import_gb=config.max_import_bytes / 1e9,
    )


@router.get("/store/export.zip")
def export(request: Request) -> Response:
    store = store_of(request)
    folder = store.location.data_dir / "exports"
    _remove_stale(folder)  # left by a server stopped while sending
    path = folder / f"{uuid.uuid4().hex}.zip"
    export_store(store, path)
    return FileResponse(
        path,
        media_type="application/zip",
        filename=f"kneedrive-store-{dt.date.today().isoformat()}.zip",
        background=BackgroundTask(path.unlink, missing_ok=True),
    )


@router.post("/store/import", response_class=HTMLResponse)
async def upload_archive(request: Request) -> HTMLResponse:
    config: AppConfig = request.app.state.config
    folder = _imports_dir(request)
    form = await request.form(max_files=1, max_fields=5)
    try:
        _check_csrf(request, form)
        upload = form.get("file")
        if upload is None or isinstance(upload, str):
            raise NotFound("no file in the upload (field 'file')")
        received = await receive(upload, folder, config.max_import_bytes)
        name = Path(str(upload.filename or "archive.zip").replace("\\", "/")).name[:120] or "archive.zip"
    finally:
        await form.close()
    _remove_stale(folder)
    token = uuid.uuid4().hex
    staged = received.rename(folder / f"{token}.zip")
    try:
        plan = preview_import(store_of(request), staged, name=name)
    except BaseException:
        staged.unlink(missing_ok=True)
        raise
    return _render(request, "import.html.j2", plan=plan, name=name, token=token, done=False)


@router.post("/store/import/{token}", response_class=HTMLResponse)
async def confirm_import(request: Request, token: str) -> HTMLResponse:
    _check_csrf(request, await request.form())
    staged = _staged(request, token)
    try:
        plan = import_store(store_of(request), staged, name="the uploaded archive")
    finally:
        staged.unlink(missing_ok=True)
    return _render(request, "import.html.j2", plan=plan, name="", token="", done=True)


@router.post("/store/import/{token}/cancel")
async def cancel_import(request: Request, token: str) -> Response:
    _check_csrf(request, await request.form())
    _staged(request, token).unlink(missing_ok=True)
    return RedirectResponse("/store", status_code=303)

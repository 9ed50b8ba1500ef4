"""The whole store as one file from the browser: download a backup (kneedrive.store.archive), and import one
in two steps: the archive is uploaded and checked, a page says what it would add, merge and skip, and only a
second, confirmed form imports it (or cancels and removes the upload)."""

from __future__ import annotations

import datetime as dt
import time
import uuid
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response
from starlette.background import BackgroundTask
from starlette.concurrency import run_in_threadpool

from ..errors import InputError
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
@router.get("/api/store/export")
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


async def _receive_archive(request: Request, *, csrf: bool) -> tuple[Path, str]:
    """The uploaded archive (field `file`) under a generated name in the imports folder, and its name."""
    config: AppConfig = request.app.state.config
    folder = _imports_dir(request)
    form = await request.form(max_files=1, max_fields=5)
    try:
        if csrf:
            _check_csrf(request, form)
        upload = form.get("file")
        if upload is None or isinstance(upload, str):
            raise InputError("no file in the upload (field 'file')")
        received = await receive(upload, folder, config.max_import_bytes)
        name = Path(str(upload.filename or "archive.zip").replace("\\", "/")).name[:120] or "archive.zip"
    finally:
        await form.close()
    _remove_stale(folder)
    return received.rename(folder / f"{uuid.uuid4().hex}.zip"), name


@router.post("/store/import", response_class=HTMLResponse)
async def upload_archive(request: Request) -> HTMLResponse:
    staged, name = await _receive_archive(request, csrf=True)
    try:
        plan = await run_in_threadpool(preview_import, store_of(request), staged, name=name)
    except BaseException:
        staged.unlink(missing_ok=True)
        raise
    return _render(request, "import.html.j2", plan=plan, name=name, token=staged.stem, done=False)


@router.post("/api/store/import")
async def api_import(request: Request, dry_run: bool = False) -> dict[str, Any]:
    """multipart `file`: the archive imported at once (or, with ?dry_run=true, only checked); what it added."""
    staged, name = await _receive_archive(request, csrf=False)
    try:
        run = preview_import if dry_run else import_store
        plan = await run_in_threadpool(run, store_of(request), staged, name=name)
    finally:
        staged.unlink(missing_ok=True)
    return {"dry_run": dry_run} | plan.to_dict()


@router.post("/store/import/{token}", response_class=HTMLResponse)
async def confirm_import(request: Request, token: str) -> HTMLResponse:
    _check_csrf(request, await request.form())
    staged = _staged(request, token)
    try:
        plan = await run_in_threadpool(import_store, store_of(request), staged, name="the uploaded archive")
    finally:
        staged.unlink(missing_ok=True)
    return _render(request, "import.html.j2", plan=plan, name="", token="", done=True)


@router.post("/store/import/{token}/cancel")
async def cancel_import(request: Request, token: str) -> Response:
    _check_csrf(request, await request.form())
    _staged(request, token).unlink(missing_ok=True)
    return RedirectResponse("/store", status_code=303)

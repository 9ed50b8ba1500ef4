"""The JSON API under /api/ (what the pages' scripts and a coach's own scripts use; see the README)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse

from ..errors import InputError
from ..store.progress import athlete_progress, key_figures
from .intake import athlete_id, queue_upload, session_id, store_of

router = APIRouter(prefix="/api")


@router.get("/athletes")
def list_athletes(request: Request) -> list[dict[str, Any]]:
    return [a.to_dict() for a in store_of(request).athletes()]


@router.post("/athletes", status_code=201)
async def add_athlete(request: Request) -> dict[str, Any]:
    try:
        doc = await request.json()
    except ValueError:
        raise InputError('send the athlete as a JSON object: {"name": ..., "height_m": ...}') from None
    if not isinstance(doc, dict) or not isinstance(doc.get("name"), str):
        raise InputError("an athlete needs a name (JSON object with a string 'name')")
    height = doc.get("height_m")
    if height is not None and not isinstance(height, int | float):
        raise InputError("height_m must be a number (metres)")
    birth = doc.get("birth_date")
    try:
        birth_date = None if not birth else dt.date.fromisoformat(str(birth))
    except ValueError:
        raise InputError("birth_date must be YYYY-MM-DD") from None
    athlete = store_of(request).add_athlete(
        doc["name"],
        height_m=None if height is None else float(height),
        sex=None if doc.get("sex") is None else str(doc["sex"]),
        birth_date=birth_date,
        dominant_leg=doc.get("dominant_leg") or None,
        notes=str(doc.get("notes") or ""),
    )
    return athlete.to_dict()


@router.get("/athletes/{athlete}")
def get_athlete(request: Request, athlete: str) -> dict[str, Any]:
    store = store_of(request)
    found = store.athlete(athlete_id(athlete))
    return found.to_dict() | {"sessions": [s.to_dict() for s in store.sessions(athlete_id=found.id)]}


@router.delete("/athletes/{athlete}")
def delete_athlete(request: Request, athlete: str) -> dict[str, Any]:
    store_of(request).delete_athlete(athlete_id(athlete))
    return {"deleted": int(athlete)}


@router.get("/athletes/{athlete}/progress")
def get_progress(request: Request, athlete: str) -> dict[str, Any]:
    store = store_of(request)
    found = store.athlete(athlete_id(athlete))
    done = store.sessions(athlete_id=found.id, status="done")
    progress = athlete_progress(list(zip(done, store.records(done), strict=True)))
    return {"athlete_id": found.id} | progress.to_dict()


@router.get("/sessions")
def list_sessions(request: Request, athlete: str | None = Query(None, alias="athlete_id")) -> list[dict[str, Any]]:
    store = store_of(request)
    chosen = None if athlete is None else athlete_id(athlete)
    return [s.to_dict() for s in store.sessions(athlete_id=chosen)]


@router.post("/sessions", status_code=202)
async def post_session(request: Request) -> JSONResponse:
    form = await request.form(max_files=1, max_fields=20)
    try:
        new_id = await queue_upload(request, form, str(form.get("athlete_id") or ""))
    finally:
        await form.close()
    session = store_of(request).session(new_id)
    body = session.to_dict() | {
        "url": f"/sessions/{new_id}",
        "queue_position": store_of(request).queue_position(new_id),
    }
    return JSONResponse(body, status_code=202, headers={"Location": f"/api/sessions/{new_id}"})


@router.get("/sessions/{session}")
def get_session(request: Request, session: str) -> dict[str, Any]:
    store = store_of(request)
    found = store.session(session_id(session))
    doc = found.to_dict() | {"queue_position": store.queue_position(found.id), "summary": None, "faults": []}
    if found.status == "done":
        record = store.record(found.id)
        doc["summary"] = key_figures(record)
        doc["faults"] = [{"id": f.id, "title": f.title, "severity": f.severity} for f in record.coaching.faults]
        doc["files"] = {name: f"/sessions/{found.id}/files/{name}" for name in found.outputs}
    return doc


@router.delete("/sessions/{session}")
def delete_session(request: Request, session: str) -> dict[str, Any]:
    store_of(request).delete_session(session_id(session))
    return {"deleted": session}

"""The app's pages (server-rendered with jinja2, all text escaped): athletes, an athlete with progress plots,
upload and queue, a session with its report, video and downloads, comparing two sessions, deleting."""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response

from ..errors import InputError
from ..metrics.registry import registry
from ..store.progress import athlete_progress, followed, value_of
from .charts import progress_chart
from .intake import athlete_id, queue_upload, session_id, store_of

router = APIRouter()

MEDIA_TYPES = {
    ".html": "text/html",
    ".json": "application/json",
    ".csv": "text/csv",
    ".trc": "text/plain",
    ".mp4": "video/mp4",
    ".ics": "text/calendar",
    ".png": "image/png",
}


class Forbidden(InputError):
    """A form posted without this browser's CSRF token."""

    status = 403


def _check_csrf(request: Request, form: Any) -> None:
    cookie = str(request.state.csrf_cookie or "")
    given = str(form.get("csrf") or "")
    if not cookie or not given or not secrets.compare_digest(cookie, given):
        raise Forbidden("the form is out of date or came from another site: reload the page and send it again")


def _render(request: Request, template: str, status: int = 200, **context: Any) -> HTMLResponse:
    page = request.app.state.templates.get_template(template)
    html = page.render(
        csrf=request.state.csrf, max_upload_mb=request.app.state.config.max_upload_bytes / 1e6, **context
    )
    return HTMLResponse(html, status_code=status)


def _drills() -> list[tuple[str, str]]:
    from ..drills.table import drill_table

    return [("auto", "Recognize it")] + [(d.id, d.name) for d in drill_table().drills]


@router.get("/", response_class=HTMLResponse)
def athletes_page(request: Request) -> HTMLResponse:
    store = store_of(request)
    queue = store.sessions(status="running") + store.sessions(status="queued")
    return _render(request, "athletes.html.j2", athletes=store.athletes(), queue=queue)


@router.post("/athletes")
async def add_athlete(request: Request) -> Response:
    form = await request.form()
    _check_csrf(request, form)
    height = str(form.get("height_m") or "").strip()
    birth = str(form.get("birth_date") or "").strip()
    try:
        height_m = float(height) if height else None
        birth_date = dt.date.fromisoformat(birth) if birth else None
    except ValueError:
        raise InputError("height must be a number of metres and the date of birth YYYY-MM-DD") from None
    athlete = store_of(request).add_athlete(
        str(form.get("name") or ""),
        height_m=height_m,
        sex=str(form.get("sex") or "") or None,
        birth_date=birth_date,
        dominant_leg=str(form.get("dominant_leg") or "") or None,
        notes=str(form.get("notes") or ""),
    )
    return RedirectResponse(f"/athletes/{athlete.id}", status_code=303)


@router.get("/athletes/{athlete}", response_class=HTMLResponse)
def athlete_page(request: Request, athlete: str) -> HTMLResponse:
    store = store_of(request)
    found = store.athlete(athlete_id(athlete))
    sessions = store.sessions(athlete_id=found.id)
    done = [s for s in sessions if s.status == "done"]
    progress = athlete_progress(list(zip(done, store.records(done), strict=True)))
    charts = [(series, progress_chart(series)) for series in progress.series]
    return _render(
        request,
        "athlete.html.j2",
        athlete=found,
        sessions=list(reversed(sessions)),
        latest=done[-1] if done else None,
        charts=charts,
        timelines=progress.faults,
        drills=_drills(),
        registry=registry(),
    )


@router.post("/athletes/{athlete}/upload")
async def upload(request: Request, athlete: str) -> Response:
    form = await request.form(max_files=1, max_fields=20)
    try:
        _check_csrf(request, form)
        new_id = await queue_upload(request, form, athlete)
    finally:
        await form.close()
    return RedirectResponse(f"/sessions/{new_id}", status_code=303)


@router.get("/athletes/{athlete}/delete", response_class=HTMLResponse)
def confirm_delete_athlete(request: Request, athlete: str) -> HTMLResponse:
    store = store_of(request)
    found = store.athlete(athlete_id(athlete))
    what = f"the athlete {found.name} and their {len(store.sessions(athlete_id=found.id))} sessions"
    return _render(
        request, "confirm.html.j2", what=what, action=f"/athletes/{found.id}/delete", back=f"/athletes/{found.id}"
    )


@router.post("/athletes/{athlete}/delete")
async def delete_athlete(request: Request, athlete: str) -> Response:
    _check_csrf(request, await request.form())
    store_of(request).delete_athlete(athlete_id(athlete))
    return RedirectResponse("/", status_code=303)


@router.get("/sessions/{session}", response_class=HTMLResponse)
def session_page(request: Request, session: str) -> HTMLResponse:
    store = store_of(request)
    found = store.session(session_id(session))
    record = store.record(found.id) if found.status == "done" else None
    plans = [p for p in store.plans(found.athlete_id) if p[1] == found.id]
    return _render(
        request,
        "session.html.j2",
        session=found,
        record=record,
        queue_position=store.queue_position(found.id),
        has_plan=bool(plans),
    )


@router.get("/sessions/{session}/files/{name}")
def session_file(request: Request, session: str, name: str) -> Response:
    store = store_of(request)
    found = store.session(session_id(session))
    if name not in found.outputs:  # only the files the analysis wrote: no name from the request reaches a path
        raise _missing(name)
    path = store.session_dir(found.id) / found.outputs[found.outputs.index(name)]
    suffix = path.suffix.lower()
    download = suffix not in (".html", ".mp4", ".png")
    stem = found.input_name.rsplit(".", 1)[0][:60] or "session"
    return FileResponse(
        path,
        media_type=MEDIA_TYPES.get(suffix, "application/octet-stream"),
        filename=f"{stem}-{name}" if download else None,
    )


def _missing(name: str) -> InputError:
    from ..store import NotFound

    return NotFound(f"this session has no file {name[:60]!r}")


@router.post("/sessions/{session}/plan")
async def make_plan(request: Request, session: str) -> Response:
    """A 6-week plan aimed at the session's faults, given to the athlete (kept in the store)."""
    from ..coaching.assess import rank_limiting_factors
    from ..coaching.calendar import plan_start_date, plan_to_ics
    from ..coaching.plan import build_plan

    form = await request.form()
    _check_csrf(request, form)
    store = store_of(request)
    found = store.session(session_id(session))
    record = store.record(found.id)
    goal = str(form.get("goal") or "sprint_speed")
    plan = build_plan(
        goal,
        weeks=6,
        days_per_week=3,
        limiting_factors=rank_limiting_factors(None, [f.to_dict() for f in record.coaching.faults]),
        start_date=plan_start_date(None),
    )
    ics = plan_to_ics(plan)
    store.add_plan(found.athlete_id, goal, {"plan": plan.to_dict(), "ics": ics.decode()}, session_id=found.id)
    return RedirectResponse(f"/sessions/{found.id}#downloads", status_code=303)


@router.get("/sessions/{session}/plan.ics")
def plan_ics(request: Request, session: str) -> Response:
    store = store_of(request)
    found = store.session(session_id(session))
    plans = [p for p in store.plans(found.athlete_id) if p[1] == found.id]
    if not plans:
        raise _missing("plan.ics")
    return Response(
        plans[0][3]["ics"],
        media_type="text/calendar",
        headers={"Content-Disposition": 'attachment; filename="kneedrive-plan.ics"'},
    )


@router.get("/sessions/{session}/delete", response_class=HTMLResponse)
def confirm_delete_session(request: Request, session: str) -> HTMLResponse:
    found = store_of(request).session(session_id(session))
    what = f"the session of {found.recorded_on.isoformat()} ({found.input_name}) of {found.athlete_name}"
    return _render(
        request, "confirm.html.j2", what=what, action=f"/sessions/{found.id}/delete", back=f"/sessions/{found.id}"
    )


@router.post("/sessions/{session}/delete")
async def delete_session(request: Request, session: str) -> Response:
    _check_csrf(request, await request.form())
    store = store_of(request)
    found = store.session(session_id(session))
    store.delete_session(found.id)
    return RedirectResponse(f"/athletes/{found.athlete_id}", status_code=303)


@router.get("/compare", response_class=HTMLResponse)
def compare_page(request: Request, a: str = "", b: str = "") -> HTMLResponse:
    store = store_of(request)
    first, second = store.session(session_id(a)), store.session(session_id(b))
    records = [store.record(first.id), store.record(second.id)]
    activity = records[0].drill.id
    rows = []
    for row in followed(activity):
        values = [value_of(r, row) if r.drill.id == activity else None for r in records]
        if all(v is None for v in values):
            continue
        metric = row.metric
        change = None
        if values[0] is not None and values[1] is not None:
            change = metric.shown(values[1] - values[0])
        rows.append(
            {
                "label": metric.label_in("rep") if row.take == "reps" else metric.label,
                "unit": metric.display,
                "shown": [metric.shown(v) for v in values],
                "change": change,
                "better": metric.better,
            }
        )
    faults = [{f.id: f for f in r.coaching.faults} for r in records]
    fault_rows = [
        {
            "title": (faults[0].get(i) or faults[1][i]).title,
            "severities": [f[i].severity if i in f else None for f in faults],
        }
        for i in dict.fromkeys([*faults[0], *faults[1]])
    ]
    return _render(
        request,
        "compare.html.j2",
        sessions=[first, second],
        records=records,
        rows=rows,
        fault_rows=fault_rows,
        same_activity=records[0].drill.id == records[1].drill.id,
    )

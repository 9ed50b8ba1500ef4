"""A plan as an iCalendar file (RFC 5545, via the `icalendar` package): one all-day event per day."""

from __future__ import annotations

import datetime as dt

import icalendar

from .plan import Plan

ROLE_TITLES = {
    "sprint": "sprints",
    "drive_through": "drive-through",
    "drills": "drills",
    "hip_flexor_strength": "hip-flexor strength",
    "strength": "strength",
    "core": "core",
    "plyometric": "plyometrics",
    "finisher": "HIIT finisher",
}


def plan_to_ics(plan: Plan, *, created: dt.datetime | None = None) -> bytes:
    """Calendar bytes; the plan must have dates (built with a start date)."""
    stamp = created or dt.datetime.now(dt.UTC)
    cal = icalendar.Calendar()
    cal.add("prodid", "-//kneedrive//training plan//EN")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", f"kneedrive {plan.goal.replace('_', ' ')} plan")
    for day in plan.days:
        if day.date is None:
            raise ValueError("plan has no dates: build it with a start date")
        roles = [title for role, title in ROLE_TITLES.items() if role in day.roles()]
        summary = f"W{day.week}: " + (", ".join(roles) if roles else "mobility")
        lines = [f"{i.name}: {i.describe()}" for i in day.items]
        event = icalendar.Event()
        event.add("uid", f"{plan.goal}-{day.date.isoformat()}@kneedrive")
        event.add("dtstamp", stamp)
        event.add("dtstart", day.date)
        event.add("dtend", day.date + dt.timedelta(days=1))
        event.add("summary", f"kneedrive {summary}")
        event.add("description", "\n".join(lines))
        event.add("transp", "TRANSPARENT")
        cal.add_component(event)
    data: bytes = cal.to_ical()
    return data

"""A plan as an iCalendar file (RFC 5545, via the `icalendar` package): one all-day event per day."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from ..errors import InputError

if TYPE_CHECKING:
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


def next_monday(today: dt.date) -> dt.date:
    """Day 1 of a plan by default: the Monday after `today` (a week on when today is a Monday)."""
    return today + dt.timedelta(days=(7 - today.weekday()) % 7 or 7)


def plan_start_date(text: str | None, *, today: dt.date | None = None) -> dt.date:
    """A plan's first day from YYYY-MM-DD, or the next Monday when not given."""
    if text is None:
        return next_monday(today or dt.date.today())
    try:
        day = dt.date.fromisoformat(text)
    except ValueError:
        raise InputError(f"--start-date must be YYYY-MM-DD, got {text!r}") from None
    if not LATEST_START >= day >= EARLIEST_START:
        raise InputError(
            f"--start-date {text} is outside {EARLIEST_START.isoformat()} to {LATEST_START.isoformat()} "
            "(a plan for people alive now)"
        )
    return day


#: A plan's first day must leave room for its weeks inside the calendar (9999-12-31 + 6 weeks overflows).
EARLIEST_START = dt.date(1900, 1, 1)
LATEST_START = dt.date(9000, 12, 31)


def plan_to_ics(plan: Plan, *, created: dt.datetime | None = None) -> bytes:
    """Calendar bytes; the plan must have dates (built with a start date)."""
    import icalendar  # only when a calendar is written

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

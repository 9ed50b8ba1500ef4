"""Progress over sessions: the figures coaches follow, one series per figure and activity, with the target
band from the references (coaching/data/references.toml, which take theirs from criteria.toml), and the
faults over time (which appeared, which went away). Pure: stored sessions and their records in, values out.
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any, Literal

from ..drills.table import drill_spec
from ..metrics.registry import Metric, registry
from ..record import AnalysisRecord
from .values import StoredSession

Take = Literal["summary", "weaker_side", "asymmetry", "reps"]


@dataclass(frozen=True)
class Followed:
    """A figure followed over sessions: the metric (a registry row) and how one value per session is taken."""

    metric: Metric
    take: Take


#: Sprints and runs: knee drive, contact time, cadence, speed, step length, the foot at the top (the weaker
#: side speaks), trunk lean, and the left/right differences. Names checked against the registry on load.
RUNNING: tuple[tuple[str, Take], ...] = (
    ("thigh_angle_peak_deg", "summary"),
    ("contact_time_s", "summary"),
    ("cadence_spm", "summary"),
    ("speed_mps", "summary"),
    ("step_length_m", "summary"),
    ("ankle_dorsiflexion_knee_lift_deg", "weaker_side"),
    ("trunk_lean_touchdown_deg", "summary"),
    ("contact_time_pct", "asymmetry"),
    ("step_length_pct", "asymmetry"),
    ("thigh_angle_peak_pct", "asymmetry"),
)
#: Drills: these rep figures (the median over the session's reps), where the drill measures them.
DRILL: tuple[str, ...] = (
    "thigh_angle_peak_deg",
    "cadence_spm",
    "ankle_dorsiflexion_top_deg",
    "foot_under_knee_shanks",
    "heel_recovery_height_legs",
    "trunk_lean_deg",
    "rate_decay_pct",
    "hold_time_s",
)
SCOPE_OF_TAKE = {"summary": "summary", "weaker_side": "side", "asymmetry": "asymmetry", "reps": "rep"}


@cache
def followed(activity: str) -> tuple[Followed, ...]:
    reg = registry()
    if drill_spec(activity).gait:  # a run or a walk: its step figures
        rows = [Followed(reg.check(n, SCOPE_OF_TAKE[t], "store.progress"), t) for n, t in RUNNING]  # type: ignore[arg-type]
        return tuple(rows)
    return tuple(Followed(reg.check(n, "rep", "store.progress"), "reps") for n in DRILL)


def value_of(record: AnalysisRecord, row: Followed) -> float | None:
    """One session's value of a followed figure (stored units), None where not measured."""
    name = row.metric.name
    if row.take == "summary":
        value = getattr(record.summary, name, None)
    elif row.take == "weaker_side":
        sides = [record.sides.get(s, {}).get(name) for s in ("left", "right")]
        measured = [v for v in sides if v is not None]
        better_low = row.metric.better == "lower"
        value = (max(measured) if better_low else min(measured)) if measured else None
    elif row.take == "asymmetry":
        raw = record.asymmetry_pct.get(name)
        value = None if raw is None else abs(raw)
    else:
        reps = [getattr(r, name, None) for r in record.drill.reps]
        measured = [float(v) for v in reps if v is not None]
        value = statistics.median(measured) if measured else None
    return None if value is None else float(value)


@dataclass(frozen=True)
class Band:
    low: float | None
    high: float | None
    label: str


def band_for(activity: str, row: Followed) -> Band | None:
    """The target band of a followed figure for this activity (stored units), from the references."""
    from ..coaching.library import with_titles
    from ..coaching.references import load_references

    refs = load_references()
    scope = "side" if row.take == "weaker_side" else "rep" if row.take == "reps" else "summary"
    if row.take == "asymmetry":
        return Band(None, refs.asymmetry.tolerance_pct, with_titles(refs.asymmetry.source))
    for ref in refs.for_drill(activity):
        if ref.metric.name == row.metric.name and ref.scope == scope and (ref.low is not None or ref.high is not None):
            return Band(ref.low, ref.high, with_titles(f"{ref.word}: {ref.source}"))
    return None


@dataclass(frozen=True)
class Point:
    session_id: str
    recorded_on: dt.date
    value: float  # stored units (x metric.factor to show)


@dataclass(frozen=True)
class ProgressSeries:
    activity: str
    metric: Metric
    take: Take
    band: Band | None
    points: tuple[Point, ...]

    def to_dict(self) -> dict[str, Any]:
        m = self.metric
        f = m.factor
        return {
            "activity": self.activity,
            "metric": m.name,
            "label": m.label_in("rep") if self.take == "reps" else m.label,
            "unit": m.display,
            "better": m.better,
            "take": self.take,
            "target": None
            if self.band is None
            else {
                "min": None if self.band.low is None else self.band.low * f,
                "max": None if self.band.high is None else self.band.high * f,
                "source": self.band.label,
            },
            "points": [
                {"session_id": p.session_id, "date": p.recorded_on.isoformat(), "value": p.value * f}
                for p in self.points
            ],
        }


@dataclass(frozen=True)
class FaultRow:
    fault: str
    title: str
    severities: tuple[str | None, ...]  # one per session of the timeline, None = not seen

    @property
    def trend(self) -> str:
        """ "new" (only in the latest session), "gone" (seen before, not in the latest), "still" or "once"."""
        seen = [s is not None for s in self.severities]
        if seen[-1]:
            return "new" if not any(seen[:-1]) and len(seen) > 1 else "still"
        return "gone"


@dataclass(frozen=True)
class FaultTimeline:
    activity: str
    sessions: tuple[tuple[str, dt.date], ...]
    rows: tuple[FaultRow, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "activity": self.activity,
            "sessions": [{"session_id": i, "date": d.isoformat()} for i, d in self.sessions],
            "faults": [
                {"fault": r.fault, "title": r.title, "trend": r.trend, "severities": list(r.severities)}
                for r in self.rows
            ],
        }


@dataclass(frozen=True)
class AthleteProgress:
    series: tuple[ProgressSeries, ...]
    faults: tuple[FaultTimeline, ...]

    def to_dict(self) -> dict[str, Any]:
        return {"series": [s.to_dict() for s in self.series], "faults": [f.to_dict() for f in self.faults]}


def athlete_progress(done: Sequence[tuple[StoredSession, AnalysisRecord]]) -> AthleteProgress:
    """The progress series and fault timelines of an athlete's done sessions (oldest first), per activity;
    the sprint/run first, then drills in the order first practised."""
    activities: list[str] = []
    for _, record in done:
        if record.drill.id not in activities:
            activities.append(record.drill.id)
    activities.sort(key=lambda a: a != "sprint")
    series: list[ProgressSeries] = []
    timelines: list[FaultTimeline] = []
    for activity in activities:
        mine = [(s, r) for s, r in done if r.drill.id == activity]
        for row in followed(activity):
            points = []
            for session, record in mine:
                value = value_of(record, row)
                if value is not None:
                    points.append(Point(session.id, session.recorded_on, value))
            if points:
                series.append(ProgressSeries(activity, row.metric, row.take, band_for(activity, row), tuple(points)))
        timelines.append(_faults(activity, mine))
    return AthleteProgress(tuple(series), tuple(timelines))


def _faults(activity: str, mine: Sequence[tuple[StoredSession, AnalysisRecord]]) -> FaultTimeline:
    titles: dict[str, str] = {}
    for _, record in mine:
        for fault in record.coaching.faults:
            titles.setdefault(fault.id, fault.title)
    rows = []
    for fault_id, title in titles.items():
        severities = []
        for _, record in mine:
            found = [f.severity for f in record.coaching.faults if f.id == fault_id]
            severities.append(found[0] if found else None)
        rows.append(FaultRow(fault_id, title, tuple(severities)))
    return FaultTimeline(activity, tuple((s.id, s.recorded_on) for s, _ in mine), tuple(rows))


def key_figures(record: AnalysisRecord) -> dict[str, float | None]:
    """The followed figures of one session in display units (what `kneedrive history` prints)."""
    return {
        row.metric.name: None if (v := value_of(record, row)) is None else v * row.metric.factor
        for row in followed(record.drill.id)
    }

"""Coaching criteria (data/criteria.toml): a metric, its target band, severity bands, cue and drills."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

from ..drills.catalogue import DRILL_IDS
from ..drills.table import drill_table
from ..metrics.registry import Scope, registry
from .data_files import CoachingDataError, load_validated
from .library import load_library

SEVERITIES = ("minor", "moderate", "major")
#: The drill ids shared with the analysis engine's `drill.id`.
ANALYSIS_DRILL_IDS = DRILL_IDS


#: What a condition does when its figure is unknown: rule the criterion out, or let it be judged.
IF_UNKNOWN = ("skip", "judge")


@dataclass(frozen=True)
class Condition:
    """`field` ("summary.x" or "input.x") must lie in [min, max] for the criterion to be judged. Without the
    figure the criterion is not judged, unless `if_unknown` is "judge" (a condition that only rules clips
    out when the figure says so: an acceleration, when too few steps say whether the clip is one)."""

    field: str
    min: float | None = None
    max: float | None = None
    if_unknown: str = "skip"

    def __post_init__(self) -> None:
        if self.if_unknown not in IF_UNKNOWN:
            raise ValueError(
                f"{self.field}: if_unknown must be one of {', '.join(IF_UNKNOWN)}, not {self.if_unknown!r}"
            )

    def holds(self, doc: dict[str, Any]) -> bool:
        block, name = self.field.split(".", 1)
        value = (doc.get(block) or {}).get(name)
        if value is None:
            return self.if_unknown == "judge"
        return (self.min is None or value >= self.min) and (self.max is None or value <= self.max)


@dataclass(frozen=True)
class Criterion:
    id: str
    fault: str
    title: str
    scope: str  # steps | reps | asymmetry | front
    metric: str
    units: str
    min: float | None
    max: float | None
    moderate_beyond: float
    major_beyond: float
    drills: tuple[str, ...]
    when: tuple[Condition, ...]
    min_evidence: int
    cue: str
    praise: str
    prescribe: tuple[str, ...]
    barriers: tuple[str, ...]
    sources: tuple[str, ...]

    def excess(self, value: float) -> float:
        """How far `value` lies outside the target band (0 inside)."""
        below = (self.min - value) if self.min is not None else 0.0
        above = (value - self.max) if self.max is not None else 0.0
        return max(below, above, 0.0)

    def breached(self, value: float) -> bool:
        return self.excess(value) > 0.0

    def severity(self, value: float) -> str | None:
        """None inside the target; minor/moderate/major by the distance outside it."""
        excess = self.excess(value)
        if excess <= 0.0:
            return None
        if excess > self.major_beyond:
            return "major"
        return "moderate" if excess > self.moderate_beyond else "minor"


def _drills_naming(column: str, rule_id: str) -> tuple[str, ...]:
    """The drills whose row in the drill table lists `rule_id` in `column` (criteria or references)."""
    return tuple(d.id for d in drill_table().drills if rule_id in getattr(d, column))


def _criterion(raw: dict[str, Any]) -> Criterion:
    bands = raw["bands"]
    return Criterion(
        id=raw["id"],
        fault=raw["fault"],
        title=raw["title"],
        scope=raw["scope"],
        metric=raw["metric"],
        units=raw["units"],
        min=raw.get("min"),
        max=raw.get("max"),
        moderate_beyond=bands["moderate_beyond"],
        major_beyond=bands["major_beyond"],
        drills=_drills_naming("criteria", raw["id"]),
        when=tuple(Condition(**c) for c in raw.get("when", [])),
        min_evidence=raw.get("min_evidence", 2 if raw["scope"] == "steps" else 1),
        cue=raw["cue"],
        praise=raw["praise"],
        prescribe=tuple(raw["prescribe"]),
        barriers=tuple(raw["barriers"]),
        sources=tuple(raw["sources"]),
    )


#: Fields of the clip a condition may test besides the summary's figures.
INPUT_FIELDS = ("input.fps_hz",)


def _check_metrics(c: Criterion) -> None:
    """A criterion's metric (and every condition's field) must be in the metric registry: a misspelled
    metric is an error here, not a criterion that silently never fires."""
    reg = registry()
    where = f"criteria.toml: criterion {c.id}"
    by_scope: dict[str, tuple[Scope, ...]] = {
        "steps": ("step",),
        "reps": ("rep", "cycle", "rep_derived"),
        "asymmetry": ("asymmetry",),
        "front": ("front",),
    }
    scopes = by_scope[c.scope]
    row = reg.metrics.get(c.metric)
    if row is None or not set(scopes) & set(row.scopes):
        raise CoachingDataError(
            f"{where}: metric {c.metric!r} is not a {'/'.join(scopes)} metric in kneedrive/metrics/data/metrics.toml"
        )
    for cond in c.when:
        block, name = cond.field.split(".", 1) if "." in cond.field else ("", cond.field)
        if cond.field not in INPUT_FIELDS and not (
            block == "summary" and "summary" in getattr(reg.metrics.get(name), "scopes", ())
        ):
            raise CoachingDataError(f"{where}: condition on {cond.field!r}, which is not a summary metric")


@cache
def load_criteria() -> tuple[Criterion, ...]:
    criteria = tuple(_criterion(raw) for raw in load_validated("criteria")["criterion"])
    named = {c for d in drill_table().drills for c in d.criteria}
    unknown = named - {c.id for c in criteria}
    if unknown:
        raise CoachingDataError(f"drills.toml names criteria not in criteria.toml: {', '.join(sorted(unknown))}")
    library_ids = set(load_library().ids)
    seen: set[str] = set()
    for c in criteria:
        if c.id in seen:
            raise CoachingDataError(f"criteria.toml: duplicate id {c.id}")
        seen.add(c.id)
        if c.min is not None and c.max is not None and c.min >= c.max:
            raise CoachingDataError(f"criteria.toml: {c.id} has min >= max")
        if c.major_beyond <= c.moderate_beyond:
            raise CoachingDataError(f"criteria.toml: {c.id} major band must lie beyond the moderate band")
        for drill in c.drills:
            if drill not in ANALYSIS_DRILL_IDS:
                raise CoachingDataError(f"criteria.toml: {c.id} applies to unknown drill {drill!r}")
        for drill in (*c.drills, *c.prescribe):
            if drill not in library_ids:
                raise CoachingDataError(f"criteria.toml: {c.id} names {drill!r}, not in the library")
        _check_metrics(c)
        if c.scope in ("steps", "asymmetry") and c.drills != ("sprint",):
            raise CoachingDataError(f"criteria.toml: {c.id}: step and asymmetry criteria apply to 'sprint' only")
    return criteria

"""Reference values and targets for the report (data/references.toml), checked against the metric
registry and the criteria when loaded. A reference that names a criterion takes its band from it."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

from ..metrics.registry import Metric, RegistryError, registry
from .criteria import _drills_naming, load_criteria
from .data_files import CoachingDataError, load_validated


@dataclass(frozen=True)
class Reference:
    id: str
    metric: Metric
    scope: str  # summary | side (the weaker side speaks) | rep
    low: float | None
    high: float | None
    scale: float  # deviation, in display units, counted as one unit of importance
    source: str
    sprint_only: bool
    cue_low: str
    cue_high: str
    word: str  # "target" or "reference"
    drills: tuple[str, ...]


@dataclass(frozen=True)
class TargetBand:
    angle: str
    low: float
    high: float
    label: str
    when: str  # "always" | "sprinting" | a reference id


@dataclass(frozen=True)
class AsymmetryRule:
    tolerance_pct: float
    source: str
    metrics: tuple[str, ...]
    cue: str


@dataclass(frozen=True)
class References:
    sprint_speed_min_mps: float
    asymmetry: AsymmetryRule
    references: tuple[Reference, ...]
    bands: tuple[TargetBand, ...]

    def for_drill(self, drill_id: str) -> tuple[Reference, ...]:
        return tuple(r for r in self.references if drill_id in r.drills)


def _reference(raw: dict[str, Any]) -> Reference:
    where = f"references.toml: {raw['id']}"
    scope = {"summary": "summary", "side": "side", "rep": "rep"}[raw["scope"]]
    try:
        metric = registry().check(raw["metric"], scope, where)  # type: ignore[arg-type]
    except RegistryError as exc:
        raise CoachingDataError(str(exc)) from None
    low, high = raw.get("min"), raw.get("max")
    if "criterion" in raw:
        by_id = {c.id: c for c in load_criteria()}
        criterion = by_id.get(raw["criterion"])
        if criterion is None:
            raise CoachingDataError(f"{where}: no criterion {raw['criterion']!r} in criteria.toml")
        if criterion.metric != metric.name:
            raise CoachingDataError(f"{where}: criterion {criterion.id} judges {criterion.metric}, not {metric.name}")
        low, high = criterion.min, criterion.max
    return Reference(
        id=raw["id"],
        metric=metric,
        scope=scope,
        low=low,
        high=high,
        scale=float(raw["scale"]),
        source=raw["source"],
        sprint_only=bool(raw.get("sprint_only", False)),
        cue_low=raw.get("cue_low", ""),
        cue_high=raw.get("cue_high", ""),
        word=raw.get("word", "reference"),
        drills=_drills_naming("references", raw["id"]),
    )


@cache
def load_references() -> References:
    raw = load_validated("references")
    references = tuple(_reference(r) for r in raw["reference"])
    ids = {r.id for r in references}
    from ..drills.table import drill_table

    unknown = {r for d in drill_table().drills for r in d.references} - ids
    if unknown:
        raise CoachingDataError(f"drills.toml names references not in references.toml: {', '.join(sorted(unknown))}")
    bands = tuple(TargetBand(b["angle"], b["min"], b["max"], b["label"], b["when"]) for b in raw["band"])
    for band in bands:
        if band.when not in ("always", "sprinting") and band.when not in ids:
            raise CoachingDataError(f"references.toml: band for {band.angle}: unknown 'when' {band.when!r}")
    asym = raw["asymmetry"]
    for name in asym["metrics"]:
        try:
            registry().check(name, "asymmetry", "references.toml: asymmetry")
        except RegistryError as exc:
            raise CoachingDataError(str(exc)) from None
    return References(
        sprint_speed_min_mps=float(raw["sprint_speed_min_mps"]),
        asymmetry=AsymmetryRule(float(asym["tolerance_pct"]), asym["source"], tuple(asym["metrics"]), asym["cue"]),
        references=references,
        bands=bands,
    )

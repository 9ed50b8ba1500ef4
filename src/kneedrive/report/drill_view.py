"""What the report shows for a drill session (the analysis's `drill` block with reps and cycles):
rep figures per side, and the seeds' targets for knee-drive work (DOMAIN.md) as findings."""

from __future__ import annotations

import statistics
from collections.abc import Callable
from typing import Any

from ..coaching.references import load_references
from ..metrics.registry import registry
from ..record import AnalysisRecord
from .findings import Finding, reference_finding

SIDES = ("left", "right")
#: Rep figures in the report's table, in this order (labels and units from the metric registry).
DRILL_ROWS = (
    "cycle_rate_hz", "rate_decay_pct", "thigh_angle_peak_deg", "hip_flexion_peak_deg", "ankle_dorsiflexion_top_deg",
    "foot_angle_top_deg", "foot_under_knee_shanks", "heel_recovery_height_m", "body_line_deg", "trunk_lean_deg",
    "elbow_flexion_deg", "hold_time_s", "sway_m", "contact_time_s", "flight_time_s", "jump_height_m",
)  # fmt: skip


def _median(values: list[Any]) -> float | None:
    numbers = [float(v) for v in values if isinstance(v, int | float) and not isinstance(v, bool)]
    return statistics.median(numbers) if numbers else None


def rep_figure(record: AnalysisRecord, field: str, side: str | None = None) -> float | None:
    """Median of a rep figure over the reps (side None), or for one side: the drill's per-side
    median when it has one, else the median over that side's reps and cycles."""
    reps = record.drill.reps
    if side is None:
        return _median([getattr(r, field, None) for r in reps])
    per_side = (record.drill.sides or {}).get(side) or {}
    value = per_side.get(field)
    if value is not None:
        return float(value)
    own = [getattr(r, field, None) for r in reps if r.side == side]
    cycles = [getattr(c, field, None) for r in reps for c in r.cycles_detail if c.side == side]
    return _median(own) if _median(own) is not None else _median(cycles)


def drill_findings(record: AnalysisRecord) -> list[Finding]:
    """Rep figures against the seeds' targets (the weaker side speaks), and reps whose rate decayed."""
    out = []
    for ref in load_references().for_drill(record.drill.id):
        name = ref.metric.name
        by_side = {s: v for s in SIDES if (v := rep_figure(record, name, s)) is not None}
        findings = [(s, reference_finding(ref, v)) for s, v in by_side.items()]
        if not findings:
            overall = rep_figure(record, name)
            findings = [] if overall is None else [("", reference_finding(ref, overall))]
        if findings:
            side, worst = max(findings, key=lambda sf: sf[1].importance)
            title = worst.title if not side or len(by_side) < 2 else worst.title.replace(":", f", {side}:", 1)
            out.append(Finding(title, worst.detail, worst.cue, worst.severity, worst.importance))
    for rep in record.drill.reps:
        decay = rep.rate_decay_pct
        if rep.decayed and decay is not None:
            importance = max(0.5, float(decay) / 10.0)
            out.append(
                Finding(
                    title=f"Rep {rep.index} slowed down: {decay:.0f} %",
                    detail="the cycle rate fell from the first to the last third of the rep",
                    cue="full speed for the whole rep; stop the rep when the speed lags (seed 000)",
                    severity="minor" if importance < 1 else "moderate" if importance < 2 else "major",
                    importance=importance,
                )
            )
    return out


def drill_rows(record: AnalysisRecord, fmt: Callable[[Any, float, str], str]) -> list[dict[str, str]]:
    """The measurement table of a drill: median over reps, left and right."""
    rows = []
    for field in DRILL_ROWS:
        metric = registry()[field]
        values = {"all": rep_figure(record, field), **{s: rep_figure(record, field, s) for s in SIDES}}
        if all(v is None for v in values.values()):
            continue
        label = metric.label_in("rep")
        rows.append(
            {"label": label, "unit": metric.display, **{k: fmt(v, metric.factor, "") for k, v in values.items()}}
        )
    return rows

"""The headline's "three most important findings".

With coaching faults in the analysis they come from there (most severe first). Without them, the
summary figures are compared with the targets and reference values of DOMAIN.md, and the largest
deviations are phrased for a coach. Speed-dependent references (the Dorn et al. 2012 sprinter at
9.47 m/s) are only used for clips at sprint speed; tolerances marked "kneedrive" are ours, not the
seeds'.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..coaching.faults import Fault
from ..coaching.library import with_titles
from ..coaching.references import Reference, load_references
from ..record import AnalysisRecord

SEVERITY_RANK = {"major": 0, "moderate": 1, "minor": 2}
#: Deviations below this fraction of a reference's scale are within measurement precision.
NEGLIGIBLE_FRACTION = 0.2


@dataclass(frozen=True)
class Finding:
    title: str
    detail: str
    cue: str
    severity: str  # major / moderate / minor / ok
    importance: float


def _fmt(value: float, ref: Reference) -> str:
    unit = ref.metric.display
    v = value * ref.metric.factor
    if unit == "ms":
        return f"{v:.0f} {unit}"
    if unit in ("°", "%", ""):
        return f"{v:.0f}{unit}"
    return f"{v:.2f} {unit}"


def _range(ref: Reference) -> str:
    def one(v: float) -> str:
        return _fmt(v, ref)

    if ref.low is not None and ref.high is not None:
        return f"{one(ref.low)} to {one(ref.high)}"
    return f"at least {one(ref.low)}" if ref.low is not None else f"at most {one(ref.high or 0.0)}"


def reference_finding(ref: Reference, value: float, *, label: str | None = None) -> Finding:
    factor = ref.metric.factor
    shown = value * factor
    low = None if ref.low is None else ref.low * factor
    high = None if ref.high is None else ref.high * factor
    below, above = low is not None and shown < low, high is not None and shown > high
    outside = (low - shown) if below and low is not None else (shown - high) if above and high is not None else 0.0
    importance = outside / ref.scale
    where = "below" if below else "above" if above else "meets"
    if 0.0 < importance < NEGLIGIBLE_FRACTION:
        below = above = False
        importance, where = 0.0, "at"
    severity = "ok" if importance == 0 else "minor" if importance < 1 else "moderate" if importance < 2 else "major"
    return Finding(
        title=f"{label or ref.metric.label_in(ref.scope)}: {_fmt(value, ref)}",
        detail=with_titles(f"{where} the {ref.word}: {_range(ref)} ({ref.source})"),
        cue=with_titles(ref.cue_low if below else ref.cue_high if above else ""),
        severity=severity,
        importance=importance,
    )


def asymmetry_findings(record: AnalysisRecord) -> list[Finding]:
    rule = load_references().asymmetry
    out = []
    for name, pct in record.asymmetry_pct.items():
        if name not in rule.metrics or pct is None or abs(pct) <= rule.tolerance_pct:
            continue
        figure = name.removesuffix("_pct").replace("_", " ")
        more = "left" if pct > 0 else "right"
        importance = (abs(pct) - rule.tolerance_pct) / rule.tolerance_pct
        out.append(
            Finding(
                title=f"Left/right difference in {figure}: {abs(pct):.0f} %",
                detail=f"the {more} side's {figure} is larger ({rule.source}: differences over "
                f"{rule.tolerance_pct:.0f} % are flagged)",
                cue=rule.cue,
                severity="minor" if importance < 1 else "moderate" if importance < 2 else "major",
                importance=importance,
            )
        )
    return out


def fault_finding(fault: Fault) -> Finding:
    units = fault.units
    bounds = [f"{k} {v:g}" for k, v in (("min", fault.target_min), ("max", fault.target_max)) if v is not None]
    shown = f" ({fault.value:.3g} {units})".replace(" )", ")")
    from ..coaching.library import cite

    return Finding(
        title=f"{fault.title}{shown}",
        detail=(f"target {', '.join(bounds)} {units}".rstrip() if bounds else "")
        + (f" ({', '.join(cite(s) for s in fault.sources)})" if fault.sources else ""),
        cue=fault.cue,
        severity=fault.severity,
        importance=3.0 - SEVERITY_RANK.get(fault.severity, 2),
    )


def is_sprinting(record: AnalysisRecord) -> bool:
    """At sprint speed (references.toml: sprint_speed_min_mps) and not a drill: the Dorn sprint references
    apply."""
    speed = record.summary.speed_mps
    return speed is not None and speed >= load_references().sprint_speed_min_mps and not record.is_drill


def weaker_side(record: AnalysisRecord, ref: Reference) -> float | None:
    values = [v for side in ("left", "right") if (v := record.sides.get(side, {}).get(ref.metric.name)) is not None]
    return min(values) if values else None  # the weaker side speaks for the athlete

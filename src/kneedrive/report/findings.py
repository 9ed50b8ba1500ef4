"""The headline's "three most important findings".

With coaching faults in the analysis they come from there (most severe first). Without them, the
summary figures are compared with the targets and reference values of DOMAIN.md, and the largest
deviations are phrased for a coach. Speed-dependent references (the Dorn et al. 2012 sprinter at
9.47 m/s) are only used for clips at sprint speed; tolerances marked "kneedrive" are ours, not the
seeds'.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

SEVERITY_RANK = {"major": 0, "moderate": 1, "minor": 2}
#: Sprint references apply from this speed on (the Dorn sprint was 9.47 m/s; above ~7 m/s speed
#: rises mainly through step frequency, Dorn et al. 2012).
SPRINT_SPEED_MPS = 8.0
ASYMMETRY_TOLERANCE_PCT = 10.0  # kneedrive's tolerance for left/right differences
#: Left/right differences in % only mean something for positive, ratio-scale figures (not for a
#: signed distance such as the heel height relative to the hip, nor for small angles).
RATIO_ASYMMETRIES = ("contact_time_pct", "flight_time_pct", "step_time_pct", "step_length_pct", "thigh_angle_peak_pct")
#: Deviations below this fraction of a reference's scale are within measurement precision.
NEGLIGIBLE_FRACTION = 0.2


@dataclass(frozen=True)
class Reference:
    metric: str  # summary/sides field
    label: str
    low: float | None
    high: float | None
    unit: str
    factor: float  # display factor (s -> ms)
    scale: float  # deviation (in display units) counted as one unit of importance
    source: str
    sprint_only: bool
    cue_low: str
    cue_high: str
    word: str = "reference"  # "target" for the seeds' coaching targets


REFERENCES = (
    Reference(
        "thigh_angle_peak_deg",
        "Knee drive (thigh peak)",
        58.0,
        None,
        "°",
        1.0,
        5.0,
        "sprinter at 9.5 m/s, Dorn et al. 2012",
        True,
        "drive the knee higher and faster through the front side (seeds 003, 004)",
        "",
    ),
    Reference(
        "contact_time_s",
        "Ground contact",
        None,
        0.124,
        "ms",
        1000.0,
        10.0,
        "sprinter at 9.5 m/s, Dorn et al. 2012",
        True,
        "",
        "shorter, stiffer contacts: hit the ground under the hips and get off it (seeds 001, 003)",
    ),
    Reference(
        "knee_flexion_touchdown_deg",
        "Knee bend at touchdown",
        21.0,
        27.0,
        "°",
        1.0,
        5.0,
        "sprinter at 9.5 m/s, Dorn et al. 2012",
        True,
        "land with a slightly softer knee",
        "land with a stiffer leg under the hips",
    ),
    Reference(
        "touchdown_distance_m",
        "Foot ahead of the hips at touchdown",
        None,
        0.37,
        "m",
        1.0,
        0.05,
        "sprinter at 9.5 m/s, Dorn et al. 2012",
        True,
        "",
        "land closer under the hips, do not reach with the foot (overstriding, seed 003)",
    ),
    Reference(
        "ankle_dorsiflexion_knee_lift_deg",
        "Ankle at peak knee lift",
        0.0,
        None,
        "°",
        1.0,
        5.0,
        "foot dorsiflexed, 'sprung, not soggy' (seeds 000, 001, 004)",
        False,
        "pull the toes up toward the shin as the knee drives (seeds 000, 001)",
        "",
    ),
)


@dataclass(frozen=True)
class Finding:
    title: str
    detail: str
    cue: str
    severity: str  # major / moderate / minor / ok
    importance: float


def _fmt(value: float, ref: Reference) -> str:
    v = value * ref.factor
    return (
        f"{v:.0f} {ref.unit}"
        if ref.unit == "ms"
        else f"{v:.2f} {ref.unit}"
        if ref.unit == "m"
        else f"{v:.0f}{ref.unit}"
    )


def _range(ref: Reference) -> str:
    def one(v: float) -> str:
        return _fmt(v, ref)

    if ref.low is not None and ref.high is not None:
        return f"{one(ref.low)} to {one(ref.high)}"
    return f"at least {one(ref.low)}" if ref.low is not None else f"at most {one(ref.high or 0.0)}"


def reference_finding(ref: Reference, value: float) -> Finding:
    shown = value * ref.factor
    low = None if ref.low is None else ref.low * ref.factor
    high = None if ref.high is None else ref.high * ref.factor
    below, above = low is not None and shown < low, high is not None and shown > high
    outside = (low - shown) if below and low is not None else (shown - high) if above and high is not None else 0.0
    importance = outside / ref.scale
    where = "below" if below else "above" if above else "meets"
    if 0.0 < importance < NEGLIGIBLE_FRACTION:
        below = above = False
        importance, where = 0.0, "at"
    severity = "ok" if importance == 0 else "minor" if importance < 1 else "moderate" if importance < 2 else "major"
    return Finding(
        title=f"{ref.label}: {_fmt(value, ref)}",
        detail=f"{where} the {ref.word}: {_range(ref)} ({ref.source})",
        cue=(ref.cue_low if below else ref.cue_high if above else ""),
        severity=severity,
        importance=importance,
    )


def _asymmetry_findings(doc: Mapping[str, Any]) -> list[Finding]:
    out = []
    for name, pct in (doc.get("asymmetry_pct") or {}).items():
        if name not in RATIO_ASYMMETRIES or pct is None or abs(pct) <= ASYMMETRY_TOLERANCE_PCT:
            continue
        figure = name.removesuffix("_pct").replace("_", " ")
        more = "left" if pct > 0 else "right"
        importance = (abs(pct) - ASYMMETRY_TOLERANCE_PCT) / ASYMMETRY_TOLERANCE_PCT
        out.append(
            Finding(
                title=f"Left/right difference in {figure}: {abs(pct):.0f} %",
                detail=f"the {more} side's {figure} is larger (kneedrive flags differences over "
                f"{ASYMMETRY_TOLERANCE_PCT:.0f} %)",
                cue="film again to confirm, then work the weaker side first in single-leg drills",
                severity="minor" if importance < 1 else "moderate" if importance < 2 else "major",
                importance=importance,
            )
        )
    return out


def _fault_finding(fault: Mapping[str, Any]) -> Finding:
    value, target = fault.get("value"), fault.get("target") or {}
    units = target.get("units", "")
    bounds = [f"{k} {target[k]:g}" for k in ("min", "max") if target.get(k) is not None]
    shown = "" if value is None else f" ({value:.3g} {units})".replace(" )", ")")
    name = str(fault.get("title") or str(fault.get("id", "fault")).replace("_", " ").capitalize())
    return Finding(
        title=f"{name}{shown}",
        detail=(f"target {', '.join(bounds)} {units}".rstrip() if bounds else "")
        + (f" ({fault['source']})" if fault.get("source") else ""),
        cue=str(fault.get("cue") or ""),
        severity=str(fault.get("severity", "minor")),
        importance=3.0 - SEVERITY_RANK.get(str(fault.get("severity")), 2),
    )


def top_findings(doc: Mapping[str, Any], count: int = 3) -> list[Finding]:
    """The `count` most important findings: coaching faults when present, else reference deviations
    (the closest-to-target figures fill up the list when fewer deviate)."""
    faults = doc.get("faults")
    if faults:
        ranked = sorted(faults, key=lambda f: SEVERITY_RANK.get(str(f.get("severity")), 3))
        return [_fault_finding(f) for f in ranked[:count]]
    if is_drill(doc):
        from .drill_view import drill_findings

        return sorted(drill_findings(doc), key=lambda f: -f.importance)[:count]
    summary = doc.get("summary") or {}
    sprinting = is_sprinting(doc)
    candidates = []
    for ref in REFERENCES:
        value = summary.get(ref.metric) if ref.metric in summary else _side_median(doc, ref.metric)
        if value is not None and (sprinting or not ref.sprint_only):
            candidates.append(reference_finding(ref, float(value)))
    candidates += _asymmetry_findings(doc)
    return sorted(candidates, key=lambda f: -f.importance)[:count]


def is_sprinting(doc: Mapping[str, Any]) -> bool:
    """At sprint speed (>= SPRINT_SPEED_MPS) and not a drill: the Dorn sprint references apply."""
    speed = (doc.get("summary") or {}).get("speed_mps")
    return speed is not None and speed >= SPRINT_SPEED_MPS and not is_drill(doc)


def _side_median(doc: Mapping[str, Any], metric: str) -> float | None:
    values = [v for side in ("left", "right") if (v := (doc.get("sides") or {}).get(side, {}).get(metric)) is not None]
    return min(values) if values else None  # the weaker side speaks for the athlete


def is_drill(doc: Mapping[str, Any]) -> bool:
    drill = doc.get("drill") or {}
    return bool(drill.get("id")) and drill.get("id") != "sprint"

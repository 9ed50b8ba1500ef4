"""What the report shows for a drill session (the analysis's `drill` block with reps and cycles):
rep figures per side, and the seeds' targets for knee-drive work (DOMAIN.md) as findings."""

from __future__ import annotations

import statistics
from collections.abc import Mapping
from typing import Any

from .findings import Finding, Reference, reference_finding

SIDES = ("left", "right")
#: Drills whose point is the knee drive (DOMAIN.md: "knee drive height" applies to these).
KNEE_DRIVE_DRILLS = (
    "single_leg_drive_through",
    "wall_drill",
    "isometric_hip_flexion_hold",
    "high_knees",
    "single_leg_knee_drive",
    "step_up_knee_drive",
    "a_skip",
    "piston_run",
    "pocket_run",
)
#: Upright knee-drive drills, where the 75-90 deg hip bend of seed 004 applies (in the lean of the
#: drive-through and the wall drill the hip angle also holds the body line).
UPRIGHT_KNEE_DRIVE_DRILLS = ("isometric_hip_flexion_hold", "high_knees", "single_leg_knee_drive", "step_up_knee_drive")

DRILL_REFERENCES: tuple[tuple[Reference, tuple[str, ...]], ...] = (
    (
        Reference(
            "thigh_angle_peak_deg", "Knee drive (thigh at the top)", 90.0, None, "°", 1.0, 5.0,
            "thigh parallel to the ground, seeds 000, 002, 003, 004", False,
            "drive the knee up until the thigh is parallel to the ground", "", "target",
        ),
        KNEE_DRIVE_DRILLS,
    ),
    (
        Reference(
            "hip_flexion_peak_deg", "Hip bend at the top", 90.0, 105.0, "°", 1.0, 5.0,
            "thigh-trunk angle of 75-90°, seed 004", False,
            "bring the knee higher toward the chest", "stay tall: the knee comes up, the trunk does not fold down",
            "target",
        ),
        UPRIGHT_KNEE_DRIVE_DRILLS,
    ),
    (
        Reference(
            "ankle_dorsiflexion_top_deg", "Ankle at the top", 0.0, None, "°", 1.0, 5.0,
            "foot dorsiflexed, 'sprung, not soggy', seeds 000, 001, 004", False,
            "pull the toes up toward the shin at the top", "", "target",
        ),
        KNEE_DRIVE_DRILLS,
    ),
    (
        Reference(
            "body_line_deg", "Body line", 35.0, 55.0, "°", 1.0, 5.0,
            "about 45°, seeds 000 and 001 (the ±10° tolerance is kneedrive's)", False,
            "raise the body line toward 45°", "lean in further: a straight line from the ankle to the shoulder at 45°",
            "target",
        ),
        ("single_leg_drive_through", "wall_drill"),
    ),
)  # fmt: skip

#: Rep figures in the report's table: (field, label, unit, display factor).
DRILL_ROWS: tuple[tuple[str, str, str, float], ...] = (
    ("cycle_rate_hz", "Cycle rate", "Hz", 1.0),
    ("rate_decay_pct", "Rate decay, first to last third (+ = slowing)", "%", 1.0),
    ("thigh_angle_peak_deg", "Thigh at the top (90 = parallel)", "°", 1.0),
    ("hip_flexion_peak_deg", "Hip flexion at the top", "°", 1.0),
    ("ankle_dorsiflexion_top_deg", "Ankle at the top (+ toes up)", "°", 1.0),
    ("foot_angle_top_deg", "Foot angle at the top (0 = flat)", "°", 1.0),
    ("foot_under_knee_shanks", "Foot ahead of the knee at the top", "shanks", 1.0),
    ("heel_recovery_height_m", "Heel height at recovery (vs hip)", "m", 1.0),
    ("body_line_deg", "Body line (45 = drive-through lean)", "°", 1.0),
    ("trunk_lean_deg", "Trunk lean", "°", 1.0),
    ("elbow_flexion_deg", "Elbow bend", "°", 1.0),
    ("hold_time_s", "Hold time", "s", 1.0),
    ("sway_m", "Sway in the hold", "m", 1.0),
    ("contact_time_s", "Ground contact", "ms", 1000.0),
    ("flight_time_s", "Flight", "ms", 1000.0),
    ("jump_height_m", "Jump height", "m", 1.0),
)


def _median(values: list[Any]) -> float | None:
    numbers = [float(v) for v in values if isinstance(v, int | float) and not isinstance(v, bool)]
    return statistics.median(numbers) if numbers else None


def rep_figure(doc: Mapping[str, Any], field: str, side: str | None = None) -> float | None:
    """Median of a rep figure over the reps (side None), or for one side: the drill's per-side
    median when it has one, else the median over that side's reps and cycles."""
    drill = doc.get("drill") or {}
    reps = drill.get("reps") or []
    if side is None:
        return _median([r.get(field) for r in reps])
    per_side = (drill.get("sides") or {}).get(side) or {}
    if per_side.get(field) is not None:
        return float(per_side[field])
    own = [r.get(field) for r in reps if r.get("side") == side]
    cycles = [c.get(field) for r in reps for c in r.get("cycles_detail") or [] if c.get("side") == side]
    return _median(own) if _median(own) is not None else _median(cycles)


def drill_findings(doc: Mapping[str, Any]) -> list[Finding]:
    """Rep figures against the seeds' targets (the weaker side speaks), and reps whose rate decayed."""
    drill = doc.get("drill") or {}
    out = []
    for ref, drills in DRILL_REFERENCES:
        if drill.get("id") not in drills:
            continue
        by_side = {s: v for s in SIDES if (v := rep_figure(doc, ref.metric, s)) is not None}
        findings = [(s, reference_finding(ref, v)) for s, v in by_side.items()]
        if not findings:
            overall = rep_figure(doc, ref.metric)
            findings = [] if overall is None else [("", reference_finding(ref, overall))]
        if findings:
            side, worst = max(findings, key=lambda sf: sf[1].importance)
            title = worst.title if not side or len(by_side) < 2 else worst.title.replace(":", f", {side}:", 1)
            out.append(Finding(title, worst.detail, worst.cue, worst.severity, worst.importance))
    for rep in drill.get("reps") or []:
        decay = rep.get("rate_decay_pct")
        if rep.get("decayed") and decay is not None:
            importance = max(0.5, float(decay) / 10.0)
            out.append(
                Finding(
                    title=f"Rep {rep.get('index')} slowed down: {decay:.0f} %",
                    detail="the cycle rate fell from the first to the last third of the rep",
                    cue="full speed for the whole rep; stop the rep when the speed lags (seed 000)",
                    severity="minor" if importance < 1 else "moderate" if importance < 2 else "major",
                    importance=importance,
                )
            )
    return out


def drill_rows(doc: Mapping[str, Any], fmt: Any) -> list[dict[str, str]]:
    """The measurement table of a drill: median over reps, left and right."""
    rows = []
    for field, label, unit, factor in DRILL_ROWS:
        values = {"all": rep_figure(doc, field), **{s: rep_figure(doc, field, s) for s in SIDES}}
        if all(v is None for v in values.values()):
            continue
        rows.append({"label": label, **{k: fmt(v, factor, unit) for k, v in values.items()}})
    return rows

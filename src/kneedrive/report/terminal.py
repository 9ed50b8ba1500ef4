"""The readable terminal summary of an analysis (rich)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rich.console import Console
from rich.table import Table

if TYPE_CHECKING:  # annotations only: printing a pose's quality must not load the analysis stages
    from ..analysis import Analysis
    from ..pose import VideoPose

ROWS: tuple[tuple[str, str, str, float], ...] = (
    # (summary field, label, unit, display factor)
    ("speed_mps", "Speed", "m/s", 1.0),
    ("cadence_spm", "Cadence", "steps/min", 1.0),
    ("step_frequency_hz", "Step frequency", "Hz", 1.0),
    ("step_length_m", "Step length", "m", 1.0),
    ("contact_time_s", "Ground contact", "ms", 1000.0),
    ("flight_time_s", "Flight", "ms", 1000.0),
    ("duty_factor", "Duty factor", "", 1.0),
    ("thigh_angle_peak_deg", "Knee drive (thigh peak from vertical)", "deg", 1.0),
    ("knee_flexion_touchdown_deg", "Knee bend at touchdown", "deg", 1.0),
    ("touchdown_distance_m", "Foot ahead of hips at touchdown", "m", 1.0),
    ("trunk_lean_touchdown_deg", "Trunk lean at touchdown", "deg", 1.0),
)
SIDE_ROWS = {
    "contact_time_s": ("contact_time_pct", 1000.0),
    "flight_time_s": ("flight_time_pct", 1000.0),
    "thigh_angle_peak_deg": ("thigh_angle_peak_pct", 1.0),
    "knee_flexion_touchdown_deg": ("knee_flexion_touchdown_pct", 1.0),
    "step_length_m": ("step_length_pct", 1.0),
    "touchdown_distance_m": ("touchdown_distance_pct", 1.0),
}


def _fmt(value: float | None, factor: float) -> str:
    if value is None:
        return "-"
    v = value * factor
    return f"{v:.0f}" if abs(v) >= 100 else f"{v:.2f}" if abs(v) < 10 else f"{v:.1f}"


def summary_table(analysis: Analysis) -> Table:
    s = analysis.summary
    table = Table(title=f"{analysis.source}: {s.steps} steps", title_justify="left")
    table.add_column("Figure")
    table.add_column("All", justify="right")
    table.add_column("Left", justify="right")
    table.add_column("Right", justify="right")
    table.add_column("L-R %", justify="right")
    table.add_column("Unit")
    for name, label, unit, factor in ROWS:
        left = right = asym = ""
        if name in SIDE_ROWS:
            pct, _ = SIDE_ROWS[name]
            left = _fmt(analysis.sides["left"].get(name), factor)
            right = _fmt(analysis.sides["right"].get(name), factor)
            asym = _fmt(analysis.asymmetry_pct.get(pct), 1.0)
        table.add_row(label, _fmt(getattr(s, name), factor), left, right, asym, unit)
    return table


#: Rep figures shown per kind of drill: (field, label, unit, display factor).
_F = {
    "cycles": ("Cycles (jumps for the tuck jump)", "", 1.0),
    "cadence_spm": ("Knee drives per minute", "/min", 1.0),
    "cycle_rate_hz": ("Cycle rate (one leg)", "Hz", 1.0),
    "rate_decay_pct": ("Rate decay, first to last third", "%", 1.0),
    "thigh_angle_peak_deg": ("Knee drive: thigh at the top", "deg", 1.0),
    "hip_flexion_peak_deg": ("Hip flexion at the top", "deg", 1.0),
    "ankle_dorsiflexion_top_deg": ("Ankle dorsiflexion at the top", "deg", 1.0),
    "foot_under_knee_shanks": ("Foot ahead of knee at the top", "shanks", 1.0),
    "heel_recovery_height_legs": ("Heel height vs hip (recovery)", "legs", 1.0),
    "ankle_dorsiflexion_downswing_deg": ("Ankle on the downswing (<0 pointed)", "deg", 1.0),
    "knee_flexion_min_after_top_deg": ("Knee bend after the top (extension)", "deg", 1.0),
    "body_line_deg": ("Body line", "deg", 1.0),
    "trunk_lean_deg": ("Trunk lean", "deg", 1.0),
    "ascent_time_s": ("Time up", "ms", 1000.0),
    "descent_time_s": ("Time down", "ms", 1000.0),
    "elbow_flexion_deg": ("Elbow bend", "deg", 1.0),
    "arm_swing_ratio": ("Quieter arm's swing / busier arm's", "", 1.0),
    "arm_leg_coordination": ("Arm with opposite knee (1 = in sync)", "", 1.0),
    "hold_time_s": ("Hold time", "s", 1.0),
    "thigh_angle_held_deg": ("Thigh angle held", "deg", 1.0),
    "sway_legs": ("Sway of the shoulders", "legs", 1.0),
    "contact_time_s": ("Ground contact", "ms", 1000.0),
    "flight_time_s": ("Flight", "ms", 1000.0),
    "jump_height_m": ("Jump height (from flight time)", "m", 1.0),
}
REP_FIGURES: dict[str, tuple[str, ...]] = {
    "unilateral": (
        "cycles", "cycle_rate_hz", "rate_decay_pct", "thigh_angle_peak_deg", "hip_flexion_peak_deg",
        "ankle_dorsiflexion_top_deg", "foot_under_knee_shanks", "heel_recovery_height_legs",
        "ankle_dorsiflexion_downswing_deg", "body_line_deg", "trunk_lean_deg", "ascent_time_s", "descent_time_s",
        "arm_leg_coordination",
    ),
    "hold": ("hold_time_s", "thigh_angle_held_deg", "ankle_dorsiflexion_top_deg", "trunk_lean_deg", "sway_legs"),
    "alternating": (
        "cycles", "cadence_spm", "cycle_rate_hz", "rate_decay_pct", "thigh_angle_peak_deg",
        "ankle_dorsiflexion_top_deg", "foot_under_knee_shanks", "heel_recovery_height_legs",
        "knee_flexion_min_after_top_deg", "trunk_lean_deg", "elbow_flexion_deg", "arm_swing_ratio",
        "arm_leg_coordination", "contact_time_s",
    ),
    "bilateral": ("cycles", "cycle_rate_hz", "rate_decay_pct", "flight_time_s", "jump_height_m",
                  "thigh_angle_peak_deg", "trunk_lean_deg"),
}  # fmt: skip


def reps_table(analysis: Analysis) -> Table:
    from ..drills.catalogue import MODELS

    drill = analysis.drill
    reps = drill.reps
    table = Table(
        title=f"{drill.name} ({'recognized' if drill.decided_by == 'auto' else 'given'}, "
        f"confidence {drill.confidence:.2f}): {len(reps)} rep(s)",
        title_justify="left",
    )
    table.add_column("Figure")
    for r in reps:
        table.add_column(f"Rep {r.index} {r.side}\n{r.start_s:.1f}-{r.end_s:.1f} s", justify="right")
    table.add_column("Unit")
    pattern = MODELS[drill.drill_id].pattern
    for name in REP_FIGURES[pattern]:
        values = [getattr(r, name) for r in reps]
        if all(v is None for v in values):
            continue
        label, unit, factor = _F[name]
        cells = ["-" if v is None else (str(v) if isinstance(v, int) else _fmt(float(v), factor)) for v in values]
        if name == "rate_decay_pct":
            cells = [c + (" [red]lagging[/red]" if r.decayed else "") for c, r in zip(cells, reps, strict=True)]
        table.add_row(label, *cells, unit)
    return table


LEG_KEYPOINTS = ("hip", "knee", "ankle", "heel", "foot_index")


def print_video_quality(video: VideoPose, console: Console, *, with_warnings: bool = True) -> None:
    """Where the keypoints came from and how much to trust them."""
    info, seq = video.info, video.sequence
    rotation = f", turned {info.rotation_deg} deg" if info.rotation_deg else ""
    console.print(
        f"[bold]video[/bold] {info.width}x{info.height} {info.codec}{rotation}, {video.frames_decoded} frames at "
        f"{seq.fps_hz:.1f} fps; person {video.person} of {video.people}, posed {seq.time_s[0]:.2f}-"
        f"{seq.time_s[-1]:.2f} s, missing in {video.frames_without_pose} frames; {video.model_id}"
        f"{' (from the pose cache)' if video.cache_hit else ''}"
    )
    confidence = video.keypoint_confidence()
    legs = [
        f"{side[0].upper()} {joint} {confidence[f'{side}_{joint}']:.2f}"
        for joint in LEG_KEYPOINTS
        for side in ("left", "right")
        if f"{side}_{joint}" in confidence
    ]
    console.print(f"[dim]mean keypoint confidence: {', '.join(legs)}[/dim]")
    for warning in video.warnings if with_warnings else ():
        console.print(f"[yellow]warning:[/yellow] {warning}")


def print_summary(analysis: Analysis, console: Console) -> None:
    if analysis.video is not None:
        print_video_quality(analysis.video, console, with_warnings=False)  # they are in analysis.warnings
    if analysis.drill.drill_id != "sprint":
        console.print(reps_table(analysis))
        if analysis.drill.one_legged and any(v is not None for v in analysis.drill.asymmetry_pct.values()):
            pairs = ", ".join(
                f"{name} {value:+.0f}%" for name, value in analysis.drill.asymmetry_pct.items() if value is not None
            )
            console.print(f"left vs right (left - right, % of mean): {pairs}")
    else:
        console.print(summary_table(analysis))
    kin = analysis.kinematics
    console.print(
        f"[dim]{kin.fps_hz:.0f} fps, low-pass {kin.cutoff_hz:.1f} Hz, direction from {kin.direction_evidence}, "
        f"{kin.swapped_frames} frames with left/right relabelled, {kin.filled_samples} samples gap-filled[/dim]"
    )
    for warning in analysis.warnings:
        console.print(f"[yellow]warning:[/yellow] {warning}")
    print_coaching(analysis.to_dict(), console)


SEVERITY_STYLE = {"major": "bold red", "moderate": "yellow", "minor": "cyan"}


def print_coaching(doc: dict[str, Any], console: Console, *, praise_shown: int = 3) -> None:
    """Faults with their cue, evidence and drills (worst first), then what went well."""
    faults, praise = doc.get("faults") or [], doc.get("praise") or []
    if not faults and not praise:
        return
    table = Table(title="Coaching", title_justify="left")
    for column in ("Severity", "Fault", "Measured", "Target", "Cue", "Drills"):
        table.add_column(column)
    for f in faults:
        t = f["target"]
        target = " to ".join(_fmt(v, 1.0) for v in (t["min"], t["max"]) if v is not None)
        target = (
            target
            if t["min"] is not None and t["max"] is not None
            else (f">= {_fmt(t['min'], 1.0)}" if t["min"] is not None else f"<= {_fmt(t['max'], 1.0)}")
        )
        where = "steps" if "steps" in f["evidence"] else "reps"
        table.add_row(
            f"[{SEVERITY_STYLE[f['severity']]}]{f['severity']}[/]",
            f"{f['title']}\n[dim]{len(f['evidence']['values'])} {where} at {_times(f['evidence']['times_s'])}[/dim]",
            f"{_fmt(f['value'], 1.0)} {t['units']}",
            target,
            f["cue"],
            ", ".join(f["drills"]),
        )
    if faults:
        console.print(table)
    else:
        console.print("[green]No faults found.[/green]")
    for p in praise[:praise_shown]:
        console.print(f"[green]good:[/green] {p['message']}")


def _times(times_s: list[float]) -> str:
    shown = ", ".join(f"{t:.2f}" for t in times_s[:4])
    return f"{shown}{', ...' if len(times_s) > 4 else ''} s" if times_s else "-"

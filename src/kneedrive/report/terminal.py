"""The readable terminal summary of an analysis (rich)."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table

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
    console.print(summary_table(analysis))
    kin = analysis.kinematics
    console.print(
        f"[dim]{kin.fps_hz:.0f} fps, low-pass {kin.cutoff_hz:.1f} Hz, direction from {kin.direction_evidence}, "
        f"{kin.swapped_frames} frames with left/right relabelled, {kin.filled_samples} samples gap-filled[/dim]"
    )
    for warning in analysis.warnings:
        console.print(f"[yellow]warning:[/yellow] {warning}")

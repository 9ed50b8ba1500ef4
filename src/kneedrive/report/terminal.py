"""The readable terminal summary of an analysis (rich)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from rich.console import Console
from rich.markup import escape
from rich.table import Table

if TYPE_CHECKING:  # annotations only: printing a pose's quality must not load the analysis stages
    from ..coaching.faults import Coaching
    from ..io.video_record import VideoRecord
    from ..metrics.registry import Registry
    from ..record import AnalysisRecord


def registry() -> Registry:
    """The metric registry, imported when a table is drawn (not for `kneedrive pose`)."""
    from ..metrics.registry import registry as loaded

    return loaded()


def cite(seed: str) -> str:
    from ..coaching.library import cite as cited

    return cited(seed)


#: The running summary, in this order (labels, units and display factors from the metric registry).
ROWS = (
    "speed_mps", "cadence_spm", "step_frequency_hz", "step_length_m", "contact_time_s", "flight_time_s",
    "duty_factor", "thigh_angle_peak_deg", "knee_flexion_touchdown_deg", "touchdown_distance_m",
    "trunk_lean_touchdown_deg",
)  # fmt: skip
#: Rows that also show left, right and the left/right difference (the registry's asymmetry row of the
#: same figure, or of its leg-length twin).
SIDE_ROWS = (
    "contact_time_s", "flight_time_s", "thigh_angle_peak_deg", "knee_flexion_touchdown_deg", "step_length_m",
    "touchdown_distance_m",
)  # fmt: skip


def _fmt(value: float | None, factor: float) -> str:
    if value is None:
        return "-"
    v = value * factor
    return f"{v:.0f}" if abs(v) >= 100 else f"{v:.2f}" if abs(v) < 10 else f"{v:.1f}"


def _asymmetry_of(name: str) -> str:
    stem = name.rsplit("_", 1)[0]
    return f"{stem}_pct"


def summary_table(record: AnalysisRecord) -> Table:
    from .units import in_legs_without_scale

    s = record.summary
    table = Table(title=escape(f"{record.source}: {record.drill.label}, {s.steps} steps"), title_justify="left")
    table.add_column("Figure")
    table.add_column("All", justify="right")
    table.add_column("Left", justify="right")
    table.add_column("Right", justify="right")
    table.add_column("L-R %", justify="right")
    table.add_column("Unit")
    for row in ROWS:
        name = in_legs_without_scale(record, row)
        metric = registry()[name]
        left = right = asym = ""
        if row in SIDE_ROWS:
            left = _fmt(record.sides["left"].get(name), metric.factor)
            right = _fmt(record.sides["right"].get(name), metric.factor)
            asym = _fmt(record.asymmetry_pct.get(_asymmetry_of(name)), 1.0)
        unit = "deg" if metric.display == "°" else metric.display
        table.add_row(metric.label, _fmt(getattr(s, name), metric.factor), left, right, asym, unit)
    return table


def reps_table(record: AnalysisRecord) -> Table:
    from ..drills.table import drill_spec

    drill = record.drill
    reps = drill.reps
    table = Table(
        title=f"{drill.label} ({ {'auto': 'recognized', 'given': 'given'}.get(drill.decided_by, 'best guess') }, "
        f"confidence {drill.confidence:.2f}): {len(reps)} rep(s)",
        title_justify="left",
    )
    table.add_column("Figure")
    for r in reps:
        table.add_column(f"Rep {r.index} {r.side}\n{r.start_s:.1f}-{r.end_s:.1f} s", justify="right")
    table.add_column("Unit")
    for name in drill_spec(drill.id).figures:
        values = [getattr(r, name) for r in reps]
        if all(v is None for v in values):
            continue
        metric = registry()[name]
        label, factor = metric.label_in("rep"), metric.factor
        unit = "deg" if metric.display == "°" else metric.display
        cells = ["-" if v is None else (str(v) if isinstance(v, int) else _fmt(float(v), factor)) for v in values]
        if name == "rate_decay_pct":
            cells = [c + (" [red]lagging[/red]" if r.decayed else "") for c, r in zip(cells, reps, strict=True)]
        table.add_row(label, *cells, unit)
    if not table.rows:  # every figure withheld (the warnings say why)
        table.add_row("no figure measured (see the warnings)", *([""] * len(reps)), "")
    return table


LEG_KEYPOINTS = ("hip", "knee", "ankle", "heel", "foot_index")


def print_video_quality(video: VideoRecord, console: Console, *, warnings: tuple[str, ...] = ()) -> None:
    """Where the keypoints came from and how much to trust them."""
    rotation = f", turned {video.rotation_deg} deg" if video.rotation_deg else ""
    console.print(
        escape(
            f"video {video.width}x{video.height} {video.codec}{rotation}, {video.frames} frames at "
            f"{video.fps_hz:.1f} fps; person {video.person} of {video.people}, posed {video.pose_start_s:.2f}-"
            f"{video.pose_end_s:.2f} s, missing in {video.frames_without_pose} frames; {video.model}"
            f"{' (from the pose cache)' if video.cache_hit else ''}"
        ).replace("video", "[bold]video[/bold]", 1)
    )
    confidence = video.keypoint_confidence
    legs = [
        f"{side[0].upper()} {joint} {confidence[f'{side}_{joint}']:.2f}"
        for joint in LEG_KEYPOINTS
        for side in ("left", "right")
        if f"{side}_{joint}" in confidence
    ]
    console.print(f"[dim]mean keypoint confidence: {', '.join(legs)}[/dim]")
    for warning in warnings:
        console.print(f"[yellow]warning:[/yellow] {escape(warning)}")


def print_summary(record: AnalysisRecord, console: Console) -> None:
    if record.video is not None:
        print_video_quality(record.video, console)  # its warnings are in the record's warnings
    drill = record.drill
    if drill.is_drill:
        console.print(reps_table(record))
        if drill.asymmetry_pct is not None and any(v is not None for v in drill.asymmetry_pct.values()):
            pairs = ", ".join(
                f"{name} {value:+.0f}%" for name, value in drill.asymmetry_pct.items() if value is not None
            )
            console.print(f"left vs right (left - right, % of mean): {pairs}")
    elif record.front is not None:
        console.print(front_table(record))
        if (cadence := record.summary.cadence_spm) is not None:  # the touchdowns' rhythm, from any angle
            step = record.summary.step_time_s
            shown = "" if step is None else f", step time {1000 * step:.0f} ms"
            console.print(f"cadence {cadence:.0f} steps/min{shown} (from {record.summary.steps} touchdowns)")
    else:
        console.print(summary_table(record))
    inp, proc = record.input, record.processing
    console.print(
        f"[dim]{inp.fps_hz:.0f} fps, low-pass {proc.cutoff_hz:.1f} Hz, direction from {proc.direction_evidence}, "
        f"{proc.swapped_frames} frames with left/right relabelled, {proc.filled_samples} samples gap-filled[/dim]"
    )
    for warning in record.warnings:
        console.print(f"[yellow]warning:[/yellow] {escape(warning)}")
    print_coaching(record.coaching, console)
    print_smas(record, console)


def print_smas(record: AnalysisRecord, console: Console) -> None:
    """The S-MAS total and its findings (an item that repeats a fault above points at it)."""
    smas = record.smas
    if smas is None:
        return
    console.print(
        f"S-MAS (automated, not validated against raters): [bold]{smas.total}[/bold] of {smas.scored} scored items "
        f"({smas.band}); left {smas.sides['left'].total}, right {smas.sides['right'].total}"
    )
    titles = {f.id: f.title for f in record.coaching.faults}
    for f in smas.findings:
        sides = " and ".join(f.sides)
        if f.same_as:
            console.print(
                f"  S-MAS {escape(f.name)} ({sides}): the fault {escape(titles.get(f.same_as, f.same_as))} above"
            )
            continue
        frames = ", ".join(str(x) for x in f.frames[:6]) + (", ..." if len(f.frames) > 6 else "")
        console.print(
            f"  S-MAS {escape(f.name)} ({sides}; frames {frames}): {escape(f.cue)} "
            f"[dim]drills: {', '.join(f.drills)}[/dim]"
        )


def front_table(record: AnalysisRecord) -> Table:
    """A front view's figures, the median per side (labels and units from the metric registry)."""
    from ..metrics.frontal import FRONT_FIELDS

    front = record.front
    steps = 0 if front is None else len(front.steps)
    table = Table(title=escape(f"{record.source}: front view, {steps} steps"), title_justify="left")
    for column, justify in (("Figure", "left"), ("Left", "right"), ("Right", "right"), ("Unit", "left")):
        table.add_column(column, justify=justify)  # type: ignore[arg-type]
    for name in FRONT_FIELDS:
        values = [None if front is None else front.sides.get(side, {}).get(name) for side in ("left", "right")]
        if all(v is None for v in values):
            continue
        metric = registry()[name]
        unit = "deg" if metric.display == "°" else metric.display
        table.add_row(metric.label, *(_fmt(v, metric.factor) for v in values), unit)
    return table


def print_session(record: AnalysisRecord, console: Console) -> None:
    """Each clip of a session: one clip, or a side clip then its front clip."""
    for clip in record.clips:
        if clip is not record:
            console.print(f"[bold]front clip[/bold] {escape(clip.source)}: the front-view figures")
        print_summary(clip, console)


SEVERITY_STYLE = {"major": "bold red", "moderate": "yellow", "minor": "cyan"}


def print_coaching(coaching: Coaching, console: Console, *, praise_shown: int = 3) -> None:
    """Faults with their cue, evidence and drills (worst first), then what went well."""
    faults, praise = coaching.faults, coaching.praise
    if not faults and not praise:
        return
    table = Table(title="Coaching", title_justify="left")
    for column in ("Severity", "Fault", "Measured", "Target", "Cue", "Drills"):
        table.add_column(column)
    for f in faults:
        low, high = f.target_min, f.target_max
        if low is not None and high is not None:
            target = f"{_fmt(low, 1.0)} to {_fmt(high, 1.0)}"
        else:
            target = f">= {_fmt(low, 1.0)}" if low is not None else f"<= {_fmt(high, 1.0)}"
        table.add_row(
            f"[{SEVERITY_STYLE[f.severity]}]{f.severity}[/]",
            f"{escape(f.title)}\n[dim]{len(f.evidence.values)} {f.evidence.unit} at {_times(f.evidence.times_s)}; "
            f"{escape(cite(f.sources[0]) if f.sources else '')}[/dim]",
            f"{_fmt(f.value, 1.0)} {escape(f.units)}",
            target,
            escape(f.cue),
            ", ".join(f.drills),
        )
    if faults:
        console.print(table)
    else:
        console.print("[green]No faults found.[/green]")
    for p in praise[:praise_shown]:
        console.print(f"[green]good:[/green] {escape(p.message)}")


def _times(times_s: Sequence[float]) -> str:
    shown = ", ".join(f"{t:.2f}" for t in times_s[:4])
    return f"{shown}{', ...' if len(times_s) > 4 else ''} s" if times_s else "-"

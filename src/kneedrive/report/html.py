"""report.html: one self-contained page (inline SVG and CSS, no script, no fetch) from a saved analysis.

`render_report(record)` takes the analysis record (a live analysis' `record`, or a loaded analysis.json),
so `kneedrive report analysis.json` re-renders exactly what `--out` wrote.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup

from ..coaching.faults import NOT_JUDGED, Fault
from ..coaching.library import cite, with_titles
from ..io.atomic import write_text_atomic
from ..metrics.registry import registry
from ..record import AnalysisRecord
from . import plots
from .drill_view import drill_rows, rep_figure
from .findings import SEVERITY_RANK, Finding, fault_finding, is_sprinting
from .front_view import front_block, front_stick_svg
from .headline import top_findings
from .keyframes import KeyFrame, key_frame_at, key_frames, stick_figure_svg
from .kinogram import kinograms as stick_kinograms
from .smas_view import kinogram_figures, smas_context
from .units import in_legs_without_scale

#: Time plots of clips longer than 4/3 of this show this long a window around the key moments.
PLOT_WINDOW_S = 3.0
DRILL_WINDOW_S = 6.0
#: Stick figures drawn per fault, at its first evidence times.
EVIDENCE_FIGURES = 3
#: Drill id -> {"name": ..., "dose": ..., "purpose": ...} (kneedrive.coaching's library by default).
DrillLibrary = Mapping[str, Mapping[str, str]]
#: Draws key frames over the video's frames: one <svg> (or None: not on the video) per key frame
#: (kneedrive.report.video_stills.VideoStills.svgs). Without it, key frames are stick figures.
VideoFrames = Callable[[Sequence[KeyFrame]], Sequence[str | None]]
#: A key frame as drawn in the report: (key frame, size in px of a stick figure) -> <svg>.
Figure = Callable[[KeyFrame, int], str]

#: The running summary table, in this order (labels and units from the metric registry).
SUMMARY_ROWS = (
    "speed_mps", "cadence_spm", "step_length_m", "contact_time_s", "flight_time_s", "thigh_angle_peak_deg",
    "knee_flexion_touchdown_deg", "touchdown_distance_m", "trunk_lean_touchdown_deg",
    "ankle_dorsiflexion_knee_lift_deg", "heel_recovery_height_m",
)  # fmt: skip


def fmt(value: Any, factor: float = 1.0, unit: str = "") -> str:
    """A figure for people: 3 significant digits at most, an en dash when missing."""
    if value is None or isinstance(value, bool) or not isinstance(value, int | float):
        return "–"
    v = value * factor
    text = f"{v:.0f}" if abs(v) >= 100 else f"{v:.1f}" if abs(v) >= 10 else f"{v:.2f}"
    return f"{text} {unit}".strip() if unit and unit != "°" else f"{text}{unit}"


def missing_frames(frames: int, fps_hz: float, duration_s: float) -> int:
    """Frames a constant-rate clip of this duration would have beyond those present (dropped frames;
    `fps_hz` is the median rate, so a few long gaps show up here)."""
    return max(0, round(duration_s * fps_hz) + 1 - frames)


def _summary_rows(record: AnalysisRecord) -> list[dict[str, str]]:
    summary, sides = record.summary, record.sides
    rows = []
    for row in SUMMARY_ROWS:
        name = in_legs_without_scale(record, row)
        metric = registry()[name]
        factor, unit = metric.factor, metric.display
        left, right = sides.get("left", {}).get(name), sides.get("right", {}).get(name)
        value = getattr(summary, name, None)
        if value is None and left is None and right is None:
            continue
        rows.append(  # the unit once, with the label: four columns of "0.05 legs" do not fit a phone
            {
                "label": metric.label,
                "unit": unit,
                "all": fmt(value, factor),
                "left": fmt(left, factor),
                "right": fmt(right, factor),
            }
        )
    return rows


def _faults(record: AnalysisRecord, library: DrillLibrary, figure: Figure, clip: str = "") -> list[dict[str, Any]]:
    """The faults as the report shows them (`clip`: the clip they were seen in, for a two-view session)."""
    out = []
    for fault in record.coaching.faults:
        bounds = (("min", fault.target_min), ("max", fault.target_max))
        out.append(
            {
                "id": fault.id,
                "title": fault.title,
                "severity": fault.severity,
                "metric": fault.metric,
                "value": fmt(fault.value),
                "target": ", ".join(f"{k} {fmt(v)}" for k, v in bounds if v is not None)
                + (f" {fault.units}" if fault.units else ""),
                "times": ", ".join(f"{t:.2f} s" for t in fault.evidence.times_s[:12]),
                "cue": fault.cue,
                "clip": clip,
                "source": "; ".join(cite(s) for s in fault.sources),
                "seen": _evidence_figures(record, fault, figure),
                "drills": [
                    {
                        "id": d,
                        "name": (library.get(d) or {}).get("name", d.replace("_", " ")),
                        "dose": (library.get(d) or {}).get("dose", ""),
                        "purpose": (library.get(d) or {}).get("purpose", ""),
                    }
                    for d in fault.drills
                ],
            }
        )
    return out


def _evidence_moments(record: AnalysisRecord, fault: Fault) -> list[tuple[float, str, str]]:
    """(time, side, caption) of up to EVIDENCE_FIGURES moments where a fault was seen. Rep evidence
    (coaching gives the rep's start) is shown at the top of the rep's middle cycle, where the knee-drive
    figures are read; step evidence at the step's time, on the step's side."""
    moments: list[tuple[float, str, str]] = []
    if fault.evidence.unit == "reps":
        reps = {r.index: r for r in record.drill.reps}
        for index in fault.evidence.indices:
            rep = reps.get(index)
            if rep is None:
                continue
            cycles = list(rep.cycles_detail)
            rep_side = rep.side if rep.side in ("left", "right") else ""
            if cycles:
                top = cycles[len(cycles) // 2]
                moments.append((float(top.top_s), str(top.side or rep_side), f"rep {index}, top"))
            else:
                moments.append(((float(rep.start_s) + float(rep.end_s)) / 2.0, rep_side, f"rep {index}"))
    else:
        moments = [(float(t), "", "") for t in fault.evidence.times_s]
    return moments[:EVIDENCE_FIGURES]


def _evidence_keys(record: AnalysisRecord, fault: Fault) -> list[tuple[KeyFrame, str]]:
    out = []
    for t, side, caption in _evidence_moments(record, fault):
        key = key_frame_at(record, t, kind="evidence", side=side if side in ("left", "right") else "")
        if key is not None:
            out.append((key, caption))
    return out


def _evidence_figures(record: AnalysisRecord, fault: Fault, figure: Figure) -> list[dict[str, Any]]:
    """Figures (video frames or stick figures) where a fault was seen."""
    out = []
    for key, caption in _evidence_keys(record, fault):
        label = f"{caption}, {key.time_s:.2f} s" if caption else f"{key.time_s:.2f} s"
        out.append({"time": label, "frame": key.frame, "svg": Markup(figure(key, 220))})
    return out


def _prescribed_drills(faults: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each drill prescribed by any fault, once, with the faults it works on (the link targets)."""
    drills: dict[str, dict[str, Any]] = {}
    for fault in faults:
        for d in fault["drills"]:
            entry = drills.setdefault(d["id"], {**d, "for": []})
            entry["for"].append(fault["title"])
    return list(drills.values())


def _reps(record: AnalysisRecord) -> list[dict[str, str]]:
    in_file = plots.file_seconds(record)  # where the rep is in the video, as its key moments are
    return [
        {
            "index": str(r.index),
            "side": str(r.side or ""),
            "time": f"{fmt(in_file(r.start_s))}–{fmt(in_file(r.end_s))}\u00a0s",  # the unit stays with its number
            "cycles": str(r.cycles if r.cycles is not None else "–"),
            "rate": fmt(r.cycle_rate_hz, 1.0, "Hz"),
            "decay": fmt(r.rate_decay_pct, 1.0, "%"),
            "decayed": "decayed" if r.decayed else "",
            "thigh": fmt(r.thigh_angle_peak_deg, 1.0, "°"),
        }
        for r in record.drill.reps
    ]


def _quality(record: AnalysisRecord) -> dict[str, Any]:
    inp, proc, summary = record.input, record.processing, record.summary
    facts = [
        ("Frame rate", fmt(inp.fps_hz, 1.0, "fps")),
        ("Frames", str(inp.frames)),
        ("Frames missing from the time stamps", str(missing_frames(inp.frames, inp.fps_hz, inp.duration_s))),
        ("Duration", fmt(inp.duration_s, 1.0, "s")),
        ("Low-pass cut-off", fmt(proc.cutoff_hz, 1.0, "Hz")),
        ("Direction of travel", f"{proc.direction} (from {proc.direction_evidence})"),
        ("Frames with left/right relabelled", str(proc.swapped_frames)),
        ("Keypoint samples gap-filled", str(proc.filled_samples)),
        (
            "Scale",
            "none (lengths in leg lengths)" if proc.leg_length_m is None else f"leg {proc.leg_length_m:.3f} m",
        ),
        ("Contact time resolution", fmt(summary.contact_time_uncertainty_s, 1000.0, "ms")),
        (  # how far a frame moves the foot's distance ahead at touchdown (overstriding is judged up to 0.1)
            "Touchdown distance resolution",
            fmt(summary.touchdown_distance_uncertainty_legs, 1.0, "leg lengths per frame"),
        ),
    ]
    if record.series is not None:
        facts.append(("Plot series rate", fmt(record.series.rate_hz, 1.0, "Hz")))
    front = record.front_clip
    if front is not None:
        facts.append(
            (
                f"Front clip {_short_source(front.source)}",
                f"{fmt(front.input.fps_hz, 1.0, 'fps')}, {front.input.frames} frames, "
                f"{fmt(front.input.duration_s, 1.0, 's')}",
            )
        )
    return {
        "facts": facts,
        "warnings": [
            *record.warnings,
            *([] if front is None else (f"{_short_source(front.source)}: {w}" for w in front.warnings)),
        ],
        "unavailable": sorted(record.unavailable.items()),
    }


def _session_findings(record: AnalysisRecord) -> list[Finding]:
    """The headline's findings: of the one clip, or of a two-view session's faults from both clips (most
    severe first), the front clip's named by its view."""
    front = record.front_clip
    if front is None or not front.coaching.faults:
        return top_findings(record)
    faults = [(f, "") for f in record.coaching.faults] + [(f, " (front view)") for f in front.coaching.faults]
    ranked = sorted(faults, key=lambda pair: SEVERITY_RANK.get(pair[0].severity, 3))[:3]
    return [replace(fault_finding(f), title=fault_finding(f).title + where) for f, where in ranked]


def _short_source(source: str) -> str:
    """The file name of a path, or the description of an in-memory sequence as it is."""
    if source.startswith("<") or not ("/" in source or "\\" in source):
        return source
    return Path(source).name


def _running_headline(record: AnalysisRecord) -> list[tuple[str, str]]:
    summary = record.summary
    return [
        ("Activity", record.drill.label),
        ("Steps", str(summary.steps)),
        ("Speed", fmt(summary.speed_mps, 1.0, "m/s")),
        ("Cadence", fmt(summary.cadence_spm, 1.0, "spm")),
        ("Ground contact", fmt(summary.contact_time_s, 1000.0, "ms")),
    ]


def _drill_headline(record: AnalysisRecord) -> list[tuple[str, str]]:
    reps = record.drill.reps
    decays = [r.rate_decay_pct for r in reps if r.rate_decay_pct is not None]
    return [
        ("Activity", record.drill.label),
        ("Reps", str(len(reps))),
        ("Cycles", str(sum(int(r.cycles or 0) for r in reps))),
        ("Cycle rate", fmt(rep_figure(record, "cycle_rate_hz"), 1.0, "Hz")),
        ("Most slowing in a rep", fmt(max(decays), 1.0, "%") if decays else "–"),
        ("Thigh at the top", fmt(rep_figure(record, "thigh_angle_peak_deg"), 1.0, "°")),
    ]


def _span_text(record: AnalysisRecord) -> str:
    """The time span the analysis covers, on the clip's clock (a video's athlete may appear late)."""
    times = [] if record.series is None else [float(t) for t in record.series.time_s if math.isfinite(t)]
    if not times:
        return f"{record.input.duration_s:.1f} s"
    return f"{times[0]:.1f}-{times[-1]:.1f} s"


def _plot_window(record: AnalysisRecord, frames: list[KeyFrame]) -> tuple[float, float] | None:
    """Time plots of long clips show PLOT_WINDOW_S around the key moments (a few strides a coach can
    read; for a drill, the first rep, up to DRILL_WINDOW_S), the bar plots still show every step.
    None: the whole clip."""
    series = record.series
    times = [] if series is None else [float(t) for t in series.time_s if math.isfinite(t)]
    reps = record.drill.reps
    if times and reps and not record.steps:
        start = max(times[0], float(reps[0].start_s) - 0.3)
        end = min(times[-1], float(reps[0].end_s) + 0.3, start + DRILL_WINDOW_S)
        return None if start <= times[0] and end >= times[-1] else (start, end)
    if not times or times[-1] - times[0] <= PLOT_WINDOW_S * 4 / 3:
        return None
    centre = statistics.median(k.time_s for k in frames) if frames else (times[0] + times[-1]) / 2.0
    lo = min(max(times[0], centre - PLOT_WINDOW_S / 2.0), times[-1] - PLOT_WINDOW_S)
    return lo, lo + PLOT_WINDOW_S


def _environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.PackageLoader("kneedrive.report", "templates"),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=jinja2.StrictUndefined,
    )


def coaching_drill_library() -> dict[str, dict[str, str]]:
    """The coaching library's entries as the report shows them: name, dose and weekly frequency, purpose."""
    from ..coaching import load_library

    return {
        e.id: {
            "name": e.name,
            "dose": f"{e.dose.describe()}; {e.min_per_week}-{e.max_per_week} times a week",
            "purpose": e.purpose,
        }
        for e in load_library().exercises
    }


def _figure_drawer(record: AnalysisRecord, frames: list[KeyFrame], video_frames: VideoFrames | None) -> Figure:
    """Key frames drawn over the video (one decode pass for all of them) where it has them, else stick
    figures."""
    on_video: dict[tuple[str, str, float], str] = {}
    in_file = plots.file_seconds(record)
    if video_frames is not None:
        keys = frames + [k for f in record.coaching.faults for k, _ in _evidence_keys(record, f)]
        for key, svg in zip(keys, video_frames(keys), strict=True):
            if svg is not None:
                on_video[(key.kind, key.side, key.time_s)] = svg

    def figure(key: KeyFrame, size_px: int) -> str:
        drawn = on_video.get((key.kind, key.side, key.time_s))
        if drawn is not None:
            return drawn
        if record.view == "front":  # as the camera saw it (the sagittal stick figure would be edge-on)
            return front_stick_svg(record, key.frame, key.side, size_px=size_px)
        return stick_figure_svg(key, width_px=size_px, height_px=size_px, shown_time_s=in_file(key.time_s))

    return figure


def render_report(
    record: AnalysisRecord,
    *,
    drill_library: DrillLibrary | None = None,
    video_frames: VideoFrames | None = None,
    kinograms: Mapping[str, bytes] | None = None,
) -> str:
    """The report HTML for an analysis record (with its series for plots and key frames).
    `drill_library` (drill id -> name, dose, purpose) defaults to kneedrive.coaching's library;
    `video_frames` draws the key frames over the video (stick figures without it); `kinograms`
    (side -> PNG, kneedrive.report.kinogram) default to stick-figure kinograms from the record."""
    library = coaching_drill_library() if drill_library is None else drill_library
    drill_session = record.is_drill

    frames = key_frames(record)
    figure = _figure_drawer(record, frames, video_frames)
    faults = _faults(record, library, figure)
    front_record = record.front_clip or record
    if record.front_clip is not None:  # a two-view session: the front clip's faults, seen on its own frames
        front_figure = _figure_drawer(record.front_clip, [], None)
        faults += _faults(record.front_clip, library, front_figure, clip=_short_source(record.front_clip.source))
    window = _plot_window(record, frames)
    plot_drill, sprinting = (record.drill.id if drill_session else None), is_sprinting(record)
    bands = plots.target_bands(drill_id=plot_drill, sprinting=sprinting)
    figures = {
        "plot-angles": plots.angles_figure(record, drill_id=plot_drill, sprinting=sprinting, window_s=window),
        "plot-steps": plots.step_bars_figure(record),
        "plot-trunk": plots.trunk_figure(record, window_s=window),
        "plot-cycle-rate": plots.cycle_rate_figure(record),
    }
    headline = _drill_headline(record) if drill_session else _running_headline(record)
    svgs = [figure(k, 320) for k in frames]
    in_file = plots.file_seconds(record)
    key_frame_items = [
        {
            "label": k.label,
            "kind": k.kind,
            "side": k.side,
            "time": f"{in_file(k.time_s):.3f} s",
            "frame": k.frame,
            "svg": Markup(svg),
        }
        for k, svg in zip(frames, svgs, strict=True)
    ]
    sources = " + ".join(_short_source(clip.source) for clip in record.clips)
    pictures = stick_kinograms(record) if kinograms is None else kinograms
    context = {
        "title": f"kneedrive report: {sources}",
        "source": sources,  # a report is shared: no folder of this machine in it
        "version": record.kneedrive_version,
        "rendered_at": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "headline": headline,
        "findings": _session_findings(record),
        "not_judged": next((w for w in record.warnings if w.endswith(NOT_JUDGED)), None),
        "has_faults": any(clip.coaching.faults for clip in record.clips),
        "key_frames": key_frame_items,
        "has_series": record.series is not None,
        "on_video": any("video-frame" in svg for svg in svgs),
        "is_drill": drill_session,
        "window": None if window is None else f"{window[0]:.1f}-{window[1]:.1f} s of {_span_text(record)}",
        "figures": {k: Markup(v) for k, v in figures.items() if v is not None},
        # the green bands' sources, with the seed articles by title (the plot's labels give their numbers)
        "band_sources": [with_titles(b.label) for shown in bands.values() for b in shown],
        "summary_rows": drill_rows(record, fmt) if drill_session else _summary_rows(record),
        "faults": faults,
        "drills": _prescribed_drills(faults),
        "praise": [p.to_dict() for clip in record.clips for p in clip.coaching.praise],
        "reps": _reps(record),
        "quality": _quality(record),
        "smas": smas_context(record, library, pictures),
        "kinograms": kinogram_figures(record, pictures),
        "front": front_block(front_record),
        "front_clip": None if record.front_clip is None else _short_source(record.front_clip.source),
    }
    return _environment().get_template("report.html.j2").render(**context)


def write_report(record: AnalysisRecord, path: Path, *, drill_library: DrillLibrary | None = None) -> None:
    write_text_atomic(Path(path), render_report(record, drill_library=drill_library))

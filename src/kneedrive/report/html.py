"""report.html: one self-contained page (inline SVG and CSS, no script, no fetch) from a saved analysis.

`render_report(doc)` takes the analysis document (Analysis.to_dict(include_series=True), or a loaded
analysis.json), so `kneedrive report analysis.json` re-renders exactly what `--out` wrote.
"""

from __future__ import annotations

import statistics
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup

from .. import __version__
from ..io.atomic import write_text_atomic
from . import plots
from .drill_view import drill_rows, rep_figure
from .findings import is_drill, is_sprinting, top_findings
from .keyframes import KeyFrame, key_frame_at, key_frames, stick_figure_svg

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

SUMMARY_ROWS: tuple[tuple[str, str, str, float], ...] = (
    # (field, label, unit, display factor)
    ("speed_mps", "Speed", "m/s", 1.0),
    ("cadence_spm", "Cadence", "steps/min", 1.0),
    ("step_length_m", "Step length", "m", 1.0),
    ("contact_time_s", "Ground contact", "ms", 1000.0),
    ("flight_time_s", "Flight", "ms", 1000.0),
    ("thigh_angle_peak_deg", "Knee drive (thigh peak from vertical)", "°", 1.0),
    ("knee_flexion_touchdown_deg", "Knee bend at touchdown", "°", 1.0),
    ("touchdown_distance_m", "Foot ahead of hips at touchdown", "m", 1.0),
    ("trunk_lean_touchdown_deg", "Trunk lean at touchdown", "°", 1.0),
    ("ankle_dorsiflexion_knee_lift_deg", "Ankle at peak knee lift (+ toes up)", "°", 1.0),
    ("heel_recovery_height_m", "Heel height at recovery (vs hip)", "m", 1.0),
)


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


def _summary_rows(doc: Mapping[str, Any]) -> list[dict[str, str]]:
    summary, sides = doc.get("summary") or {}, doc.get("sides") or {}
    rows = []
    for name, label, unit, factor in SUMMARY_ROWS:
        left, right = sides.get("left", {}).get(name), sides.get("right", {}).get(name)
        value = summary.get(name)
        if value is None and left is None and right is None:
            continue
        rows.append(
            {
                "label": label,
                "all": fmt(value, factor, unit),
                "left": fmt(left, factor, unit),
                "right": fmt(right, factor, unit),
            }
        )
    return rows


def _faults(doc: Mapping[str, Any], library: DrillLibrary, figure: Figure) -> list[dict[str, Any]]:
    out = []
    for fault in doc.get("faults") or []:
        evidence = fault.get("evidence") or {}
        target = fault.get("target") or {}
        out.append(
            {
                "id": str(fault.get("id", "")),
                "title": str(fault.get("title") or str(fault.get("id", "fault")).replace("_", " ").capitalize()),
                "severity": str(fault.get("severity", "")),
                "metric": str(fault.get("metric", "")),
                "value": fmt(fault.get("value")),
                "target": ", ".join(f"{k} {fmt(target[k])}" for k in ("min", "max") if target.get(k) is not None)
                + (f" {target['units']}" if target.get("units") else ""),
                "times": ", ".join(f"{t:.2f} s" for t in (evidence.get("times_s") or [])[:12]),
                "cue": str(fault.get("cue") or ""),
                "source": str(fault.get("source") or ""),
                "seen": _evidence_figures(doc, fault, figure),
                "drills": [
                    {
                        "id": d,
                        "name": (library.get(d) or {}).get("name", d.replace("_", " ")),
                        "dose": (library.get(d) or {}).get("dose", ""),
                        "purpose": (library.get(d) or {}).get("purpose", ""),
                    }
                    for d in fault.get("drills") or []
                ],
            }
        )
    return out


def _evidence_moments(doc: Mapping[str, Any], fault: Mapping[str, Any]) -> list[tuple[float, str, str]]:
    """(time, side, caption) of up to EVIDENCE_FIGURES moments where a fault was seen. Rep evidence
    (coaching gives the rep's start) is shown at the top of the rep's middle cycle, where the knee-drive
    figures are read; step evidence at the step's time."""
    evidence = fault.get("evidence") or {}
    side = str(fault.get("side") or "")
    moments: list[tuple[float, str, str]] = []
    reps = {r.get("index"): r for r in (doc.get("drill") or {}).get("reps") or []}
    for index in evidence.get("reps") or []:
        rep = reps.get(index)
        if rep is None:
            continue
        cycles = [c for c in rep.get("cycles_detail") or [] if c.get("top_s") is not None]
        rep_side = rep.get("side") if rep.get("side") in ("left", "right") else side
        if cycles:
            top = cycles[len(cycles) // 2]
            moments.append((float(top["top_s"]), str(top.get("side") or rep_side), f"rep {index}, top"))
        else:
            moments.append(((float(rep["start_s"]) + float(rep["end_s"])) / 2.0, rep_side, f"rep {index}"))
    if not moments:
        moments = [(float(t), side, "") for t in evidence.get("times_s") or []]
    return moments[:EVIDENCE_FIGURES]


def _evidence_keys(doc: Mapping[str, Any], fault: Mapping[str, Any]) -> list[tuple[KeyFrame, str]]:
    out = []
    for t, side, caption in _evidence_moments(doc, fault):
        key = key_frame_at(doc, t, kind="evidence", side=side if side in ("left", "right") else "")
        if key is not None:
            out.append((key, caption))
    return out


def _evidence_figures(doc: Mapping[str, Any], fault: Mapping[str, Any], figure: Figure) -> list[dict[str, Any]]:
    """Figures (video frames or stick figures) where a fault was seen."""
    out = []
    for key, caption in _evidence_keys(doc, fault):
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


def _reps(doc: Mapping[str, Any]) -> list[dict[str, str]]:
    reps = (doc.get("drill") or {}).get("reps") or []
    return [
        {
            "index": str(r.get("index", i + 1)),
            "side": str(r.get("side") or ""),
            "time": f"{fmt(r.get('start_s'))}–{fmt(r.get('end_s'))} s",
            "cycles": str(r.get("cycles") if r.get("cycles") is not None else "–"),
            "rate": fmt(r.get("cycle_rate_hz"), 1.0, "Hz"),
            "decay": fmt(r.get("rate_decay_pct"), 1.0, "%") + (" (decayed)" if r.get("decayed") else ""),
            "thigh": fmt(r.get("thigh_angle_peak_deg"), 1.0, "°"),
        }
        for i, r in enumerate(reps)
    ]


def _quality(doc: Mapping[str, Any]) -> dict[str, Any]:
    inp, proc, summary = doc["input"], doc["processing"], doc.get("summary") or {}
    series = doc.get("series")
    facts = [
        ("Frame rate", fmt(inp["fps_hz"], 1.0, "fps")),
        ("Frames", str(inp["frames"])),
        ("Frames missing from the time stamps", str(missing_frames(inp["frames"], inp["fps_hz"], inp["duration_s"]))),
        ("Duration", fmt(inp["duration_s"], 1.0, "s")),
        ("Low-pass cut-off", fmt(proc["cutoff_hz"], 1.0, "Hz")),
        ("Direction of travel", f"{proc['direction']} (from {proc['direction_evidence']})"),
        ("Frames with left/right relabelled", str(proc["swapped_frames"])),
        ("Keypoint samples gap-filled", str(proc["filled_samples"])),
        (
            "Scale",
            "none (lengths in leg lengths)" if proc["leg_length_m"] is None else f"leg {proc['leg_length_m']:.3f} m",
        ),
        ("Contact time resolution", fmt(summary.get("contact_time_uncertainty_s"), 1000.0, "ms")),
    ]
    if series:
        facts.append(("Plot series rate", fmt(series["rate_hz"], 1.0, "Hz")))
    return {
        "facts": facts,
        "warnings": list(doc.get("warnings") or []),
        "unavailable": sorted((doc.get("unavailable") or {}).items()),
    }


def _short_source(source: str) -> str:
    """The file name of a path, or the description of an in-memory sequence as it is."""
    if source.startswith("<") or not ("/" in source or "\\" in source):
        return source
    return Path(source).name


def _running_headline(doc: Mapping[str, Any]) -> list[tuple[str, str]]:
    summary = doc.get("summary") or {}
    return [
        ("Activity", "Sprint / run"),
        ("Steps", str(summary.get("steps", 0))),
        ("Speed", fmt(summary.get("speed_mps"), 1.0, "m/s")),
        ("Cadence", fmt(summary.get("cadence_spm"), 1.0, "spm")),
        ("Ground contact", fmt(summary.get("contact_time_s"), 1000.0, "ms")),
    ]


def _drill_headline(doc: Mapping[str, Any]) -> list[tuple[str, str]]:
    drill = doc.get("drill") or {}
    reps = drill.get("reps") or []
    decays = [r["rate_decay_pct"] for r in reps if r.get("rate_decay_pct") is not None]
    return [
        ("Activity", str(drill.get("name") or drill.get("id", "drill")).replace("_", " ")),
        ("Reps", str(len(reps))),
        ("Cycles", str(sum(int(r.get("cycles") or 0) for r in reps))),
        ("Cycle rate", fmt(rep_figure(doc, "cycle_rate_hz"), 1.0, "Hz")),
        ("Most slowing in a rep", fmt(max(decays), 1.0, "%") if decays else "–"),
        ("Thigh at the top", fmt(rep_figure(doc, "thigh_angle_peak_deg"), 1.0, "°")),
    ]


def _plot_window(doc: Mapping[str, Any], frames: list[KeyFrame]) -> tuple[float, float] | None:
    """Time plots of long clips show PLOT_WINDOW_S around the key moments (a few strides a coach can
    read; for a drill, the first rep, up to DRILL_WINDOW_S), the bar plots still show every step.
    None: the whole clip."""
    times = [t for t in (doc.get("series") or {}).get("time_s", []) if t is not None]
    reps = (doc.get("drill") or {}).get("reps") or []
    if times and reps and not doc.get("steps"):
        start = max(times[0], float(reps[0]["start_s"]) - 0.3)
        end = min(times[-1], float(reps[0]["end_s"]) + 0.3, start + DRILL_WINDOW_S)
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


def _figure_drawer(doc: Mapping[str, Any], frames: list[KeyFrame], video_frames: VideoFrames | None) -> Figure:
    """Key frames drawn over the video (one decode pass for all of them) where it has them, else stick
    figures."""
    on_video: dict[tuple[str, str, float], str] = {}
    if video_frames is not None:
        keys = frames + [k for f in doc.get("faults") or [] for k, _ in _evidence_keys(doc, f)]
        for key, svg in zip(keys, video_frames(keys), strict=True):
            if svg is not None:
                on_video[(key.kind, key.side, key.time_s)] = svg

    def figure(key: KeyFrame, size_px: int) -> str:
        drawn = on_video.get((key.kind, key.side, key.time_s))
        return drawn if drawn is not None else stick_figure_svg(key, width_px=size_px, height_px=size_px)

    return figure


def render_report(
    doc: Mapping[str, Any], *, drill_library: DrillLibrary | None = None, video_frames: VideoFrames | None = None
) -> str:
    """The report HTML for an analysis document (with its `series` block for plots and key frames).
    `drill_library` (drill id -> name, dose, purpose) defaults to kneedrive.coaching's library;
    `video_frames` draws the key frames over the video (stick figures without it)."""
    library = coaching_drill_library() if drill_library is None else drill_library
    drill_session = is_drill(doc)

    frames = key_frames(doc)
    figure = _figure_drawer(doc, frames, video_frames)
    faults = _faults(doc, library, figure)
    window = _plot_window(doc, frames)
    figures = {
        "plot-angles": plots.angles_figure(
            doc,
            drill_id=(doc.get("drill") or {}).get("id") if drill_session else None,
            sprinting=is_sprinting(doc),
            window_s=window,
        ),
        "plot-steps": plots.step_bars_figure(doc),
        "plot-trunk": plots.trunk_figure(doc, window_s=window),
        "plot-cycle-rate": plots.cycle_rate_figure(doc),
    }
    headline = _drill_headline(doc) if drill_session else _running_headline(doc)
    svgs = [figure(k, 320) for k in frames]
    key_frame_items = [
        {
            "label": k.label,
            "kind": k.kind,
            "side": k.side,
            "time": f"{k.time_s:.3f} s",
            "frame": k.frame,
            "svg": Markup(svg),
        }
        for k, svg in zip(frames, svgs, strict=True)
    ]
    context = {
        "title": f"kneedrive report: {_short_source(str(doc.get('source', '')))}",
        "source": doc.get("source", ""),
        "version": doc.get("kneedrive_version", __version__),
        "rendered_at": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "headline": headline,
        "findings": top_findings(doc),
        "has_faults": bool(doc.get("faults")),
        "key_frames": key_frame_items,
        "has_series": bool(doc.get("series")),
        "on_video": any("video-frame" in svg for svg in svgs),
        "is_drill": drill_session,
        "window": None
        if window is None
        else f"{window[0]:.1f}-{window[1]:.1f} s of {doc['input']['duration_s']:.1f} s",
        "figures": {k: Markup(v) for k, v in figures.items() if v is not None},
        "summary_rows": drill_rows(doc, fmt) if drill_session else _summary_rows(doc),
        "faults": faults,
        "drills": _prescribed_drills(faults),
        "praise": list(doc.get("praise") or []),
        "reps": _reps(doc),
        "quality": _quality(doc),
    }
    return _environment().get_template("report.html.j2").render(**context)


def write_report(doc: Mapping[str, Any], path: Path, *, drill_library: DrillLibrary | None = None) -> None:
    write_text_atomic(Path(path), render_report(doc, drill_library=drill_library))

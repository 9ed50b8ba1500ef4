"""Report plots, drawn with matplotlib's object API (no pyplot global state) into inline SVG.

Text stays text in the SVG (`svg.fonttype = none`), so the browser draws it with the page's system
font: nothing is embedded or fetched. Every figure takes the analysis record, so a report re-rendered
from analysis.json draws the same plots.
"""

from __future__ import annotations

import contextlib
import io
import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import matplotlib
import numpy as np
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from ..coaching.references import load_references
from ..events import GaitEvent
from ..metrics.registry import registry
from ..record import AnalysisRecord, Series
from .skeleton import SIDE_COLOURS

SIDES = ("left", "right")
BAND_COLOUR = "#2ca02c"
#: Figure width: at 6 in the 9 pt labels are still ~7 px on a 390 px phone screen.
FIGURE_WIDTH_IN = 6.0
RC = {
    "svg.fonttype": "none",
    "svg.hashsalt": "kneedrive",  # stable element ids: the same analysis gives the same file
    "font.family": "sans-serif",
    "font.size": 9.0,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "grid.alpha": 0.3,
}


@dataclass(frozen=True)
class TargetBand:
    """A shaded band on an angle plot: the target or reference range, and where it comes from."""

    low: float
    high: float
    label: str


@dataclass(frozen=True)
class AnglePanel:
    angle: str  # series angle name without side, e.g. "thigh_angle_deg"
    title: str


ANGLE_PANELS = (
    AnglePanel("thigh_angle_deg", "Thigh from vertical (knee drive)"),
    AnglePanel("hip_flexion_deg", "Hip flexion"),
    AnglePanel("knee_flexion_deg", "Knee flexion"),
    AnglePanel("ankle_dorsiflexion_deg", "Ankle dorsiflexion (+ toes up)"),
)


def target_bands(*, drill_id: str | None, sprinting: bool) -> dict[str, tuple[TargetBand, ...]]:
    """Bands per angle (coaching/data/references.toml): drawn always, at sprint speed (a sprint compared
    with the 9.47 m/s sprinter of Dorn et al. 2012), or for the drills a reference applies to."""
    refs = load_references()
    applying = {r.id for r in refs.for_drill(drill_id)} if drill_id is not None else set()
    bands: dict[str, tuple[TargetBand, ...]] = {}
    for band in refs.bands:
        wanted = (
            band.when == "always"
            or (band.when == "sprinting" and drill_id is None and sprinting)
            or band.when in applying
        )
        if wanted:
            bands[band.angle] = (TargetBand(band.low, band.high, band.label),)
    return bands


def _windowed(
    record: AnalysisRecord, series: Series, window_s: tuple[float, float] | None
) -> tuple[list[int], list[GaitEvent]]:
    """Series sample indices and events inside the window (all of them without one)."""
    times = series.time_s
    events = list(record.events)
    if window_s is None:
        return list(range(len(times))), events
    lo, hi = window_s
    keep = [i for i, t in enumerate(times) if math.isfinite(t) and lo <= t <= hi]
    return keep, [e for e in events if lo <= e.time_s <= hi]


def _estimated_clock(record: AnalysisRecord) -> float | None:
    """The time scale of footage suspected slowed (analysed on an estimated clock), else None."""
    timing = None if record.video is None else record.video.timing
    if timing is None or not timing.get("slow_motion_suspected"):
        return None
    return float(timing["time_scale"])


def file_seconds(record: AnalysisRecord) -> Callable[[float], float]:
    """A moment's time as the video player shows it: slowed footage of unknown capture rate is analysed on an
    estimated clock (video.timing.time_scale), which is no time the coach can find in the file. (With a
    capture rate given or read from the file the analysis's time is real time and is shown as it is.)"""
    scale = _estimated_clock(record)
    return (lambda t: t) if scale is None else (lambda t: t / scale)


def _time_label(record: AnalysisRecord) -> str:
    """The time axis's name: the file's seconds on slowed footage say so (they are not the athlete's)."""
    return "time (s)" if _estimated_clock(record) is None else "time in the video (s; slowed footage)"


def _style() -> contextlib.AbstractContextManager[None]:
    # matplotlib types rc_context's keys as a Literal of every rcParam name; ours are among them.
    return matplotlib.rc_context(RC)  # type: ignore[arg-type]


def _side_legend(fig: Figure) -> None:
    """One left/right legend above the panels (per-axes legends would cover the curves)."""
    handles = [Line2D([], [], color=SIDE_COLOURS[s], linewidth=2.0, label=s) for s in SIDES]
    fig.legend(handles=handles, loc="outside upper right", ncol=2, fontsize=8, frameon=False)


_SVG_ID = re.compile(r'(\bid="|url\(#|href="#)([^"\)]+)')


def _svg(fig: Figure, figure_id: str) -> str:
    """The figure as inline SVG. matplotlib names its groups figure_1, axes_1, ... in every file, so
    each id (and each reference to one) gets the figure's prefix: ids stay unique on the page."""
    buf = io.StringIO()
    fig.savefig(buf, format="svg", bbox_inches="tight", metadata={"Date": None, "Creator": None})
    text = buf.getvalue()
    text = text[text.index("<svg") :]  # drop the XML prolog and DOCTYPE: the SVG goes inline
    return _SVG_ID.sub(lambda m: f"{m.group(1)}{figure_id}-{m.group(2)}", text)


def _values(series: Series, name: str) -> list[float] | None:
    raw = series.angles.get(name)
    if raw is None or not np.isfinite(raw).any():
        return None
    return [float(v) for v in raw]


def _times(record: AnalysisRecord, series: Series) -> list[float]:
    """The series' times on the plots' axis (file_seconds)."""
    clock = file_seconds(record)
    return [clock(float(t)) for t in series.time_s]


def _mark_events(ax: Any, record: AnalysisRecord, events: Sequence[GaitEvent]) -> None:
    clock = file_seconds(record)
    for e in events:
        colour = SIDE_COLOURS.get(e.side, "#444")
        style = "-" if e.kind == "touchdown" else ":"
        ax.axvline(clock(e.time_s), color=colour, linestyle=style, linewidth=0.8, alpha=0.7)


def angles_figure(
    record: AnalysisRecord, *, drill_id: str | None, sprinting: bool, window_s: tuple[float, float] | None = None
) -> str | None:
    """Thigh / hip / knee / ankle angles over time, left and right, target bands shaded, touchdowns
    (solid) and toe-offs (dotted) marked in the side's colour. None without a series."""
    series = record.series
    if series is None:
        return None
    keep, events = _windowed(record, series, window_s)
    times = _times(record, series)
    t = [times[i] for i in keep]
    bands = target_bands(drill_id=drill_id, sprinting=sprinting)
    panels = [p for p in ANGLE_PANELS if any(_values(series, f"{s}_{p.angle}") for s in SIDES)]
    if not panels:
        return None
    with _style():
        fig = Figure(figsize=(FIGURE_WIDTH_IN, 1.9 * len(panels)), layout="constrained")
        axes = fig.subplots(len(panels), 1, sharex=True, squeeze=False)[:, 0]
        for ax, panel in zip(axes, panels, strict=True):
            for band in bands.get(panel.angle, ()):
                ax.axhspan(band.low, band.high, color=BAND_COLOUR, alpha=0.15, linewidth=0)
                ax.set_title(f"green: {band.label}", loc="right", fontsize=7.5, color="#2a7a2a")
            for side in SIDES:
                values = _values(series, f"{side}_{panel.angle}")
                if values is not None:
                    ax.plot(t, [values[i] for i in keep], color=SIDE_COLOURS[side], linewidth=1.3)
            _mark_events(ax, record, events)
            ax.set_title(panel.title, loc="left", fontsize=9.5)
            ax.set_ylabel("deg")
        _side_legend(fig)
        axes[-1].set_xlabel(f"{_time_label(record)}; touchdown: solid line, toe-off: dotted")
        return _svg(fig, "angles")


def trunk_figure(record: AnalysisRecord, *, window_s: tuple[float, float] | None = None) -> str | None:
    series = record.series
    values = None if series is None else _values(series, "trunk_lean_deg")
    if series is None or values is None:
        return None
    keep, events = _windowed(record, series, window_s)
    times = _times(record, series)
    with _style():
        fig = Figure(figsize=(FIGURE_WIDTH_IN, 2.0), layout="constrained")
        ax = fig.subplots()
        ax.axhline(0.0, color="#888", linewidth=0.8)
        ax.plot([times[i] for i in keep], [values[i] for i in keep], color="#444", linewidth=1.3)
        _mark_events(ax, record, events)
        ax.set_title("Trunk lean from vertical (+ = toward the direction of travel)", loc="left", fontsize=9.5)
        ax.set_ylabel("deg")
        ax.set_xlabel(_time_label(record))
        return _svg(fig, "trunk")


STEP_BARS = ("contact_time_s", "flight_time_s", "thigh_angle_peak_deg")


def step_bars_figure(record: AnalysisRecord) -> str | None:
    """Per step, in time order, bars coloured by the touchdown foot; the side's median as a line."""
    steps = record.steps
    reg = registry()
    metrics = [
        (name, f"{reg[name].label} ({reg[name].display or reg[name].unit})", reg[name].factor)
        for name in STEP_BARS
        if any(getattr(s, name) is not None for s in steps)
    ]
    if not steps or not metrics:
        return None
    with _style():
        fig = Figure(figsize=(FIGURE_WIDTH_IN, 1.8 * len(metrics)), layout="constrained")
        axes = fig.subplots(len(metrics), 1, sharex=True, squeeze=False)[:, 0]
        positions = list(range(1, len(steps) + 1))
        for ax, (name, title, factor) in zip(axes, metrics, strict=True):
            for side in SIDES:
                mine = [(p, getattr(s, name)) for p, s in zip(positions, steps, strict=True) if s.side == side]
                shown = [(p, v) for p, v in mine if v is not None]
                ax.bar([p for p, _ in shown], [v * factor for _, v in shown], color=SIDE_COLOURS[side], width=0.75)
                median = record.sides.get(side, {}).get(name)
                if median is not None:
                    ax.axhline(median * factor, color=SIDE_COLOURS[side], linestyle="--", linewidth=1.0)
            ax.set_title(title, loc="left", fontsize=9.5)
        _side_legend(fig)
        axes[-1].set_xlabel("step (in time order); dashed: the side's median")
        axes[-1].set_xticks(positions if len(positions) <= 30 else positions[:: math.ceil(len(positions) / 30)])
        return _svg(fig, "steps")


def cycle_rate_figure(record: AnalysisRecord) -> str | None:
    """Within-rep cycle rate of a drill: one line per rep (cycles/s against the cycle number) when
    the reps carry cycle detail, else one bar per rep; each rep labelled with its rate decay."""
    reps = record.drill.reps
    if not reps:
        return None
    with _style():
        fig = Figure(figsize=(FIGURE_WIDTH_IN, 2.6), layout="constrained")
        ax = fig.subplots()
        drew = False
        for rep in reps:
            rates = [1.0 / (c.end_s - c.start_s) for c in rep.cycles_detail if c.end_s > c.start_s]
            decay = rep.rate_decay_pct
            label = f"rep {rep.index}" + ("" if decay is None else f": {decay:+.0f} %")
            if len(rates) >= 2:
                ax.plot(range(1, len(rates) + 1), rates, marker="o", markersize=3, linewidth=1.2, label=label)
                drew = True
        if drew:
            ax.set_xlabel("cycle within the rep")
        else:
            rates_or_none = [r.cycle_rate_hz for r in reps]
            if all(v is None for v in rates_or_none):
                return None
            colours = ["#d62728" if r.decayed else "#2ca02c" for r in reps]
            ax.bar([str(r.index) for r in reps], [v or 0.0 for v in rates_or_none], color=colours)
            for x, rep in enumerate(reps):
                if rep.rate_decay_pct is not None:
                    ax.annotate(f"{rep.rate_decay_pct:+.0f} %", (x, rep.cycle_rate_hz or 0.0), ha="center")
            ax.set_xlabel("rep (red: rate decayed)")
        ax.set_ylabel("cycles / s")
        ax.set_title("Cycle rate within each rep (decay = slowing down)", loc="left", fontsize=9.5)
        if drew:
            ax.legend(loc="upper right", fontsize=7, framealpha=0.8)
        return _svg(fig, "cycle-rate")

"""Progress plots as inline SVG (no script, no CDN): one small line chart per followed figure, the target
band shaded, each point a link to its session.

Honest axes: the value axis spans at least the metric's `plot_span()` (metrics.toml's plot_min_span), so a
series that barely moves (8.897 -> 8.896 m/s) is drawn nearly flat, not stretched to the plot's height; the
target band, where there is one, is always in view; tick labels are rounded to the metric's display
precision, and the left margin is as wide as the longest label."""

from __future__ import annotations

import math
from dataclasses import dataclass

from markupsafe import Markup, escape

from ..store.progress import ProgressSeries

WIDTH, HEIGHT = 340, 170
RIGHT, TOP, BOTTOM = 12, 12, 28
#: Width of one tick-label character at the chart's 11 px font (digits, sign, point), and the gap to the axis.
CHAR_PX, LABEL_GAP_PX = 6.6, 6
#: Room left above and below the values and band, as a fraction of the axis span.
PAD = 0.08


@dataclass(frozen=True)
class Axis:
    """The value axis of one chart, in display units."""

    low: float
    high: float
    ticks: tuple[float, ...]
    labels: tuple[str, ...]


def _ticks(low: float, high: float, decimals: int) -> list[float]:
    """Round values between low and high, 3 to 7 of them, on a step that `decimals` can write exactly."""
    span = high - low
    unit = 10.0**-decimals
    base = 10 ** math.floor(math.log10(span / 3))
    steps = [base * m for m in (1, 2, 2.5, 5, 10, 20)]
    exact = [s for s in steps if s >= unit - 1e-12 and abs(s / unit - round(s / unit)) < 1e-6]
    step = next((s for s in exact if span / s <= 6), exact[-1] if exact else unit)
    first = math.ceil(low / step - 1e-9) * step
    return [first + i * step for i in range(int((high - first) / step + 1e-9) + 1)]


def value_axis(series: ProgressSeries) -> Axis:
    metric = series.metric
    f = metric.factor
    values = [p.value * f for p in series.points]
    band = series.band
    ends = [] if band is None else [v * f for v in (band.low, band.high) if v is not None]
    low, high = min(values + ends), max(values + ends)
    least = metric.plot_span()
    if high - low < least:  # widened about the values' middle: a flat series sits mid-height
        middle = (min(values) + max(values)) / 2
        low, high = min(low, middle - least / 2), max(high, middle + least / 2)
        floor = (
            0.0 if series.take == "asymmetry" else None if metric.plausible_min is None else metric.plausible_min * f
        )
        if floor is not None and low < floor <= min(values + ends):  # no axis below what a human can do
            low, high = floor, high + (floor - low)
    pad = (high - low) * PAD
    low, high = low - pad, high + pad
    decimals = metric.tick_decimals()
    ticks = _ticks(low, high, decimals)
    labels = [f"{t:.{decimals}f}" for t in ticks]
    labels = [label[1:] if label.startswith("-") and float(label) == 0 else label for label in labels]
    return Axis(low, high, tuple(ticks), tuple(labels))


def progress_chart(series: ProgressSeries) -> Markup:
    f = series.metric.factor
    values = [p.value * f for p in series.points]
    band = series.band
    band_low = None if band is None or band.low is None else band.low * f
    band_high = None if band is None or band.high is None else band.high * f
    axis = value_axis(series)
    low, high = axis.low, axis.high
    left = math.ceil(LABEL_GAP_PX + 4 + CHAR_PX * max(len(label) for label in axis.labels))
    plot_w, plot_h = WIDTH - left - RIGHT, HEIGHT - TOP - BOTTOM
    n = len(values)

    def x(i: int) -> float:
        return left + (plot_w * (i + 0.5) / n)

    def y(v: float) -> float:
        return TOP + plot_h * (1 - (v - low) / (high - low))

    parts = [
        f'<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'aria-label="{escape(series.metric.label)} over sessions" data-metric="{escape(series.metric.name)}" '
        f'data-points="{n}" data-plot-top="{TOP}" data-plot-height="{plot_h}">'
    ]
    if band is not None and (band_low is not None or band_high is not None):
        top_v = high if band_high is None else min(band_high, high)
        bottom_v = low if band_low is None else max(band_low, low)
        parts.append(
            f'<rect class="band" x="{left}" y="{y(top_v):.1f}" width="{plot_w}" '
            f'height="{max(y(bottom_v) - y(top_v), 0):.1f}"><title>{escape(band.label)}</title></rect>'
        )
    for tick, label in zip(axis.ticks, axis.labels, strict=True):
        parts.append(
            f'<line class="grid" x1="{left}" x2="{WIDTH - RIGHT}" y1="{y(tick):.1f}" y2="{y(tick):.1f}"/>'
            f'<text class="tick" x="{left - LABEL_GAP_PX}" y="{y(tick) + 4:.1f}" text-anchor="end">{label}</text>'
        )
    if n > 1:
        line = " ".join(f"{x(i):.1f},{y(v):.1f}" for i, v in enumerate(values))
        parts.append(f'<polyline class="line" points="{line}"/>')
    unit = escape(series.metric.display)
    for i, (point, v) in enumerate(zip(series.points, values, strict=True)):
        label = escape(f"{point.recorded_on.isoformat()}: {series.metric.shown(point.value)}")
        parts.append(
            f'<a href="/sessions/{escape(point.session_id)}"><circle class="point" cx="{x(i):.1f}" cy="{y(v):.1f}" '
            f'r="4"><title>{label} {unit}</title></circle></a>'
        )
        if n <= 8 or i in (0, n - 1):
            parts.append(
                f'<text class="date" x="{x(i):.1f}" y="{HEIGHT - 8}" text-anchor="middle">'
                f"{point.recorded_on.strftime('%d %b')}</text>"
            )
    parts.append("</svg>")
    return Markup("".join(parts))

"""Progress plots as inline SVG (no script, no CDN): one small line chart per followed figure, the target
band shaded, each point a link to its session."""

from __future__ import annotations

import math

from markupsafe import Markup, escape

from ..store.progress import ProgressSeries

WIDTH, HEIGHT = 340, 170
LEFT, RIGHT, TOP, BOTTOM = 44, 12, 12, 28


def _ticks(low: float, high: float) -> list[float]:
    span = high - low
    step = 10 ** math.floor(math.log10(span / 3)) if span > 0 else 1.0
    for mult in (1, 2, 5, 10):
        if span / (step * mult) <= 5:
            step *= mult
            break
    first = math.ceil(low / step) * step
    return [first + i * step for i in range(int((high - first) / step) + 1)]


def progress_chart(series: ProgressSeries) -> Markup:
    f = series.metric.factor
    values = [p.value * f for p in series.points]
    band = series.band
    band_low = None if band is None or band.low is None else band.low * f
    band_high = None if band is None or band.high is None else band.high * f
    span_values = values + [v for v in (band_low, band_high) if v is not None]
    low, high = min(span_values), max(span_values)
    # a flat series is not drawn as a steep one: the axis spans at least 10% of the values' size
    pad = max((high - low) * 0.1, abs(high + low) * 0.025, 1e-9)
    low, high = low - pad, high + pad
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    n = len(values)

    def x(i: int) -> float:
        return LEFT + (plot_w * (i + 0.5) / n)

    def y(v: float) -> float:
        return TOP + plot_h * (1 - (v - low) / (high - low))

    parts = [
        f'<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'aria-label="{escape(series.metric.label)} over sessions" data-metric="{escape(series.metric.name)}" '
        f'data-points="{n}">'
    ]
    if band is not None and (band_low is not None or band_high is not None):
        top_v = high if band_high is None else min(band_high, high)
        bottom_v = low if band_low is None else max(band_low, low)
        parts.append(
            f'<rect class="band" x="{LEFT}" y="{y(top_v):.1f}" width="{plot_w}" '
            f'height="{max(y(bottom_v) - y(top_v), 0):.1f}"><title>{escape(band.label)}</title></rect>'
        )
    for tick in _ticks(low, high):
        parts.append(
            f'<line class="grid" x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y(tick):.1f}" y2="{y(tick):.1f}"/>'
            f'<text class="tick" x="{LEFT - 4}" y="{y(tick) + 4:.1f}" text-anchor="end">{tick:.4g}</text>'
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

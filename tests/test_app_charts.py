"""The progress plots' axes: a nearly flat series is drawn nearly flat (the metric's plot_min_span from
metrics.toml), a real change fills the plot, the target band is always in view, tick labels are rounded to
the metric's display precision and fit in the left margin."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from kneedrive.app.charts import CHAR_PX, progress_chart, value_axis
from kneedrive.metrics.registry import RegistryError, _metric
from kneedrive.store.progress import Band, Followed, Point, ProgressSeries, followed

FOLLOWED = {(activity, row.metric.name): row for activity in ("sprint", "wall_drill") for row in followed(activity)}


def _series(row: Followed, values: list[float], band: Band | None = None, activity: str = "sprint") -> ProgressSeries:
    """`values` in display units (as the coach reads them)."""
    f = row.metric.factor
    points = tuple(Point(f"{i:032x}", dt.date(2026, 1, 1 + 7 * i), v / f) for i, v in enumerate(values))
    return ProgressSeries(activity, row.metric, row.take, band, points)


def _drawn(series: ProgressSeries) -> tuple[list[float], float, list[tuple[float, str]]]:
    """(the points' y in px, the plot's height in px, the tick labels with their right edge x)."""
    svg = str(progress_chart(series))
    ys = [float(v) for v in re.findall(r'<circle class="point" cx="[\d.]+" cy="([\d.]+)"', svg)]
    height = float(re.search(r'data-plot-height="([\d.]+)"', svg).group(1))  # type: ignore[union-attr]
    ticks = [(float(x), label) for x, label in re.findall(r'<text class="tick" x="([\d.]+)"[^>]*>([^<]+)<', svg)]
    return ys, height, ticks


def test_a_nearly_flat_series_is_drawn_nearly_flat() -> None:
    speed = FOLLOWED["sprint", "speed_mps"]
    ys, height, ticks = _drawn(_series(speed, [8.89685, 8.89675, 8.8968]))
    assert (max(ys) - min(ys)) / height < 0.01  # was the full height: a 0.0001 m/s "drop"
    assert [label for _, label in ticks] == ["8.70", "8.80", "8.90", "9.00", "9.10"]
    ys, height, _ = _drawn(_series(speed, [7.6, 8.9]))
    assert (max(ys) - min(ys)) / height > 0.8  # a real change of 1.3 m/s fills the plot


@pytest.mark.parametrize(("activity", "name"), sorted(FOLLOWED))
def test_every_followed_figure_has_an_honest_axis_with_labels_that_fit(activity: str, name: str) -> None:
    row = FOLLOWED[activity, name]
    metric = row.metric
    assert metric.plot_min_span is not None, f"metrics.toml: {name} needs a plot_min_span"
    low, high = (metric.plausible_min or 0.0) * metric.factor, (metric.plausible_max or 1.0) * metric.factor
    middle = low + 0.6 * (high - low)
    tiny = metric.plot_span() / 50
    ys, height, ticks = _drawn(_series(row, [middle, middle + tiny, middle - tiny], activity=activity))
    assert (max(ys) - min(ys)) / height < 0.05  # a change of 1/50 of the least span stays small
    labels = [label for _, label in ticks]
    assert 3 <= len(labels) <= 7 and len(set(labels)) == len(labels)
    decimals = metric.tick_decimals()
    pattern = r"-?\d+" + (rf"\.\d{{{decimals}}}" if decimals else "")
    assert all(re.fullmatch(pattern, label) for label in labels), labels
    assert all(x - CHAR_PX * len(label) >= 0 for x, label in ticks)  # no label clipped at the left edge


def test_the_target_band_is_always_in_view() -> None:
    knee = FOLLOWED["sprint", "thigh_angle_peak_deg"]
    axis = value_axis(_series(knee, [40.0, 41.0], Band(60.0, 95.0, "criteria.toml")))
    assert axis.low < 40.0 and axis.high > 95.0
    contact = FOLLOWED["sprint", "contact_time_s"]
    axis = value_axis(_series(contact, [101.0, 100.0], Band(None, 0.12, "criteria.toml")))  # 120 ms
    assert axis.low < 100.0 and axis.high > 120.0
    svg = str(progress_chart(_series(contact, [101.0, 100.0], Band(None, 0.12, "criteria.toml"))))
    band_height = float(re.search(r'<rect class="band"[^>]* height="([\d.]+)"', svg).group(1))  # type: ignore[union-attr]
    assert band_height > 50


def test_asymmetry_axes_do_not_go_below_zero_and_long_labels_widen_the_margin() -> None:
    asym = FOLLOWED["sprint", "contact_time_pct"]
    axis = value_axis(_series(asym, [2.0, 2.5], Band(None, 10.0, "tolerance")))
    assert axis.low > -2.0 and axis.ticks[0] == 0.0 and axis.labels[0] == "0"
    contact = FOLLOWED["sprint", "contact_time_s"]
    short = _drawn(_series(contact, [100.0, 101.0]))[2]
    long = _drawn(_series(contact, [1400.0, 1401.0]))[2]
    assert long[0][0] > short[0][0]  # four-digit labels get the room they need


@pytest.mark.parametrize(
    ("field", "value"), [("plot_min_span", 0), ("plot_min_span", "wide"), ("decimals", 1.5), ("decimals", -1)]
)
def test_a_bad_plot_field_in_the_registry_fails_at_load(field: str, value: object) -> None:
    row = {
        "name": "x_deg",
        "scopes": ["summary"],
        "label": "X",
        "unit": "deg",
        "display": "°",
        "factor": 1.0,
        "measured_at": "clip",
        "range_source": "test",
        "better": "higher",
        field: value,
    }
    with pytest.raises(RegistryError, match=f"x_deg: {field}"):
        _metric(row)


def test_the_bands_sources_name_the_seed_articles_by_title() -> None:
    """The workspace's progress plots caption their green band with its source; the data files name the seeds by
    number ("seeds 000, 001, 004"), the caption by title, as the report does."""
    from kneedrive.coaching.library import SEED_TITLES
    from kneedrive.store.progress import band_for

    labels = [band.label for row in followed("sprint") if (band := band_for("sprint", row)) is not None]
    assert any("(seed 0" in label for label in labels)
    assert not any(re.search(r"\bseeds? \d{3}(?!\))", label) for label in labels), labels
    assert any(f"“{SEED_TITLES['000']}” (seed 000)" in label for label in labels)

"""The metric registry (data/metrics.toml): what each figure is, how it is shown, and what a human
can produce. Terminal, HTML, CSV and the coaching rules look figures up here; nowhere else names a
metric's label or unit."""

from __future__ import annotations

import math
import tomllib
from dataclasses import dataclass
from functools import cache
from importlib import resources
from types import MappingProxyType
from typing import Any, Literal

Scope = Literal["step", "summary", "side", "rep", "cycle", "rep_derived", "asymmetry", "smas", "front"]
SCOPES: tuple[Scope, ...] = ("step", "summary", "side", "rep", "cycle", "rep_derived", "asymmetry", "smas", "front")
BETTER = ("higher", "lower", "target", "none")


class RegistryError(ValueError):
    """The metric registry or a table that names metrics is inconsistent."""


#: Units of the figures every view gives (see Metric.view_free), unless a row says otherwise.
VIEW_FREE_UNITS = frozenset({"s", "Hz", "steps/min", "count"})
#: Units of times, rates and speeds: the figures that need real time (withheld on slowed footage of unknown
#: capture rate, metrics.honesty).
TIME_UNITS = frozenset({"s", "Hz", "m/s", "steps/min", "leg lengths/s"})


@dataclass(frozen=True)
class Metric:
    name: str
    scopes: tuple[Scope, ...]
    label: str
    unit: str
    display: str  # the unit it is shown in
    factor: float  # stored value x factor = shown value
    measured_at: str
    plausible_min: float | None
    plausible_max: float | None
    range_source: str
    better: str
    scope_labels: MappingProxyType[str, str]
    of: str | None = None  # an asymmetry row: the per-side figure it compares
    needs_ground: bool = False  # positions relative to the ground: a still or measured camera
    #: Any view with some sideways travel gives it (times and rates: the events need only the feet's reach
    #: relative to the hips); the others need a side view (angles and distances in the sagittal plane).
    view_free: bool = False
    #: Computed from when events happen (touchdowns, the tops of knee drives): it needs every event seen, so
    #: not when a step spans too few images (kinematics.timebase). Times and rates by default.
    from_event_times: bool = False
    #: Needs real time: withheld on slowed footage of unknown capture rate (metrics.honesty). Times, rates
    #: and speeds by default.
    needs_real_time: bool = False
    plot_min_span: float | None = None  # display units: the least a plot's axis spans (see plot_span)
    decimals: int | None = None  # display precision of a plot's tick labels (see tick_decimals)

    def plot_span(self) -> float:
        """The least span of a plot's value axis, in display units: a change smaller than this is drawn as
        the small change it is, not stretched to the plot's height. From `plot_min_span`, else a tenth of
        the plausible range."""
        if self.plot_min_span is not None:
            return self.plot_min_span
        if self.plausible_min is not None and self.plausible_max is not None:
            return 0.1 * (self.plausible_max - self.plausible_min) * self.factor
        return 1.0

    def tick_decimals(self) -> int:
        """Decimals of the tick labels: `decimals`, else what a tenth of the plot span needs."""
        if self.decimals is not None:
            return self.decimals
        return max(0, -math.floor(math.log10(self.plot_span() / 10)))

    def label_in(self, scope: str) -> str:
        """The label for this scope (a rep's cadence is knee drives per minute)."""
        return self.scope_labels.get(scope, self.label)

    def plausible(self, value: float) -> bool:
        """Whether a human can produce `value` (no range: any finite value)."""
        if not math.isfinite(value):
            return False
        low, high = self.plausible_min, self.plausible_max
        return (low is None or value >= low) and (high is None or value <= high)

    def shown(self, value: float | None) -> str:
        """The value in its display unit, with a sensible number of digits ("-" for none)."""
        if value is None:
            return "-"
        v = value * self.factor
        return f"{v:.0f}" if abs(v) >= 100 else f"{v:.2f}" if abs(v) < 10 else f"{v:.1f}"


@dataclass(frozen=True)
class Registry:
    metrics: MappingProxyType[str, Metric]

    def __getitem__(self, name: str) -> Metric:
        try:
            return self.metrics[name]
        except KeyError:
            raise RegistryError(f"{name!r} is not a metric in metrics.toml") from None

    def __contains__(self, name: object) -> bool:
        return name in self.metrics

    def names(self, scope: Scope) -> tuple[str, ...]:
        return tuple(n for n, m in self.metrics.items() if scope in m.scopes)

    def check(self, name: str, scope: Scope, where: str) -> Metric:
        """The metric, or a RegistryError naming `where` (a criterion, a table row) and the metric."""
        metric = self.metrics.get(name)
        if metric is None or scope not in metric.scopes:
            known = "not a metric" if metric is None else f"not a {scope} metric"
            raise RegistryError(f"{where}: metric {name!r} is {known} (see kneedrive/metrics/data/metrics.toml)")
        return metric


def asymmetry_name(side_metric: str) -> str:
    """contact_time_s -> contact_time_pct: the left/right difference of a per-side figure."""
    return f"{side_metric.rsplit('_', 1)[0]}_pct"


def _metric(raw: dict[str, Any]) -> Metric:
    low, high = raw.get("plausible", (None, None))
    scopes = tuple(raw["scopes"])
    bad = [s for s in scopes if s not in SCOPES]
    if bad or raw["better"] not in BETTER:
        raise RegistryError(f"metrics.toml: {raw['name']}: unknown scope {bad} or better {raw['better']!r}")
    return Metric(
        name=raw["name"],
        scopes=scopes,
        label=raw["label"],
        unit=raw["unit"],
        display=raw["display"],
        factor=float(raw["factor"]),
        measured_at=raw["measured_at"],
        plausible_min=None if low is None else float(low),
        plausible_max=None if high is None else float(high),
        range_source=raw["range_source"],
        better=raw["better"],
        scope_labels=MappingProxyType(dict(raw.get("labels", {}))),
        needs_ground=bool(raw.get("needs_ground", False)),
        view_free=bool(raw.get("view_free", raw["unit"] in VIEW_FREE_UNITS)),
        from_event_times=bool(raw.get("from_event_times", raw["unit"] in TIME_UNITS)),
        needs_real_time=bool(raw.get("needs_real_time", raw["unit"] in TIME_UNITS)),
        plot_min_span=_positive(raw, "plot_min_span"),
        decimals=_decimals(raw, "decimals"),
    )


def _positive(raw: dict[str, Any], key: str) -> float | None:
    value = raw.get(key)
    if value is None:
        return None
    if not isinstance(value, int | float) or isinstance(value, bool) or not math.isfinite(value) or value <= 0:
        raise RegistryError(f"metrics.toml: {raw.get('name', 'asymmetry')}: {key} must be a number > 0, got {value!r}")
    return float(value)


def _decimals(raw: dict[str, Any], key: str) -> int | None:
    value = raw.get(key)
    if value is None:
        return None
    if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= 6:
        raise RegistryError(f"metrics.toml: {raw.get('name', 'asymmetry')}: {key} must be a whole number 0-6")
    return value


def _asymmetry_rows(raw: dict[str, Any], metrics: dict[str, Metric]) -> dict[str, Metric]:
    low, high = raw["asymmetry_plausible"]
    out = {}
    for side_name in raw["asymmetry"]:
        side = metrics[side_name]
        if "side" not in side.scopes:
            raise RegistryError(f"metrics.toml: asymmetry of {side_name}, which is not a side metric")
        name = asymmetry_name(side_name)
        out[name] = Metric(
            name=name,
            scopes=("asymmetry",),
            label=f"Left/right difference in {side.label[0].lower()}{side.label[1:]}",
            unit="%",
            display="%",
            factor=1.0,
            measured_at=side.measured_at,
            plausible_min=float(low),
            plausible_max=float(high),
            range_source=raw["asymmetry_range_source"],
            better="lower",
            scope_labels=MappingProxyType({}),
            of=side_name,
            plot_min_span=_positive(raw, "asymmetry_plot_min_span"),
            decimals=_decimals(raw, "asymmetry_decimals"),
        )
    return out


@cache
def registry() -> Registry:
    text = resources.files("kneedrive.metrics").joinpath("data/metrics.toml").read_text(encoding="utf-8")
    raw = tomllib.loads(text)
    metrics: dict[str, Metric] = {}
    for row in raw["metric"]:
        if row["name"] in metrics:
            raise RegistryError(f"metrics.toml: {row['name']} is listed twice")
        metrics[row["name"]] = _metric(row)
    metrics.update(_asymmetry_rows(raw, metrics))
    return Registry(MappingProxyType(metrics))


def metric(name: str) -> Metric:
    return registry()[name]

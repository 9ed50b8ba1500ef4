"""The automated Sprint Mechanics Assessment Score (S-MAS; Bramah et al. 2024, AJSM,
doi 10.1177/03635465241235525): 12 yes/no items, each a rule on one measured figure at one of the
stride's five positions (kneedrive.events.phases), scored per side and per stride.

The items, their figures, thresholds and sources are data (data/smas.toml); this module only measures
the named figures and counts. An item whose figure cannot be measured from the motion given (2D
keypoints have no pelvis markers; no side camera sees a rotation) is "not scored" (fault None), and
the total says out of how many items it counts. Not validated against trained raters.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from types import MappingProxyType
from typing import Any

import numpy as np

from ..events.model import SIDES, GaitEvent, Side, other
from ..events.phases import POSITIONS, Motion, StridePhases, stride_phases, typical_stride
from ..metrics.registry import RegistryError, registry
from .criteria import load_criteria
from .data_files import CoachingDataError, load_validated
from .library import load_library

#: A figure: (motion, stride, the leg it looks at) -> its value at the item's position, or None.
FigureFn = Callable[[Motion, StridePhases, Side], float | None]


# ------------------------------------------------------------------------------------------ the figures
def _at(motion: Motion, stride: StridePhases, position: str) -> int | None:
    return stride.samples.get(position)


def _angle(motion: Motion, name: str, i: int | None) -> float | None:
    values = motion.angles.get(name)
    if values is None or i is None:
        return None
    v = float(values[i])
    return v if math.isfinite(v) else None


def _point(motion: Motion, name: str, i: int | None) -> tuple[float, float] | None:
    values = motion.points.get(name)
    if values is None or i is None:
        return None
    x, y = float(values[i][0]), float(values[i][1])
    return (x, y) if math.isfinite(x) and math.isfinite(y) else None


def _mid_hip_x(motion: Motion, i: int | None) -> float | None:
    a, b = _point(motion, "left_hip", i), _point(motion, "right_hip", i)
    return None if a is None or b is None else (a[0] + b[0]) / 2.0


def _difference(a: float | None, b: float | None) -> float | None:
    return None if a is None or b is None else a - b


def _thigh_at_toe_off(m: Motion, s: StridePhases, leg: Side) -> float | None:
    return _angle(m, f"{leg}_thigh_angle_deg", _at(m, s, "contralateral_toe_off"))


def _knee_at_toe_off(m: Motion, s: StridePhases, leg: Side) -> float | None:
    return _angle(m, f"{leg}_knee_flexion_deg", _at(m, s, "contralateral_toe_off"))


def _shin_above_horizontal(m: Motion, s: StridePhases, leg: Side) -> float | None:
    """The recovering (trailing) shin above the horizontal at max vertical projection (deg; + = the heel
    higher than the knee, 0 = the shin parallel to the floor). The shin angle is knee -> ankle from
    straight down, - = ankle behind the knee, so -90 is a shin parallel to the floor behind the knee."""
    shank = _angle(m, f"{leg}_shank_angle_deg", _at(m, s, "max_vertical_projection"))
    return None if shank is None else -shank - 90.0


def _knee_behind_hips(m: Motion, s: StridePhases, leg: Side) -> float | None:
    """The trailing knee behind the mid-hip in late swing (strike; leg lengths, + = behind)."""
    i = _at(m, s, "strike")
    knee = _point(m, f"{leg}_knee", i)
    return _difference(_mid_hip_x(m, i), None if knee is None else knee[0])


def _pelvic_tilt_flight(m: Motion, s: StridePhases, leg: Side) -> float | None:
    """The highest anterior pelvic tilt from max vertical projection to late swing (either order)."""
    a, b, tilt = _at(m, s, "max_vertical_projection"), _at(m, s, "strike"), m.angles.get("pelvic_tilt_deg")
    if a is None or b is None or tilt is None:
        return None
    window = np.asarray(tilt[min(a, b) : max(a, b) + 1], dtype=float)
    return float(np.nanmax(window)) if np.isfinite(window).any() else None


def _thigh_separation_touchdown(m: Motion, s: StridePhases, leg: Side) -> float | None:
    """The stance thigh ahead of the swing thigh at touch-down (deg): the gap between the thighs."""
    i = _at(m, s, "touchdown")
    return _difference(_angle(m, f"{leg}_thigh_angle_deg", i), _angle(m, f"{other(leg)}_thigh_angle_deg", i))


def _angle_at(name: str, position: str, *, own: bool = True) -> FigureFn:
    def figure(m: Motion, s: StridePhases, leg: Side) -> float | None:
        return _angle(m, name.format(side=leg) if own else name, _at(m, s, position))

    return figure


def _foot_inclination(m: Motion, s: StridePhases, leg: Side) -> float | None:
    """The foot's inclination from level at touch-down, either way (toes up: heel strike; toes down:
    forefoot strike with the heel high)."""
    angle = _angle(m, f"{leg}_foot_angle_deg", _at(m, s, "touchdown"))
    return None if angle is None else abs(angle)


def _foot_ahead(m: Motion, s: StridePhases, leg: Side) -> float | None:
    """Foot centre (mean of heel and toe) ahead of the mid-hip at touch-down (leg lengths)."""
    i = _at(m, s, "touchdown")
    heel, toe = _point(m, f"{leg}_heel", i), _point(m, f"{leg}_foot_index", i)
    if heel is None or toe is None:
        return None
    return _difference((heel[0] + toe[0]) / 2.0, _mid_hip_x(m, i))


def _knee_yield(m: Motion, s: StridePhases, leg: Side) -> float | None:
    name = f"{leg}_knee_flexion_deg"
    return _difference(_angle(m, name, _at(m, s, "full_support")), _angle(m, name, _at(m, s, "touchdown")))


#: The figures an item may name (data/smas.toml `figure`, `and_figure`); each also a row of the metric registry.
FIGURES: Mapping[str, FigureFn] = {
    "thigh_angle_toe_off_deg": _thigh_at_toe_off,
    "knee_flexion_toe_off_deg": _knee_at_toe_off,
    "shin_above_horizontal_mvp_deg": _shin_above_horizontal,
    "trailing_knee_behind_hip_strike_legs": _knee_behind_hips,
    "pelvic_tilt_flight_deg": _pelvic_tilt_flight,
    "pelvic_tilt_touchdown_deg": _angle_at("pelvic_tilt_deg", "touchdown", own=False),
    "trunk_lean_touchdown_deg": _angle_at("trunk_lean_deg", "touchdown", own=False),
    "thigh_separation_touchdown_deg": _thigh_separation_touchdown,
    "touchdown_distance_legs": _foot_ahead,
    "shank_angle_touchdown_deg": _angle_at("{side}_shank_angle_deg", "touchdown"),
    "foot_inclination_touchdown_deg": _foot_inclination,
    "knee_flexion_gain_stance_deg": _knee_yield,
}

#: Figures not read at their item's position but at a moment of their own (the frame reported is that
#: moment's). None at present: every item of the paper names its position.
READ_AT: Mapping[str, Callable[[Motion, StridePhases, Side], int | None]] = {}


# ------------------------------------------------------------------------------------------ the items (data)
@dataclass(frozen=True)
class SmasItem:
    """One item of the score as data/smas.toml defines it."""

    id: str
    name: str
    phase: str  # one of events.phases.POSITIONS
    figure: str | None  # None: not scorable from a side camera at all
    limb: str  # "stride" (the touch-down leg's stride) | "trailing" (the contralateral leg)
    min: float | None  # fault below
    max: float | None  # fault above
    threshold_range: tuple[float, float] | None  # the plausible choices for a qualitative threshold
    criterion: str | None
    why: str
    not_scored: str
    cue: str
    prescribe: tuple[str, ...]
    source: str
    definition: str = ""  # the paper's yes/no question, paraphrased
    #: A second figure the fault also needs within its bound (the paper's "... combined with ...").
    and_figure: str | None = None
    and_max: float | None = None

    @property
    def threshold(self) -> float | None:
        return self.max if self.max is not None else self.min

    def also(self, value: float | None) -> bool:
        """Whether the second condition holds (always, for an item without one)."""
        if self.and_figure is None:
            return True
        return value is not None and (self.and_max is None or value <= self.and_max)

    def fault(self, value: float, threshold: float | None = None) -> bool:
        limit = self.threshold if threshold is None else threshold
        if limit is None:
            return False
        return value > limit if self.max is not None else value < limit


@dataclass(frozen=True)
class Band:
    name: str
    max_total: int  # a total up to this is in the band


@dataclass(frozen=True)
class SmasRules:
    items: tuple[SmasItem, ...]
    bands: tuple[Band, ...]
    norms: Mapping[str, tuple[float, float]]  # men / women: mean, sd
    min_step_frequency_hz: float
    source: str

    def band(self, total: int) -> str:
        return next(b.name for b in self.bands if total <= b.max_total)


def _item(raw: dict[str, Any]) -> SmasItem:
    low, high = raw.get("min"), raw.get("max")
    criterion = raw.get("criterion")
    if criterion is not None:
        by_id = {c.id: c for c in load_criteria()}
        if criterion not in by_id:
            raise CoachingDataError(f"smas.toml: {raw['id']}: no criterion {criterion!r} in criteria.toml")
        c = by_id[criterion]
        if c.metric != raw.get("figure"):
            raise CoachingDataError(f"smas.toml: {raw['id']}: criterion {criterion} judges {c.metric}")
        low, high = (None, c.max) if c.max is not None else (c.min, None)
    span = raw.get("threshold_range")
    return SmasItem(
        id=raw["id"],
        name=raw["name"],
        phase=raw["phase"],
        figure=raw.get("figure"),
        limb=raw.get("limb", "stride"),
        min=low,
        max=high,
        threshold_range=None if span is None else (float(span[0]), float(span[1])),
        criterion=criterion,
        why=raw["why"],
        not_scored=raw.get("not_scored", ""),
        cue=raw.get("cue", ""),
        prescribe=tuple(raw.get("prescribe", ())),
        source=raw["source"],
        definition=raw.get("definition", ""),
        and_figure=raw.get("and_figure"),
        and_max=raw.get("and_max"),
    )


def _check(item: SmasItem) -> None:
    where = f"smas.toml: {item.id}"
    if item.phase not in POSITIONS:
        raise CoachingDataError(f"{where}: phase {item.phase!r} is not one of {', '.join(POSITIONS)}")
    if item.figure is None:
        if not item.not_scored:
            raise CoachingDataError(f"{where}: an item with no figure must say why it is not scored")
        return
    for name in (item.figure, item.and_figure):
        if name is None:
            continue
        if name not in FIGURES:
            raise CoachingDataError(f"{where}: figure {name!r} is not measured (kneedrive.coaching.smas.FIGURES)")
        try:
            registry().check(name, "smas", where)
        except RegistryError as exc:
            raise CoachingDataError(str(exc)) from None
    if (item.and_figure is None) != (item.and_max is None):
        raise CoachingDataError(f"{where}: and_figure and and_max go together")
    if (item.min is None) == (item.max is None):
        raise CoachingDataError(f"{where}: give exactly one of min (fault below) or max (fault above)")
    span, limit = item.threshold_range, item.threshold
    if span is not None and limit is not None and not span[0] <= limit <= span[1]:
        raise CoachingDataError(f"{where}: threshold {limit} outside its threshold_range {span}")
    unknown = [d for d in item.prescribe if d not in load_library().ids]
    if unknown:
        raise CoachingDataError(f"{where}: prescribes {', '.join(unknown)}, not in the library")


@cache
def load_smas() -> SmasRules:
    """The S-MAS rules (data/smas.toml), validated against the schema, the registry, the criteria and
    the library when loaded."""
    raw = load_validated("smas")
    items = tuple(_item(r) for r in raw["item"])
    if len({i.id for i in items}) != len(items):
        raise CoachingDataError("smas.toml: duplicate item ids")
    for item in items:
        _check(item)
    bands = tuple(Band(b["name"], int(b["max_total"])) for b in raw["band"])
    norms = {k: (float(v["mean"]), float(v["sd"])) for k, v in raw["norms"].items()}
    return SmasRules(items, bands, norms, float(raw["min_step_frequency_hz"]), raw["source"])


# ------------------------------------------------------------------------------------------ the result
@dataclass(frozen=True)
class SideCall:
    """One item on one side: the call (None: not scored), the median figure over the strides, the
    frames of the item's position in each stride, each stride's figure and call."""

    fault: bool | None
    value: float | None
    frames: tuple[int, ...]
    strides: tuple[float | None, ...]
    stride_faults: tuple[bool | None, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "fault": self.fault,
            "value": self.value,
            "frames": list(self.frames),
            "strides": list(self.strides),
            "stride_faults": list(self.stride_faults),
        }

    @classmethod
    def from_dict(cls, doc: Mapping[str, Any]) -> SideCall:
        return cls(
            fault=doc["fault"],
            value=doc["value"],
            frames=tuple(int(f) for f in doc["frames"]),
            strides=tuple(None if v is None else float(v) for v in doc["strides"]),
            stride_faults=tuple(doc["stride_faults"]),
        )


@dataclass(frozen=True)
class ItemResult:
    id: str
    name: str
    phase: str
    figure: str | None
    threshold: float | None
    fault_when: str  # "above" | "below" | ""
    not_scored: str  # why, when it is not scored on either side
    sides: Mapping[str, SideCall]

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "phase": self.phase,
            "figure": self.figure,
            "threshold": self.threshold,
            "fault_when": self.fault_when,
            "not_scored": self.not_scored,
            **{side: self.sides[side].to_dict() for side in SIDES},
        }

    @classmethod
    def from_dict(cls, doc: Mapping[str, Any]) -> ItemResult:
        return cls(
            id=doc["id"],
            name=doc["name"],
            phase=doc["phase"],
            figure=doc["figure"],
            threshold=doc["threshold"],
            fault_when=doc["fault_when"],
            not_scored=doc["not_scored"],
            sides=MappingProxyType({side: SideCall.from_dict(doc[side]) for side in SIDES}),
        )


@dataclass(frozen=True)
class SideTotal:
    total: int
    scored: int
    band: str

    def to_dict(self) -> dict[str, Any]:
        return {"total": self.total, "scored": self.scored, "band": self.band}


@dataclass(frozen=True)
class SmasFinding:
    """An item that fired, as coaching: the sides it fired on, each side's value against the threshold,
    the frames of the strides that breached it (to check the call), the cue and the drills (those of the
    item's criterion when it has one: one target, one cue). `same_as`: the id of the criterion fault that
    reports the same thing (the report and the terminal then point at it rather than repeat it)."""

    id: str
    name: str
    phase: str
    sides: tuple[str, ...]
    values: Mapping[str, float | None]
    threshold: float | None
    fault_when: str
    frames: tuple[int, ...]
    cue: str
    drills: tuple[str, ...]
    source: str
    criterion: str = ""
    same_as: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "phase": self.phase,
            "sides": list(self.sides),
            "values": dict(self.values),
            "threshold": self.threshold,
            "fault_when": self.fault_when,
            "frames": list(self.frames),
            "cue": self.cue,
            "drills": list(self.drills),
            "source": self.source,
            "criterion": self.criterion,
            "same_as": self.same_as,
        }

    @classmethod
    def from_dict(cls, doc: Mapping[str, Any]) -> SmasFinding:
        return cls(
            id=doc["id"],
            name=doc["name"],
            phase=doc["phase"],
            sides=tuple(doc["sides"]),
            values=MappingProxyType(dict(doc["values"])),
            threshold=doc["threshold"],
            fault_when=doc["fault_when"],
            frames=tuple(int(f) for f in doc["frames"]),
            cue=doc["cue"],
            drills=tuple(doc["drills"]),
            source=doc["source"],
            criterion=doc.get("criterion", ""),
            same_as=doc.get("same_as", ""),
        )


@dataclass(frozen=True)
class Smas:
    """The score of one clip: per side and, as `total`, the worse side (a side's 12 items are what the
    published bands describe). `total_range`: the worse side's total at every choice of the qualitative
    thresholds within their threshold_range (how much the total hangs on those choices)."""

    total: int
    scored: int
    band: str
    sides: Mapping[str, SideTotal]
    total_range: tuple[int, int]
    typical_strides: Mapping[str, int | None]  # per side: the index of the stride the kinogram shows
    #: per side: position -> (input frame, time) in the typical stride, or None where it was not found
    positions: Mapping[str, Mapping[str, tuple[int, float] | None]]
    items: tuple[ItemResult, ...]
    #: The fired items as coaching (kneedrive.coaching.smas_findings; empty until the analysis adds them).
    findings: tuple[SmasFinding, ...] = ()
    #: Values withheld by the honesty checks (their warnings; not saved: the analysis' warnings carry them).
    withheld: tuple[str, ...] = field(default=(), compare=False)

    def to_dict(self) -> dict[str, Any]:
        return {
            "total": self.total,
            "scored": self.scored,
            "out_of": len(self.items),
            "band": self.band,
            "sides": {side: self.sides[side].to_dict() for side in SIDES},
            "total_range": list(self.total_range),
            "typical_strides": dict(self.typical_strides),
            "positions": {
                side: {
                    p: None if v is None else {"frame": v[0], "time_s": v[1]} for p, v in self.positions[side].items()
                }
                for side in SIDES
            },
            "items": [i.to_dict() for i in self.items],
            "findings": [f.to_dict() for f in self.findings],
        }

    @classmethod
    def from_dict(cls, doc: Mapping[str, Any]) -> Smas:
        sides = doc["sides"]
        return cls(
            total=int(doc["total"]),
            scored=int(doc["scored"]),
            band=str(doc["band"]),
            sides=MappingProxyType(
                {s: SideTotal(int(sides[s]["total"]), int(sides[s]["scored"]), sides[s]["band"]) for s in SIDES}
            ),
            total_range=(int(doc["total_range"][0]), int(doc["total_range"][1])),
            typical_strides=MappingProxyType(dict(doc["typical_strides"])),
            positions=MappingProxyType(
                {
                    s: MappingProxyType(
                        {
                            p: None if v is None else (int(v["frame"]), float(v["time_s"]))
                            for p, v in doc["positions"][s].items()
                        }
                    )
                    for s in SIDES
                }
            ),
            items=tuple(ItemResult.from_dict(i) for i in doc["items"]),
            findings=tuple(SmasFinding.from_dict(f) for f in doc.get("findings") or ()),
        )

    def fired(self) -> tuple[ItemResult, ...]:
        return tuple(i for i in self.items if any(i.sides[s].fault for s in SIDES))


# ------------------------------------------------------------------------------------------ scoring
#: Per stride of a side: the item's figure, the frame of its position, and its `and_figure` (if any).
Measured = tuple[list[float | None], list[int], list[float | None]]


def _median(values: Sequence[float | None]) -> float | None:
    measured = [v for v in values if v is not None]
    return float(statistics.median(measured)) if measured else None


def _call(
    item: SmasItem,
    values: Sequence[float | None],
    frames: Sequence[int],
    also: Sequence[float | None],
    threshold: float | None,
) -> SideCall:
    """A side's call: its strides' median against the threshold (and, for an item with an `and_figure`,
    that figure's median within its bound too); each stride's call the same way on its own values."""
    value = _median(values)
    if item.figure is None or value is None:
        return SideCall(None, None, tuple(frames), tuple(values), tuple(None for _ in values))
    pairs = zip(values, also if item.and_figure else [None] * len(values), strict=True)
    return SideCall(
        fault=item.fault(value, threshold) and item.also(_median(also)),
        value=value,
        frames=tuple(frames),
        strides=tuple(values),
        stride_faults=tuple(None if v is None else item.fault(v, threshold) and item.also(a) for v, a in pairs),
    )


def _measure(
    item: SmasItem, motion: Motion, strides: Mapping[str, Sequence[StridePhases]], withheld: list[str]
) -> dict[str, Measured]:
    """Per side: each stride's figure and the frame of the item's position (one each per stride, in
    step). A trailing-limb item looks at the contralateral leg of the stride, so its values belong to that
    leg's side. A value outside what a human can do (the registry's plausible range) is withheld (None),
    its reason added to `withheld`."""
    out: dict[str, Measured] = {side: ([], [], []) for side in SIDES}
    metric = None if item.figure is None else registry()[item.figure]
    for stride_side in SIDES:
        for stride in strides[stride_side]:
            if not stride.complete:
                continue
            leg = other(stride.side) if item.limb == "trailing" else stride.side
            read_at = READ_AT.get(item.figure or "")
            sample = stride.samples[item.phase] if read_at is None else read_at(motion, stride, leg)
            if sample is None:
                continue
            value = None if item.figure is None else FIGURES[item.figure](motion, stride, leg)
            if value is not None and metric is not None and not metric.plausible(value):
                withheld.append(
                    f"S-MAS {item.id} withheld at frame {int(motion.frames[sample])}: "
                    f"{metric.shown(value)} {metric.display} is outside what a human can do ({metric.range_source})"
                )
                value = None
            values, frames, also = out[leg]
            values.append(value)
            frames.append(int(motion.frames[sample]))
            if item.and_figure is not None:
                also.append(FIGURES[item.and_figure](motion, stride, leg))
    return out


def _side_totals(results: Sequence[ItemResult], rules: SmasRules) -> dict[str, SideTotal]:
    """Each side's total and its published band. Items a side camera can score but this clip did not (no
    sample, a figure withheld) could each add a point: when they could move the total into another band,
    the band is given as the range it could be in."""
    out: dict[str, SideTotal] = {}
    for side in SIDES:
        calls = [r.sides[side].fault for r in results]
        total = sum(1 for c in calls if c)
        scored = sum(1 for c in calls if c is not None)
        out[side] = SideTotal(total, scored, _band_range(rules, [(total, scored)]))
    return out


def _band_range(rules: SmasRules, sides: Sequence[tuple[int, int]]) -> str:
    """The band of the worse of `sides` ((total, scored) each), or the range of bands it could be in when
    items a side camera can score were left unscored (each could add a point)."""
    scorable = sum(1 for item in rules.items if not item.not_scored)
    low = max(total for total, _ in sides)
    high = max(total + max(0, scorable - scored) for total, scored in sides)
    missing = max(max(0, scorable - scored) for _, scored in sides)
    if rules.band(low) == rules.band(high):
        return rules.band(low)
    return f"{rules.band(low)} to {rules.band(high)} ({missing} items a side camera can score were not scored)"


def _worse(sides: Mapping[str, SideTotal]) -> SideTotal:
    return max(sides.values(), key=lambda s: (s.total, s.scored))


def score(
    motion: Motion,
    events: Sequence[GaitEvent],
    *,
    rules: SmasRules | None = None,
    thresholds: Mapping[str, float] | None = None,
    withheld_figures: Mapping[str, str] | None = None,
) -> Smas:
    """The S-MAS of a sprint from its motion series and gait events. `thresholds` (item id -> value)
    replaces items' thresholds (for the sensitivity of the total to them). `withheld_figures` (figure ->
    why): figures the analysis withheld (honesty checks); their items are not scored."""
    rules = load_smas() if rules is None else rules
    strides = stride_phases(motion, events)
    chosen = thresholds or {}
    gone = withheld_figures or {}
    withheld: list[str] = []
    nothing: dict[str, Measured] = {side: ([], [], []) for side in SIDES}
    measured = {
        item.id: nothing if item.figure in gone else _measure(item, motion, strides, withheld) for item in rules.items
    }
    results = tuple(
        _result(item, measured[item.id], chosen.get(item.id), gone.get(item.figure or "")) for item in rules.items
    )
    sides = _side_totals(results, rules)
    worse = _worse(sides)
    typical: dict[str, int | None] = {side: typical_stride(strides[side]) for side in SIDES}
    positions: dict[str, Mapping[str, tuple[int, float] | None]] = {
        side: MappingProxyType(_positions(strides[side], typical[side])) for side in SIDES
    }
    return Smas(
        total=worse.total,
        scored=worse.scored,
        band=_band_range(rules, [(t.total, t.scored) for t in sides.values()]),
        sides=MappingProxyType(sides),
        total_range=_total_range(rules, measured, chosen),
        typical_strides=MappingProxyType(typical),
        positions=MappingProxyType(positions),
        items=results,
        withheld=tuple(withheld),
    )


def _positions(strides: Sequence[StridePhases], typical: int | None) -> dict[str, tuple[int, float] | None]:
    if typical is None:
        return dict.fromkeys(POSITIONS)
    stride = strides[typical]
    out: dict[str, tuple[int, float] | None] = {}
    for p in POSITIONS:
        frame, t = stride.frames[p], stride.times_s[p]
        out[p] = None if frame is None or t is None else (frame, t)
    return out


def _result(
    item: SmasItem,
    measured: Mapping[str, Measured],
    threshold: float | None,
    withheld: str | None = None,
) -> ItemResult:
    limit = item.threshold if threshold is None else threshold
    sides: dict[str, SideCall] = {side: _call(item, *measured[side], limit) for side in SIDES}
    not_scored = ""
    if all(sides[s].fault is None for s in SIDES):
        not_scored = (
            f"withheld: {withheld}"
            if withheld
            else item.not_scored or "not measurable in this clip (its keypoints or positions are missing)"
        )
    return ItemResult(
        id=item.id,
        name=item.name,
        phase=item.phase,
        figure=item.figure,
        threshold=limit,
        fault_when="" if item.figure is None else "above" if item.max is not None else "below",
        not_scored=not_scored,
        sides=MappingProxyType(sides),
    )


def _total_range(
    rules: SmasRules,
    measured: Mapping[str, Mapping[str, Measured]],
    chosen: Mapping[str, float],
) -> tuple[int, int]:
    """The worse side's total with every qualitative threshold at the lenient and at the strict end of its
    threshold_range (each item's call only moves one way with its threshold, so these are the extremes)."""
    totals = []
    for strict in (False, True):
        results = []
        for item in rules.items:
            limit = chosen.get(item.id)
            if item.threshold_range is not None and item.id not in chosen:
                low, high = item.threshold_range
                lenient = high if item.max is not None else low
                limit = (low if item.max is not None else high) if strict else lenient
            results.append(_result(item, measured[item.id], limit))
        totals.append(_worse(_side_totals(results, rules)).total)
    return min(totals), max(totals)

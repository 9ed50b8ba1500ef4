"""The five positions of a sprint stride, per side, as the S-MAS and the kinogram name them.

For side X (the leg that touches down) and its contralateral leg C (Bramah et al. 2024, AJSM,
doi 10.1177/03635465241235525; the kinogram of McMillan & Pfaff, ALTIS 2018):

- contralateral_toe_off: the last frame before C leaves the ground (its last frame of contact);
- max_vertical_projection: the paper's "midpoint between toe-off and touch-down, the pelvis at its highest
  in the flight": the pelvis (mid-hip) at its highest within the middle half of that flight (a pelvis that
  keeps rising until touch-down, as the Dorn 2012 sprinter's hip centres do, would otherwise put it at
  the end of the flight, after the strike), and not after the strike;
- strike: late swing, X's knee at its most extended (least flexion) from X's peak knee lift to touch-down;
- touchdown: X's first frame on the ground (the first frame at or after the touch-down time);
- full_support: the first frame of X's stance with the pelvis over (or ahead of) X's ankle.

Picked from the analysis' own events and a motion series (angles in degrees, points in the athlete
frame: x forward, y up), so a saved analysis picks the same frames. Frames are input frames;
`samples` index the series they were picked from.
"""

from __future__ import annotations

import bisect
import statistics
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from .model import SIDES, GaitEvent, Side, other

#: The positions in the order they happen (and in which the kinogram shows them).
POSITIONS = ("contralateral_toe_off", "max_vertical_projection", "strike", "touchdown", "full_support")
POSITION_LABELS = {
    "contralateral_toe_off": "Contralateral toe-off",
    "max_vertical_projection": "Max vertical projection",
    "strike": "Strike (late swing)",
    "touchdown": "Touch-down",
    "full_support": "Full support",
    "mid_stance": "Mid-stance",
    "toe_off": "Toe-off",
    "peak_knee_lift": "Peak knee lift",
}
#: Where in the flight (contralateral toe-off to touch-down, as fractions) max vertical projection is sought.
MVP_WINDOW = (0.25, 0.75)
#: The positions of an acceleration kinogram, in the order they happen (one leg's step: its contact,
#: then its recovery). No published source names a set for acceleration; coaching/data/kinogram.toml says
#: why these.
ACCELERATION_POSITIONS = ("touchdown", "mid_stance", "toe_off", "peak_knee_lift")


class Motion(Protocol):
    """What the positions are picked from (kneedrive.record.Series has this shape)."""

    @property
    def frames(self) -> np.ndarray: ...
    @property
    def time_s(self) -> np.ndarray: ...
    @property
    def angles(self) -> Mapping[str, np.ndarray]: ...
    @property
    def points(self) -> Mapping[str, np.ndarray]: ...


@dataclass(frozen=True)
class StridePhases:
    """One stride of `side`: the series sample of each position (None where it cannot be found)."""

    side: Side
    touchdown_time_s: float
    samples: Mapping[str, int | None]
    frames: Mapping[str, int | None]
    times_s: Mapping[str, float | None]

    @property
    def complete(self) -> bool:
        return all(i is not None for i in self.samples.values())


def _mid_hip(motion: Motion) -> np.ndarray:
    hips: np.ndarray = (np.asarray(motion.points["left_hip"]) + np.asarray(motion.points["right_hip"])) / 2.0
    return hips


def _first_at_or_after(time_s: np.ndarray, t: float, *, ordered: bool = False) -> int | None:
    """`ordered`: time_s never decreases (then a binary search: a long clip's strides stay linear)."""
    if ordered:
        i = int(np.searchsorted(time_s, t - 1e-9, side="left"))
        return i if i < len(time_s) else None
    idx = np.flatnonzero(time_s >= t - 1e-9)
    return int(idx[0]) if idx.size else None


def _last_at_or_before(time_s: np.ndarray, t: float, *, ordered: bool = False) -> int | None:
    if ordered:
        i = int(np.searchsorted(time_s, t + 1e-9, side="right")) - 1
        return i if i >= 0 else None
    idx = np.flatnonzero(time_s <= t + 1e-9)
    return int(idx[-1]) if idx.size else None


def _arg(values: np.ndarray, lo: int, hi: int, *, largest: bool) -> int | None:
    """Index of the largest (or smallest) finite value in values[lo:hi + 1]."""
    window = np.asarray(values[lo : hi + 1], dtype=float)
    if hi < lo or not np.isfinite(window).any():
        return None
    pick = np.nanargmax(window) if largest else np.nanargmin(window)
    return lo + int(pick)


@dataclass(frozen=True)
class _Clip:
    """What every stride of a clip reads, computed once (per stride it made long clips quadratic)."""

    time_s: np.ndarray
    ordered: bool  # time_s never decreases
    mid_hip: np.ndarray
    toe_offs: Mapping[str, list[float]]  # per side, in time order


def _stride(motion: Motion, clip: _Clip, touchdown: GaitEvent) -> StridePhases:
    side, contra = touchdown.side, other(touchdown.side)
    t, ordered = clip.time_s, clip.ordered
    td_time = touchdown.time_s
    own_offs = clip.toe_offs[side]
    before = bisect.bisect_left(own_offs, td_time)  # own_offs[:before] < td_time
    prev_own_off = own_offs[before - 1] if before else None
    after = bisect.bisect_right(own_offs, td_time)  # own_offs[after:] > td_time
    next_own_off = own_offs[after] if after < len(own_offs) else None
    contra_offs = clip.toe_offs[contra]
    last = bisect.bisect_left(contra_offs, td_time) - 1  # the contralateral toe-off last before touchdown...
    contra_off = (
        contra_offs[last] if last >= 0 and (prev_own_off is None or contra_offs[last] > prev_own_off) else None
    )  # ...after this foot's own toe-off
    samples: dict[str, int | None] = dict.fromkeys(POSITIONS)
    td = _first_at_or_after(t, td_time, ordered=ordered)
    samples["touchdown"] = td
    thigh, knee = motion.angles.get(f"{side}_thigh_angle_deg"), motion.angles.get(f"{side}_knee_flexion_deg")
    if td is not None and prev_own_off is not None and thigh is not None and knee is not None:
        start = _first_at_or_after(t, prev_own_off, ordered=ordered)
        lift = None if start is None else _arg(thigh, start, td, largest=True)
        samples["strike"] = None if lift is None else _arg(knee, lift, td, largest=False)
    if td is not None and contra_off is not None:
        cto = _last_at_or_before(t, contra_off, ordered=ordered)
        samples["contralateral_toe_off"] = cto
        if cto is not None and cto <= td:
            lo, hi = (cto + round(f * (td - cto)) for f in MVP_WINDOW)
            strike = samples["strike"]
            hi = hi if strike is None or strike < lo else min(hi, strike)  # the positions in their order
            samples["max_vertical_projection"] = _arg(clip.mid_hip[:, 1], lo, hi, largest=True)
    ankle = motion.points.get(f"{side}_ankle")
    if td is not None and ankle is not None:
        end = len(t) - 1 if next_own_off is None else _last_at_or_before(t, next_own_off, ordered=ordered)
        over = np.flatnonzero(clip.mid_hip[td : (end or td) + 1, 0] >= np.asarray(ankle)[td : (end or td) + 1, 0])
        samples["full_support"] = td + int(over[0]) if over.size else None
    return _phases(motion, side, td_time, samples)


def _phases(motion: Motion, side: Side, td_time: float, samples: dict[str, int | None]) -> StridePhases:
    t = np.asarray(motion.time_s, dtype=float)
    frames = {p: None if i is None else int(motion.frames[i]) for p, i in samples.items()}
    times = {p: None if i is None else float(t[i]) for p, i in samples.items()}
    return StridePhases(side, td_time, samples, frames, times)


def _acceleration_step(motion: Motion, events: Sequence[GaitEvent], touchdown: GaitEvent) -> StridePhases:
    """One leg's step of an acceleration: its touch-down (first frame on the ground), mid-stance (the first
    frame at or after the middle of its contact), toe-off (its last frame on the ground) and peak knee
    lift (its thigh angle highest from then to its next touch-down)."""
    side, t = touchdown.side, np.asarray(motion.time_s, dtype=float)
    mine = [e for e in events if e.side == side and e.time_s > touchdown.time_s]
    off = min((e.time_s for e in mine if e.kind == "toe_off"), default=None)
    samples: dict[str, int | None] = dict.fromkeys(ACCELERATION_POSITIONS)
    td = samples["touchdown"] = _first_at_or_after(t, touchdown.time_s)
    if td is not None and off is not None:
        samples["mid_stance"] = _first_at_or_after(t, (touchdown.time_s + off) / 2.0)
        toe = samples["toe_off"] = _last_at_or_before(t, off)
        after = [e.time_s for e in mine if e.kind == "touchdown" and e.time_s > off]
        thigh = motion.angles.get(f"{side}_thigh_angle_deg")
        end = _last_at_or_before(t, after[0]) if after else None
        if toe is not None and end is not None and thigh is not None:
            samples["peak_knee_lift"] = _arg(thigh, toe, end, largest=True)
    return _phases(motion, side, touchdown.time_s, samples)


def stride_phases(motion: Motion, events: Sequence[GaitEvent]) -> dict[str, tuple[StridePhases, ...]]:
    """Every stride of each side (one per touch-down), in time order."""
    ordered = sorted(events, key=lambda e: e.time_s)
    t = np.asarray(motion.time_s, dtype=float)
    clip = _Clip(
        time_s=t,
        ordered=bool(np.all(np.diff(t) >= 0)),  # (NaN: not ordered)
        mid_hip=_mid_hip(motion),
        toe_offs={s: [e.time_s for e in ordered if e.side == s and e.kind == "toe_off"] for s in SIDES},
    )
    return {
        side: tuple(_stride(motion, clip, e) for e in ordered if e.side == side and e.kind == "touchdown")
        for side in SIDES
    }


def acceleration_phases(motion: Motion, events: Sequence[GaitEvent]) -> dict[str, tuple[StridePhases, ...]]:
    """Every step of each side (one per touch-down) with the acceleration kinogram's positions."""
    ordered = sorted(events, key=lambda e: e.time_s)
    return {
        side: tuple(_acceleration_step(motion, ordered, e) for e in ordered if e.side == side and e.kind == "touchdown")
        for side in SIDES
    }


def typical_stride(strides: Sequence[StridePhases]) -> int | None:
    """Index of the most typical complete stride: the one whose positions' timings (each position's
    time after the stride's first position) lie nearest the side's medians, each timing in units of its
    spread across strides; ties go to the stride nearer the middle of the clip. None: no complete stride."""
    complete = [i for i, s in enumerate(strides) if s.complete]
    if not complete:
        return None

    def offsets(s: StridePhases) -> list[float]:
        names = list(s.samples)
        start = s.times_s[names[0]] or 0.0
        return [(s.times_s[p] or 0.0) - start for p in names[1:]]

    table = np.array([offsets(strides[i]) for i in complete])
    centre = np.median(table, axis=0)
    spread = np.median(np.abs(table - centre), axis=0)
    spread = np.where(spread > 0, spread, 1.0)
    distance = np.abs((table - centre) / spread).sum(axis=1)
    middle = statistics.median(range(len(complete)))
    order = sorted(range(len(complete)), key=lambda k: (round(float(distance[k]), 9), abs(k - middle)))
    return complete[order[0]]

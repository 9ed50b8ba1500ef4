"""Left from right by the alternation of the feet: in running each step lands on the other foot.

A 2D pose model seen from the side can take the near leg for the far one for a stretch of a clip and give
it back later (on the panning race, a 110 px runner: with small changes of its crop the model's left and
right change places for 10-30 frames at a time). Inside such a stretch each leg still moves smoothly, so the
frame-to-frame swap search (kinematics.swaps) sees nothing wrong; what is wrong is only which leg is which.
The touchdowns show it: two successive touchdowns one step apart on the same foot.

The touchdowns are taken in order; each interval is compared with the step time around it (the median of
the nearby intervals, when they are steady). An interval of an odd number of steps must change foot, an even
one (a touchdown missed) must not; a landing less than 3/4 of a step after the one before, whose next comes
one step after that one, is a phantom and is stepped over; any other interval (a long gap, a step time that
changes: a clip that turns slow motion) decides nothing and breaks the chain. Where a chain demands it, the
labels change places at the frame between the two touchdowns where the legs are closest to each other (where
they cross, so each leg's path stays continuous). Which labelling a chain keeps is the one that relabels
fewer of its frames: the model is right more often than not, and the alternation cannot say which leg is the
near one. The clip's kinematics are then built again with those rows relabelled and the events detected
again (`tell_sides_apart`), kept only when the touchdowns alternate better.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

import numpy as np
from numpy.typing import NDArray

from ..kinematics import Kinematics
from .model import GaitEvent

Detected = TypeVar("Detected")

#: An interval within this many step times of a whole number n is n steps (n - 1 touchdowns missed): at 29 fps
#: a sprint step is 6 frames and each touchdown is timed within a frame.
STEP_TOLERANCE = 0.35
#: Intervals of more steps than this decide nothing (the step time drifts).
MAX_STEPS = 3
#: The step time around an interval comes from up to this many intervals on either side of it.
NEARBY_INTERVALS = 4
#: The legs' closeness is the summed distance of these joints' left and right positions.
CROSSING_JOINTS = ("knee", "ankle", "heel", "foot_index")
#: The step time around an interval holds only when at least MIN_NEARBY strides are near it and
#: STEADY_SHARE of them within STEADY_SPREAD of their median (a clip that turns slow motion decides nothing).
MIN_NEARBY = 3
STEADY_SPREAD = 0.25
STEADY_SHARE = 2 / 3
#: Relabel-and-detect rounds at most.
MAX_ROUNDS = 3
#: A relabelling is kept only when this share of the touchdowns stays where it was (within 1.5 frames) ...
SAME_LANDINGS = 0.9
#: ... and at least this share of successive touchdowns then change foot (metrics.honesty compares left and
#: right only from there, MIN_SIDE_ALTERNATION).
MIN_KEPT_ALTERNATION = 0.9
#: The step time of a chain must be within this factor of the clip's own step rhythm (the ankles' swing,
#: which needs no touchdown): with every other touchdown missed (a far foot hidden) the intervals are
#: strides, and taken for steps they would make a correctly labelled foot "flip" every stride.
RHYTHM_AGREEMENT = 1.35
#: Fewer touchdowns than this say nothing about alternation (with MIN_NEARBY strides around an interval,
#: nothing is decided below 6 anyway).
MIN_TOUCHDOWNS = 4


@dataclass(frozen=True)
class SideFlips:
    """Rows whose leg labels are exchanged, and in how many separate stretches."""

    rows: NDArray[np.bool_]
    stretches: int

    @property
    def frames(self) -> int:
        return int(self.rows.sum())


def side_flips(kin: Kinematics, events: Sequence[GaitEvent]) -> SideFlips | None:
    """The stretches whose left and right labels must change places for successive touchdowns to
    alternate (None: none)."""
    touchdowns = sorted((e for e in events if e.kind == "touchdown"), key=lambda e: e.time_s)
    if len(touchdowns) < MIN_TOUCHDOWNS:
        return None
    rhythm_hz = kin.step_frequency_estimate_hz
    wanted, chains = _wanted(touchdowns, 1.0 / rhythm_hz if rhythm_hz else None)
    for chain in chains:  # each chain keeps the labelling that relabels fewer of its frames
        lo, hi = touchdowns[chain[0]].frame, touchdowns[chain[-1]].frame
        if _flipped_frames(wanted, chain, touchdowns) > 0.5 * max(hi - lo + 1, 1):
            wanted[chain] = ~wanted[chain]
    rows = _stretches(kin, touchdowns, wanted)
    if not rows.any():
        return None
    stretches = int(np.count_nonzero(np.diff(np.r_[0, rows.astype(np.int8)]) == 1))
    return SideFlips(rows, stretches)


def _wanted(touchdowns: Sequence[GaitEvent], rhythm_step_s: float | None) -> tuple[NDArray[np.bool_], list[list[int]]]:
    """Per touchdown, whether its leg labels are to be exchanged for the feet to alternate, decided along
    chains of touchdowns a whole number of steps apart (a phantom goes with its chain, stepped over), where
    the step time agrees with `rhythm_step_s` (the legs' own rhythm; None: nothing decided); and the chains
    (touchdown indices)."""
    times = np.array([e.time_s for e in touchdowns])
    intervals = np.diff(times)
    wanted = np.zeros(len(touchdowns), dtype=bool)
    chains: list[list[int]] = [[0]]
    prev = 0  # the chain's last touchdown that is not a phantom
    for j in range(1, len(touchdowns)):
        step_s = _step_time(intervals, j - 1)
        if (
            step_s is not None
            and rhythm_step_s is not None
            and not (1 / RHYTHM_AGREEMENT <= step_s / rhythm_step_s <= RHYTHM_AGREEMENT)
        ):
            step_s = None  # the touchdowns' step time is not the legs' own: touchdowns are missing
        if _phantom(times, prev, j, step_s):
            wanted[j] = wanted[prev]
            chains[-1].append(j)
            continue
        steps = _steps(times[j] - times[prev], step_s)
        if steps is None:
            chains.append([j])
        else:
            left_prev = (touchdowns[prev].side == "left") != bool(wanted[prev])  # its foot once relabelled
            left_here = left_prev if steps % 2 == 0 else not left_prev  # the foot this one must be
            wanted[j] = (touchdowns[j].side == "left") != left_here
            chains[-1].append(j)
        prev = j
    return wanted, chains


def _stretches(kin: Kinematics, touchdowns: Sequence[GaitEvent], wanted: NDArray[np.bool_]) -> NDArray[np.bool_]:
    """The rows to relabel: from the first touchdown wanted relabelled to the next one not, the labels
    changing places where the legs are closest between the two touchdowns; not further than half a step
    before the first touchdown or after the last."""
    apart = _legs_apart(kin)
    rows = np.zeros(kin.n_frames, dtype=bool)
    state, start = bool(wanted[0]), 0
    for i in range(1, len(touchdowns)):
        if wanted[i] == wanted[i - 1]:
            continue
        at = _crossing(apart, touchdowns[i - 1].frame, touchdowns[i].frame)
        if state:
            rows[start:at] = True
        state, start = bool(wanted[i]), at
    if state:
        rows[start:] = True
    # no evidence beyond the first and the last touchdown: half a step at most
    half_step = max(1, round(0.5 * float(np.median(np.diff([e.frame for e in touchdowns])))))
    rows[: max(0, touchdowns[0].frame - half_step)] = False
    rows[touchdowns[-1].frame + half_step + 1 :] = False
    return rows


def alternation_share(events: Sequence[GaitEvent]) -> float:
    """The share of successive touchdowns made by the other foot (0 with fewer than two)."""
    sides = [e.side for e in sorted(events, key=lambda e: e.time_s) if e.kind == "touchdown"]
    changes = [a != b for a, b in itertools.pairwise(sides)]
    return sum(changes) / len(changes) if changes else 0.0


@dataclass(frozen=True)
class ToldApart(Generic[Detected]):
    """The kinematics and events once the sides alternate, and the rows relabelled for it (None: none)."""

    kin: Kinematics
    detected: Detected
    flips: SideFlips | None


def tell_sides_apart(
    kin: Kinematics,
    detected: Detected,
    events_of: Callable[[Detected], Sequence[GaitEvent]],
    relabel: Callable[[NDArray[np.bool_]], Kinematics],
    detect: Callable[[Kinematics], Detected],
) -> ToldApart[Detected]:
    """Relabel the stretches `side_flips` finds and detect the events again, up to MAX_ROUNDS times (moving
    a label changes what the detector sees near it); a round is kept only when the touchdowns then
    alternate better than they did, at least MIN_KEPT_ALTERNATION of them, with the landings where they
    were (a round of several stretches that is not kept is tried one stretch at a time); the first round
    that keeps nothing ends the search. `relabel(rows)` builds the clip's kinematics with
    the legs exchanged in `rows` (relative to the swap search), `detect` finds the events."""
    best = ToldApart(kin, detected, None)
    first = events_of(detected)
    share = alternation_share(first)
    rows = np.zeros(kin.n_frames, dtype=bool)
    for _ in range(MAX_ROUNDS):
        if share == 1.0:  # nothing to improve (a clean clip costs one pass over its touchdowns)
            break
        flips = side_flips(kin, events_of(best.detected))
        if flips is None:
            break
        kept = False
        # all the stretches at once, else one at a time: a stretch found among unsteady steps (a start's
        # first strides) whose relabelling moves landings must not block a plain identity flip elsewhere
        wanted = [flips.rows, *_each_stretch(flips.rows)] if flips.stretches > 1 else [flips.rows]
        for stretch in wanted:
            trial_rows = rows != stretch
            trial_kin = relabel(trial_rows)
            trial = detect(trial_kin)
            now = alternation_share(events_of(trial))
            if not (now > share and now >= MIN_KEPT_ALTERNATION and _same_landings(first, events_of(trial), trial_kin)):
                continue
            rows, kept = trial_rows, True
            stretches = int(np.count_nonzero(np.diff(np.r_[0, rows.astype(np.int8)]) == 1))
            best, share, kin = ToldApart(trial_kin, trial, SideFlips(rows.copy(), stretches)), now, trial_kin
            if stretch is flips.rows:
                break
        if not kept:
            break  # a round that does not help ends the search (the next would build on it)
    return best


def _each_stretch(rows: NDArray[np.bool_]) -> list[NDArray[np.bool_]]:
    """The runs of True in `rows`, each on its own."""
    edges = np.diff(np.r_[0, rows.astype(np.int8), 0])
    starts, ends = np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)
    out = []
    for start, end in zip(starts, ends, strict=True):
        one = np.zeros_like(rows)
        one[start:end] = True
        out.append(one)
    return out


def _same_landings(before: Sequence[GaitEvent], after: Sequence[GaitEvent], kin: Kinematics) -> bool:
    """Relabelling changes which foot landed, not when: at least SAME_LANDINGS of the touchdowns of each set
    have one of the other within `within_s` (on the slowed jog a relabelling that split a stance moved
    touchdowns by 4-20 frames: it is no identity flip)."""
    within_s = 1.5 / kin.fps_hz
    a = np.array(sorted(e.time_s for e in before if e.kind == "touchdown"))
    b = np.array(sorted(e.time_s for e in after if e.kind == "touchdown"))
    if len(a) == 0 or len(b) == 0:
        return False

    def share(x: NDArray[np.float64], y: NDArray[np.float64]) -> float:
        i = np.searchsorted(y, x)
        below, above = y[np.clip(i - 1, 0, len(y) - 1)], y[np.clip(i, 0, len(y) - 1)]
        return float(np.mean(np.minimum(np.abs(x - below), np.abs(x - above)) <= within_s))

    return min(share(a, b), share(b, a)) >= SAME_LANDINGS


def _step_time(intervals: NDArray[np.float64], i: int) -> float | None:
    """The step time around interval i: half the median stride (two successive intervals) among up to
    NEARBY_INTERVALS intervals on either side, when those strides are steady (None when not). Strides, not
    steps: at 29 fps one foot's touchdowns can come out a frame early and the other's a frame late, steps of
    5 and 7 frames alternating in a steady run of 6."""
    before, after = intervals[max(0, i - NEARBY_INTERVALS) : i], intervals[i + 1 : i + 1 + NEARBY_INTERVALS]
    strides = np.r_[before[:-1] + before[1:], after[:-1] + after[1:]]
    if len(strides) < MIN_NEARBY:
        return None
    stride_s = float(np.median(strides))
    steady = np.abs(strides / stride_s - 1.0) <= STEADY_SPREAD if stride_s > 0 else np.zeros(1, dtype=bool)
    return stride_s / 2 if steady.mean() >= STEADY_SHARE else None


def _steps(interval_s: float, step_s: float | None) -> int | None:
    """How many steps an interval is (1 to MAX_STEPS), when it is within STEP_TOLERANCE of a whole number."""
    if step_s is None:
        return None
    ratio = interval_s / step_s
    n = round(ratio)
    return n if 1 <= n <= MAX_STEPS and abs(ratio - n) <= STEP_TOLERANCE else None


def _phantom(times: NDArray[np.float64], prev: int, j: int, step_s: float | None) -> bool:
    """Touchdown j is a landing that is not one: less than 3/4 of a step after the one before, and the one
    after it one step after that one (a real but mistimed touchdown leaves one short and one long interval)."""
    if step_s is None or j + 1 >= len(times) or times[j] - times[prev] >= 0.75 * step_s:
        return False
    return _steps(times[j + 1] - times[prev], step_s) == 1


def _flipped_frames(wanted: NDArray[np.bool_], chain: list[int], touchdowns: Sequence[GaitEvent]) -> int:
    """Frames of the chain's span (first to last touchdown) whose labels the chain's flips relabel."""
    total = 0
    for i, j in itertools.pairwise(chain):
        if wanted[i]:
            total += touchdowns[j].frame - touchdowns[i].frame
    return total


def _legs_apart(kin: Kinematics) -> NDArray[np.float64]:
    """Per row, the summed distance between the left and right leg joints (NaN-free: unseen rows are far)."""
    total = np.zeros(kin.n_frames)
    for joint in CROSSING_JOINTS:
        left, right = kin.points.get(f"left_{joint}"), kin.points.get(f"right_{joint}")
        if left is None or right is None:
            continue
        d = np.linalg.norm(left - right, axis=1)
        total += np.where(np.isfinite(d), d, np.inf)
    return total


def _crossing(apart: NDArray[np.float64], after: int, before: int) -> int:
    """The row strictly between two touchdown rows where the legs are closest (the later touchdown's row when
    there is no row between them)."""
    lo, hi = after + 1, before
    if hi <= lo:
        return before
    return lo + int(np.argmin(apart[lo:hi]))

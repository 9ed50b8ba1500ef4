"""A change of playback speed inside a clip: the slow-motion "ramp" of phone exports.

A phone's slow-motion clip is usually exported with its first and last second at normal speed and the
middle slowed (an iPhone "slo-mo" plays 240 fps footage at 30 fps between two handles the user drags). One
clock for the whole clip is then wrong for one of the parts, by the whole slow-motion factor: the events'
windows, the filter's cut-off and every time.

At the switch every motion of the body slows at once by the same factor: the limbs' speeds relative to the
hips drop and the steps last that many times longer, while the steps stay as long (the ankles part as far).
A real change of pace does not look like that: a sprinter out of the blocks keeps nearly the same step
rate while the steps lengthen; a walk that breaks into a run lengthens the steps as the rate rises; an
athlete who stops has no steps left to time. So a switch is accepted only when the limbs slow (or quicken)
at least MIN_FACTOR times, the steps on either side last at least MIN_FACTOR times longer (or shorter),
within AGREE of the limbs' factor, and the widest ankle gap stays within SAME_STEPS and the hips' bounce in a step
within SAME_BOUNCE (slowed footage keeps both; a slower pace with the same swing has longer flights).

The clip is then analysed on one steady part only, the one with more steps (on a tie the slowed one,
which times them on more frames), and the warning says where the speed changed and what was left out. The
step times of the two parts give the slow-motion factor, taking the quicker part as real time when its
steps last as long as a human's and there are enough of them to time (else the legs' rhythm judges the
kept part, as for any clip: `kneedrive.pose.timing`).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray
from scipy.signal import find_peaks, medfilt

from ..sequence import PoseSequence
from .gait import leg_swing

#: The limbs slow (or quicken) at least this many times at a switch of playback speed; so do the steps.
MIN_FACTOR = 2.0
#: The steps' factor agrees with the limbs' within this factor (the pose's jitter adds a floor to the
#: slowed part's limb speeds, which reads its factor low: the jog's 3.8x ramp reads 2.3x in its limbs).
AGREE = 2.0
#: The widest ankle gap (leg lengths) of the two parts agrees within this factor: the same kind of steps.
SAME_STEPS = 1.5
#: Each part lasts at least this long (file seconds) and this many rows to be judged.
MIN_PART_S = 0.5
MIN_PART_ROWS = 8
#: The hips' rise and fall in a step (leg lengths, peak to peak) agrees within this factor on either side,
#: counting no bounce as less than BOUNCE_FLOOR_LEGS (the pose's jitter): the slowed jog reads 0.07-0.09 at
#: normal speed and 0.08-0.11 slowed; a jog's flight of 0.4 s raises the hips 20 cm, a sprint's 0.12 s 2 cm.
SAME_BOUNCE = 2.0
BOUNCE_FLOOR_LEGS = 0.03
#: A step shows as a peak of the ankle gap at least this prominent (leg lengths).
STEP_PROMINENCE_LEGS = 0.3
#: A real-time step lasts this long (s): the quicker part is real time only when its steps do (a sprint's
#: step is ~0.21 s, a slow walk's ~0.7 s).
HUMAN_STEP_S = (0.15, 0.9)
#: The quicker part's steps give the real time only when it has at least this many: at 30 fps one step
#: is 7-11 frames, so a single step's time is +/-10-15 % (the jog's one step before its switch reads 10 frames
#: where the frames show 10.5, and the factor 3.8x where they show 3.5x).
REAL_STEPS = 3
#: Rows tried as the switch (spread evenly over a long clip).
SPLIT_CANDIDATES = 400
#: Ramps looked for in one clip (normal, slowed, normal again is two).
MAX_SWITCHES = 2
_LIMBS = ("left_ankle", "right_ankle", "left_knee", "right_knee", "left_wrist", "right_wrist")


@dataclass(frozen=True)
class SpeedChange:
    """Where the playback speed changes and what is analysed (the file's seconds)."""

    at_s: float
    #: How many times longer a step lasts in the slowed part than in the quicker one.
    factor: float
    #: The part analysed, and whether it is the slowed one.
    kept_s: tuple[float, float]
    kept_slowed: bool
    #: The quicker part's step, when it lasts as long as a human's and has REAL_STEPS steps: the slowed part's
    #: real time is then known (up to the athlete's change of pace).
    real_step_s: float | None

    def to_dict(self) -> dict[str, Any]:
        return {
            "at_s": round(self.at_s, 3),
            "factor": round(self.factor, 2),
            "kept_s": [round(self.kept_s[0], 3), round(self.kept_s[1], 3)],
            "kept_slowed": self.kept_slowed,
        }


def find_speed_changes(sequence: PoseSequence) -> tuple[SpeedChange, ...]:
    """The switches of playback speed, up to MAX_SWITCHES, each found in the part the one before kept; the
    last one's `kept_s` is what to analyse."""
    changes: list[SpeedChange] = []
    while len(changes) < MAX_SWITCHES and (change := find_speed_change(sequence)) is not None:
        changes.append(change)
        keep = (sequence.time_s >= change.kept_s[0]) & (sequence.time_s <= change.kept_s[1])
        sequence = sequence.replace(time_s=sequence.time_s[keep], xy=sequence.xy[keep], score=sequence.score[keep])
    return tuple(changes)


def find_speed_change(sequence: PoseSequence) -> SpeedChange | None:
    """The first switch of playback speed that the limbs, the steps and the step length all agree on, or
    None (see the module's docstring)."""
    signals = _signals(sequence)
    if signals is None:
        return None
    log_speed, gap, legs_ok, hip_y = signals
    time_s = sequence.time_s
    row = _split_row(time_s, log_speed)
    if row is None:
        return None
    before, after = log_speed[:row], log_speed[row:]
    limbs = float(np.exp(np.nanmedian(before) - np.nanmedian(after)))  # > 1: slower after
    if max(limbs, 1 / limbs) < MIN_FACTOR:
        return None
    at_s = float(time_s[row])
    parts = [slice(0, row), slice(row, len(time_s))]
    steps = [_steps(time_s[part], gap[part], legs_ok[part]) for part in parts]  # each at its own row rate
    if any(found is None for found in steps):
        return None
    peaks = [found[0] for found in steps if found is not None]
    step_s = [np.diff(p) for p in peaks]
    slower_after = limbs > 1
    slow, quick = (step_s[1], step_s[0]) if slower_after else (step_s[0], step_s[1])
    factor = float(np.median(slow) / np.median(quick))
    limbs_factor = max(limbs, 1 / limbs)
    if factor < MIN_FACTOR or not 1 / AGREE <= factor / limbs_factor <= AGREE:
        return None
    wide = [float(np.median(found[1])) for found in steps if found is not None]
    bounces = [_bounce(time_s, hip_y, p) for p in peaks]
    if max(wide) / min(wide) > SAME_STEPS or not all(np.isfinite(bounces)):
        return None
    low, high = sorted(max(b, BOUNCE_FLOOR_LEGS) for b in bounces)
    if high / low > SAME_BOUNCE:  # slowed footage keeps the bounce; a longer flight at a slower pace raises it
        return None
    keep_after = len(step_s[1]) > len(step_s[0]) or (len(step_s[1]) == len(step_s[0]) and slower_after)
    kept = (at_s, float(time_s[-1])) if keep_after else (float(time_s[0]), float(time_s[row - 1]))
    real = float(np.median(quick))
    return SpeedChange(
        at_s=at_s,
        factor=factor,
        kept_s=kept,
        kept_slowed=keep_after == slower_after,
        real_step_s=real if HUMAN_STEP_S[0] <= real <= HUMAN_STEP_S[1] and len(quick) >= REAL_STEPS else None,
    )


def _bounce(time_s: NDArray[np.float64], hip_y: NDArray[np.float64], peaks_s: NDArray[np.float64]) -> float:
    """The hips' median rise and fall in a step (leg lengths, peak to peak; NaN when no step has 3 rows)."""
    bounce = np.full(len(peaks_s) - 1, np.nan)
    for i, (a, b) in enumerate(itertools.pairwise(peaks_s)):
        inside = hip_y[(time_s >= a) & (time_s <= b)]
        inside = inside[np.isfinite(inside)]
        if len(inside) >= 3:
            bounce[i] = float(np.max(inside) - np.min(inside))
    return float(np.nanmedian(bounce)) if np.any(np.isfinite(bounce)) else np.nan


def _signals(
    sequence: PoseSequence,
) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.bool_], NDArray[np.float64]] | None:
    """Per row: the log of the limbs' median speed relative to the hips (leg lengths a second), the ankle
    gap (leg lengths, unsigned: a left/right swap does not change it), where it is known, and the hips'
    height (leg lengths)."""
    time_s = sequence.time_s
    if not all(sequence.has(n) for n in _LIMBS) or len(time_s) < 2 * MIN_PART_ROWS or np.any(np.diff(time_s) <= 0):
        return None
    swing = leg_swing(sequence)
    if swing is None:
        return None
    hip, legs = swing.hip, swing.legs_px
    speeds = []
    for name in _LIMBS:
        relative = (sequence.point(name) - hip) / legs
        velocity = np.gradient(relative, time_s, axis=0)
        speeds.append(np.hypot(velocity[:, 0], velocity[:, 1]))
    stacked = np.array(speeds)
    known = np.any(np.isfinite(stacked), axis=0)
    speed = np.full(len(time_s), np.nan)
    speed[known] = np.nanmedian(stacked[:, known], axis=0)
    log_speed = np.log(np.maximum(speed, 1e-3))
    return log_speed, swing.gap_legs, np.isfinite(swing.gap_legs), hip[:, 1] / legs


def _split_row(time_s: NDArray[np.float64], log_speed: NDArray[np.float64]) -> int | None:
    """The row that best splits the log limb speed into two steady levels: the least sum of absolute
    deviations from each part's median (robust: a paused player's last still images or a lost limb's spikes
    hardly move it, and the speed's swing within a stride does not pull the switch toward the shorter
    part), each part at least MIN_PART_S and MIN_PART_ROWS long; at most SPLIT_CANDIDATES rows are tried."""
    n = len(log_speed)
    rows = np.arange(MIN_PART_ROWS, n - MIN_PART_ROWS + 1)
    rows = rows[(time_s[rows] - time_s[0] >= MIN_PART_S) & (time_s[-1] - time_s[rows] >= MIN_PART_S)]
    if len(rows) == 0:
        return None
    if len(rows) > SPLIT_CANDIDATES:
        rows = np.unique(np.linspace(rows[0], rows[-1], SPLIT_CANDIDATES).round().astype(int))
    best_row, best = None, np.inf
    for row in rows:
        before, after = log_speed[:row], log_speed[row:]
        before, after = before[np.isfinite(before)], after[np.isfinite(after)]
        if len(before) < MIN_PART_ROWS or len(after) < MIN_PART_ROWS:
            continue
        cost = float(np.sum(np.abs(before - np.median(before))) + np.sum(np.abs(after - np.median(after))))
        if cost < best:
            best_row, best = int(row), cost
    return best_row


def _steps(
    time_s: NDArray[np.float64], gap: NDArray[np.float64], ok: NDArray[np.bool_]
) -> tuple[NDArray[np.float64], NDArray[np.float64]] | None:
    """The steps as the peaks of the ankle gap (when the feet are furthest apart, once a step): their
    times and widths. On an even grid at the clip's usual row interval, a 3-row median taking out a
    lost foot's one-row spike."""
    if np.sum(ok) < 2 * MIN_PART_ROWS:
        return None
    dt = float(np.median(np.diff(time_s)))
    grid = np.arange(time_s[ok][0], time_s[ok][-1], dt)
    if len(grid) < 3:
        return None
    smooth = medfilt(np.interp(grid, time_s[ok], gap[ok]), 3)
    peaks, _ = find_peaks(smooth, prominence=STEP_PROMINENCE_LEGS)
    if len(peaks) < 2:
        return None
    return grid[peaks], smooth[peaks]

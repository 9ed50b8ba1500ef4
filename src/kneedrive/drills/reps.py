"""Reps (work bouts) and rests, from how much the legs move or are held up.

A frame is work when the knees and ankles move relative to the hips by more than a standing athlete
sways (their range over half a second), or when a thigh is held up (an isometric hold). Short
pauses inside a bout are bridged, short twitches dropped. A rep's side is the leg that does the
work when one leg clearly does more of it (unilateral drills), else "both".
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from scipy.ndimage import maximum_filter1d, minimum_filter1d

from ..kinematics import Kinematics
from .motion import Array

#: Range of knee/ankle motion relative to the hips within WINDOW_S (leg lengths) above which a frame
#: is work: a standing athlete sways a few hundredths, a knee drive moves the knee half a leg.
WORK_RANGE_LEGS = 0.15
WINDOW_S = 0.5
#: A thigh held above this angle counts as work (isometric holds, the top of a knee drive).
HELD_THIGH_DEG = 55.0
#: Pauses shorter than this inside a bout are bridged; bouts shorter than MIN_REP_S are dropped.
BRIDGE_S = 0.8
MIN_REP_S = 1.2
#: A rep is one-sided when the quieter foot's path is below this fraction of the busier one's.
UNILATERAL_RATIO = 0.5
#: A label swap between two frames: both ankles jump by this much in all (leg lengths; a foot moves
#: under 0.15 leg lengths between frames at 25 fps even in a sprint's swing) ...
SWAP_JUMP_LEGS = 0.3
#: ... and pairing them the other way round costs less than this share of it.
SWAP_CROSSED_SHARE = 0.3


@dataclass(frozen=True)
class RepWindow:
    start: int  # frame index, inclusive
    end: int  # frame index, exclusive
    side: str  # left / right / both
    one_sided_ratio: float


def _limb_motion(kin: Kinematics) -> Array:
    """Per frame, how far the knees and ankles range relative to the hips within WINDOW_S around
    it (leg lengths): a range, not a speed, so that jitter at high frame rates does not read as work."""
    hip = kin.mid_hip()
    window = max(3, round(WINDOW_S * kin.fps_hz))
    reach = np.zeros(kin.n_frames)
    for name in ("left_knee", "right_knee", "left_ankle", "right_ankle"):
        rel = np.nan_to_num(kin.points[name] - hip)
        span = maximum_filter1d(rel, window, axis=0, mode="nearest") - minimum_filter1d(
            rel, window, axis=0, mode="nearest"
        )
        reach = np.maximum(reach, np.linalg.norm(span, axis=1))
    return reach


def runs(mask: NDArray[np.bool_]) -> list[tuple[int, int]]:
    """(start, end) frame ranges, end exclusive, where `mask` is true."""
    padded = np.concatenate([[False], mask.astype(bool), [False]])
    edges = np.flatnonzero(np.diff(padded.astype(int)))
    return [(int(a), int(b)) for a, b in zip(edges[::2], edges[1::2], strict=True)]


def find_reps(kin: Kinematics) -> list[RepWindow]:
    """Work bouts in the clip, in time order."""
    thighs = [kin.angles.get(f"{s}_thigh_angle_deg") for s in ("left", "right")]
    held = np.zeros(kin.n_frames, dtype=bool)
    for th in thighs:
        if th is not None:
            held |= np.nan_to_num(th, nan=0.0) > HELD_THIGH_DEG
    work = (_limb_motion(kin) > WORK_RANGE_LEGS) | held
    bouts = runs(work)
    bridged: list[tuple[int, int]] = []
    for a, b in bouts:
        if bridged and (kin.time_s[a] - kin.time_s[bridged[-1][1] - 1]) < BRIDGE_S:
            bridged[-1] = (bridged[-1][0], b)
        else:
            bridged.append((a, b))
    reps = []
    for a, b in bridged:
        if kin.time_s[b - 1] - kin.time_s[a] < MIN_REP_S:
            continue
        reps.append(_rep_side(kin, a, b))
    return reps


def _rep_side(kin: Kinematics, a: int, b: int) -> RepWindow:
    """One-sided when one foot travels much less than the other (the stance foot of a wall drill,
    the foot on the box of a step-up): joint angles alone do not tell, the box leg moves too."""
    paths = ankle_paths(kin, a, b)
    busy = max(paths, key=lambda s: paths[s])
    ratio = min(paths.values()) / paths[busy] if paths[busy] > 0 else 1.0
    return RepWindow(a, b, busy if ratio < UNILATERAL_RATIO else "both", ratio)


def ankle_paths(kin: Kinematics, a: int, b: int) -> dict[str, float]:
    """How far each ankle travels in frames a..b (leg lengths), following each foot rather than its
    label: where both labels jump at once and the crossed pairing is a small fraction of that
    (SWAP_JUMP_LEGS, SWAP_CROSSED_SHARE), the labels were swapped and each foot continues with the
    other label, so that a swap neither adds two jumps to the paths nor hands one foot's path to the
    other. Near a crossing of the feet nothing changes hands."""
    left = kin.points["left_ankle"][a:b]
    right = kin.points["right_ankle"][a:b]
    if len(left) > 1 and np.isfinite(left).all() and np.isfinite(right).all():
        return _ankle_paths_seen(left, right)
    return _ankle_paths_frame_by_frame(left, right)


def _ankle_paths_frame_by_frame(left: Array, right: Array) -> dict[str, float]:
    """ankle_paths with unseen frames: a foot unseen keeps its last place."""
    paths = {"left": 0.0, "right": 0.0}
    prev = {"left": left[0], "right": right[0]}
    for k in range(1, len(left)):
        here = (left[k], right[k])
        straight = _step(prev["left"], here[0]) + _step(prev["right"], here[1])
        crossed = _step(prev["left"], here[1]) + _step(prev["right"], here[0])
        swap = straight > SWAP_JUMP_LEGS and crossed < SWAP_CROSSED_SHARE * straight
        nxt = {"left": here[1], "right": here[0]} if swap else {"left": here[0], "right": here[1]}
        for side in paths:
            d = _step(prev[side], nxt[side])
            if np.isfinite(d):
                paths[side] += d
            if np.isfinite(nxt[side]).all():
                prev[side] = nxt[side]
    return paths


def _ankle_paths_seen(left: Array, right: Array) -> dict[str, float]:
    """ankle_paths where both ankles are seen in every frame, the same decisions and sums with the
    distances taken as arrays: each frame's choice depends only on whether the frame before was taken
    crossed, so both cases are worked out at once and the choice runs over booleans."""

    def gap(p: Array, q: Array) -> Array:
        out: Array = np.hypot(q[:, 0] - p[:, 0], q[:, 1] - p[:, 1])
        return out

    straight = gap(left[:-1], left[1:]) + gap(right[:-1], right[1:])  # the frame before taken as labelled
    crossed = gap(left[:-1], right[1:]) + gap(right[:-1], left[1:])
    swap_if_straight = ((straight > SWAP_JUMP_LEGS) & (crossed < SWAP_CROSSED_SHARE * straight)).tolist()
    swap_if_crossed = ((crossed > SWAP_JUMP_LEGS) & (straight < SWAP_CROSSED_SHARE * crossed)).tolist()
    taken = [False]
    for if_straight, if_crossed in zip(swap_if_straight, swap_if_crossed, strict=True):
        taken.append(if_crossed if taken[-1] else if_straight)
    flip = np.asarray(taken)[:, None]
    own = {"left": np.where(flip, right, left), "right": np.where(flip, left, right)}
    return {side: float(np.cumsum(gap(xy[:-1], xy[1:]))[-1]) for side, xy in own.items()}


def _step(p: Array, q: Array) -> float:
    return float(np.hypot(q[0] - p[0], q[1] - p[1]))

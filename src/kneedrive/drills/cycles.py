"""Cycles within a rep: one knee drive (the top of the thigh's swing) or one heel kick (the top of the
knee's bend) per cycle of a leg, and how the cycle rate holds up across the rep.

Cycles are found on the upper envelope of the two legs' signals (the higher thigh, frame by frame),
which does not depend on which leg the pose model calls left: a left/right label swap, even one the
swap correction cannot see (it starts and ends where the legs cross), neither adds nor removes a
cycle. Each top is then given to the leg that is higher at it, and in alternating drills the sides
are made to alternate (a knee drive of one leg follows one of the other), so that a swap does not
give a cycle to the wrong side either."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray
from scipy.signal import find_peaks

from .motion import Array

#: A knee drive must lift the thigh by at least this much above the leg's low point in the rep.
MIN_DRIVE_DEG = 20.0
#: ...and by at least this fraction of the leg's thigh range in the rep.
MIN_DRIVE_FRACTION = 0.45
#: Two tops of the same leg are at least this far apart (a leg cannot cycle faster than 4 Hz).
MIN_CYCLE_S = 0.25
#: A rep is flagged when its cycle rate has dropped by more than this, last third vs first third.
#: The seeds (000): once speed lags, the rep has lost its value; 10% is our threshold for "lags".
DECAY_FLAG_PCT = 10.0
#: Tops on either side of a top that vote on its side in alternating drills (a swap lasts a few).
ALTERNATION_REACH = 4


def knee_drive_tops(
    time_s: Array, thigh_deg: Array, *, min_interval_s: float = MIN_CYCLE_S, min_drive_deg: float = MIN_DRIVE_DEG
) -> Array:
    """Indices of the tops of the thigh's swing (peak knee lift), one per cycle (also used for the
    knee's bend of a heel kick: any leg angle that peaks once per cycle)."""
    finite = np.isfinite(thigh_deg)
    if finite.sum() < 5:
        return np.array([], dtype=int)
    thigh = np.where(finite, thigh_deg, np.nanmin(thigh_deg))
    lo, hi = np.percentile(thigh[finite], [5, 98])
    prominence = max(min_drive_deg, MIN_DRIVE_FRACTION * (hi - lo))
    dt = float(np.median(np.diff(time_s)))
    peaks, _ = find_peaks(thigh, prominence=prominence, distance=max(1, round(min_interval_s / dt)))
    return np.asarray(peaks, dtype=int)


def upper_envelope(left: Array, right: Array) -> Array:
    """The higher of the two legs' values, frame by frame (the other leg's where one is missing):
    the same whichever leg is called left."""
    both = np.stack([left, right])
    out = np.full(len(left), np.nan)
    seen = np.isfinite(both).any(axis=0)
    out[seen] = np.nanmax(both[:, seen], axis=0)
    return out


def leg_tops(time_s: Array, left: Array, right: Array, *, alternating: bool) -> list[tuple[int, str]]:
    """(index, side) of each cycle's top, in time order, from the upper envelope of the legs' angle
    (thigh for a knee drive, knee flexion for a heel kick). `alternating`: the legs take turns, so
    tops are as little as half a leg's cycle apart and their sides alternate; the side of each top
    is then the one most tops at its parity agree on."""
    envelope = upper_envelope(left, right)
    min_interval = MIN_CYCLE_S / 2 if alternating else MIN_CYCLE_S
    # the envelope's lows are where the legs cross, about halfway down a leg's own range
    tops = knee_drive_tops(time_s, envelope, min_interval_s=min_interval, min_drive_deg=MIN_DRIVE_DEG / 2)
    higher = [higher_leg(left, right, i) for i in tops]
    if alternating:
        higher = _alternate(higher)
    return [(int(i), side) for i, side in zip(tops, higher, strict=True)]


def rate_decay_pct(top_times_s: Array) -> float | None:
    """Drop of the cycle rate from the first third of the rep's cycles to the last third, in %
    (positive = slowing down). Needs at least 3 cycle intervals."""
    tops = np.sort(np.asarray(top_times_s, dtype=float))
    return interval_decay_pct(np.diff(tops[np.isfinite(tops)]))


def interval_decay_pct(intervals: NDArray[np.float64]) -> float | None:
    """rate_decay_pct from the cycle intervals themselves, in time order."""
    if len(intervals) < 3:
        return None
    k = max(1, len(intervals) // 3)
    first, last = float(np.median(intervals[:k])), float(np.median(intervals[-k:]))
    return (1.0 - first / last) * 100.0


def cycle_rate_hz(top_times_s: Array, legs: int = 1) -> float | None:
    """Cycles of one leg per second; `legs` = 2 when the tops of both legs are pooled."""
    intervals = np.diff(np.sort(np.asarray(top_times_s, dtype=float)))
    if len(intervals) == 0:
        return None
    return float(1.0 / (legs * np.median(intervals)))


def _alternate(higher: list[str], reach: int = ALTERNATION_REACH) -> list[str]:
    """Sides made to alternate: each top takes the side that the alternation through its `reach`
    nearest tops on either side agrees with most (ties: the leg that is higher at it). A swap of one
    or two tops is outvoted by its neighbours; a missed top only shifts the parity locally."""
    n = len(higher)
    other = {"left": "right", "right": "left"}
    out = []
    for k in range(n):
        window = range(max(0, k - reach), min(n, k + reach + 1))
        # as k's own label says (same parity as k: same side; odd distance: the other side)
        agree = sum(higher[j] == (higher[k] if (j - k) % 2 == 0 else other[higher[k]]) for j in window)
        out.append(higher[k] if 2 * agree >= len(window) else other[higher[k]])
    return out


def higher_leg(left: Array, right: Array, i: int) -> str:
    """The label whose value is higher at frame i (a missing value is lowest)."""
    return "left" if np.nan_to_num(left[i], nan=-np.inf) >= np.nan_to_num(right[i], nan=-np.inf) else "right"

"""Cycles within a rep: one knee drive (the top of the thigh's swing) per cycle of a leg, and how
the cycle rate holds up across the rep."""

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


def knee_drive_tops(time_s: Array, thigh_deg: Array) -> Array:
    """Indices of the tops of the thigh's swing (peak knee lift), one per cycle."""
    finite = np.isfinite(thigh_deg)
    if finite.sum() < 5:
        return np.array([], dtype=int)
    thigh = np.where(finite, thigh_deg, np.nanmin(thigh_deg))
    lo, hi = np.percentile(thigh[finite], [5, 98])
    prominence = max(MIN_DRIVE_DEG, MIN_DRIVE_FRACTION * (hi - lo))
    dt = float(np.median(np.diff(time_s)))
    peaks, _ = find_peaks(thigh, prominence=prominence, distance=max(1, round(MIN_CYCLE_S / dt)))
    return np.asarray(peaks, dtype=int)


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

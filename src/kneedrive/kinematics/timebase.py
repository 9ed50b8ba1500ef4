"""Look-ups on a strictly increasing time base that touch a few samples, not the whole clip (a
per-event `np.interp` over all frames made event timing quadratic in the clip's length)."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

Array = NDArray[np.float64]


def value_at(t: float, time_s: Array, series: Array) -> float:
    """`np.interp(t, time_s, series)`, from the two samples around `t`."""
    j = int(np.searchsorted(time_s, t, side="right"))
    lo, hi = max(0, j - 2), min(len(time_s), j + 2)
    return float(np.interp(t, time_s[lo:hi], series[lo:hi]))


def time_at_frame(time_s: Array, position: float) -> float:
    """The time at a fractional frame number (`np.interp(position, arange(N), time_s)`)."""
    i = int(np.floor(position))
    lo, hi = max(0, i - 1), min(len(time_s), i + 3)
    return float(np.interp(position, np.arange(lo, hi, dtype=np.float64), time_s[lo:hi]))


def nearest_frame(time_s: Array, t: float) -> int:
    """The frame whose time is closest to `t` (the earlier one on a tie), as `argmin(|time_s - t|)`."""
    j = int(np.searchsorted(time_s, t))
    candidates = [k for k in (j - 1, j) if 0 <= k < len(time_s)]
    return min(candidates, key=lambda k: (abs(time_s[k] - t), k))

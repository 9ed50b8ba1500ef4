"""How fast a point travels over a stretch of the clip, robust to a lost frame or a late event."""

from __future__ import annotations

import numpy as np

#: A stretch with fewer finite samples than this share of its frames has no speed (too much of it lost).
MIN_FINITE_FRACTION = 0.8


def travel_speed(time_s: np.ndarray, x: np.ndarray, start_s: float, end_s: float) -> float | None:
    """The least-squares slope of `x` over `start_s..end_s` (x units per second): the mean speed over the
    stretch, which neither a lost end frame nor one noisy sample moves the way a difference of two samples
    would. None with fewer than three finite samples or under MIN_FINITE_FRACTION of the stretch finite."""
    inside = (time_s >= start_s) & (time_s <= end_s)
    finite = inside & np.isfinite(x)
    count = int(finite.sum())
    if count < 3 or count < MIN_FINITE_FRACTION * int(inside.sum()):
        return None
    return float(np.polyfit(time_s[finite], x[finite], 1)[0])

"""Look-ups on a strictly increasing time base that touch a few samples, not the whole clip (a
per-event `np.interp` over all frames made event timing quadratic in the clip's length), and whether the
time base samples the steps finely enough to count them."""

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


#: A step must span at least this many frames for the touchdowns that bound it to be found: each touchdown
#: needs the foot seen coming down and stopping. A sprint at 25 fps has 5 frames a step; an export that
#: repeats every image three times leaves a 29 fps race at 9.7 images a second, 2 frames a step, and its
#: touchdowns read 193 steps/min where the runner takes 284.
MIN_FRAMES_PER_STEP = 4.0


def too_few_frames_per_step(step_frequency_hz: float | None, fps_hz: float | None) -> str | None:
    """Why steps cannot be counted at this frame rate (None: they can)."""
    if not step_frequency_hz or not fps_hz or fps_hz / step_frequency_hz >= MIN_FRAMES_PER_STEP:
        return None
    return (
        f"at {fps_hz:.3g} images a second a step of {1000 / step_frequency_hz:.0f} ms spans "
        f"{fps_hz / step_frequency_hz:.1f} images: too few to find every touchdown (a step needs "
        f"{MIN_FRAMES_PER_STEP:.0f}; film at 25 fps or more)"
    )

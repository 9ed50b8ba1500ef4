"""Is the clip an acceleration? The hips' speed over the clip's last steps against its first ones."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ..kinematics.travel import travel_speed


def hips_speed_rise_pct(
    time_s: Sequence[float] | np.ndarray,
    hip_x: Sequence[float] | np.ndarray,
    touchdown_times_s: Sequence[float],
    *,
    min_steps: int = 4,
) -> float | None:
    """The summary's speed_rise_pct: the hips' mean speed over the clip's last steps against its first (%),
    each a least-squares slope of the hips' travel over whole steps (a third of the steps, at least two, at
    each end), so that a touchdown timed a frame or two off moves neither (a speed from step length over
    step time read a steady sprint 20 % "faster" at the end when one touchdown came late). None with fewer
    than `min_steps` steps, too few finite samples, or hips that hardly travel (a treadmill)."""
    tds = sorted(float(t) for t in touchdown_times_s)
    steps = len(tds) - 1
    if steps < max(min_steps, 2):
        return None
    k = max(2, steps // 3)
    t = np.asarray(time_s, dtype=np.float64)
    x = np.asarray(hip_x, dtype=np.float64)
    first, last = travel_speed(t, x, tds[0], tds[k]), travel_speed(t, x, tds[-1 - k], tds[-1])
    if first is None or last is None or first <= MIN_TRAVEL_LEGS_PER_S:
        return None
    return 100.0 * (last / first - 1.0)


#: Hips slower than this (leg lengths per second) do not travel: on a treadmill, or on the spot.
MIN_TRAVEL_LEGS_PER_S = 0.3

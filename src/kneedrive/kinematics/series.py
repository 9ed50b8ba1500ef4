"""The `series` block of the analysis JSON: the time series a report needs (angles and keypoints in
the athlete frame), decimated so a saved analysis stays small but can be re-rendered on its own.

Part of the kinematics stage (it only decimates Kinematics), so the analysis record needs nothing from
the report to carry it.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from .result import Kinematics

#: The saved series is decimated to at most this rate: 100 Hz keeps a 9 ms resolution (a sprint
#: contact is 85-130 ms) while a 30 s, 150 Hz treadmill clip stays under ~1 MB of JSON.
MAX_SERIES_RATE_HZ = 100.0
ANGLE_DECIMALS = 1  # 0.1 deg: below what any pose estimate resolves
POINT_DECIMALS = 4  # 1e-4 leg lengths: ~0.1 mm


def decimation_step(fps_hz: float, max_rate_hz: float = MAX_SERIES_RATE_HZ) -> int:
    """Keep every n-th frame so that fps / n <= max_rate_hz."""
    if not (math.isfinite(fps_hz) and fps_hz > 0 and max_rate_hz > 0):
        return 1
    return max(1, math.ceil(fps_hz / max_rate_hz - 1e-9))


def _rounded(values: np.ndarray, decimals: int) -> list[float | None]:
    return [round(float(v), decimals) if math.isfinite(v) else None for v in values]


def series_block(kin: Kinematics, *, max_rate_hz: float = MAX_SERIES_RATE_HZ) -> dict[str, Any]:
    """{"rate_hz", "frames", "time_s", "angles": {name: [deg | null]}, "points": {name: [[x, y] | null]}}.

    `frames` are indices into the input sequence (and into a video, when there is one); points are
    in leg lengths, x toward the direction of travel, y up, as in `Kinematics.points`.
    """
    step = decimation_step(kin.fps_hz, max_rate_hz)
    index = np.arange(0, kin.n_frames, step)
    points: dict[str, list[list[float] | None]] = {}
    for name, xy in sorted(kin.points.items()):
        sampled = xy[index]
        points[name] = [
            [round(float(x), POINT_DECIMALS), round(float(y), POINT_DECIMALS)]
            if math.isfinite(x) and math.isfinite(y)
            else None
            for x, y in sampled
        ]
    return {
        "rate_hz": kin.fps_hz / step,
        "frames": [int(i) for i in index],
        "time_s": _rounded(kin.time_s[index], 5),
        "angles": {name: _rounded(v[index], ANGLE_DECIMALS) for name, v in sorted(kin.angles.items())},
        "points": points,
    }


def _rounded_array(values: np.ndarray, decimals: int) -> np.ndarray:
    """`_rounded` as a read-only float array (NaN for null); a point (n, 2) is NaN where x or y is not finite."""
    out = np.array([round(v, decimals) for v in values.ravel().tolist()], dtype=float).reshape(values.shape)
    if out.ndim == 2:
        out[~np.all(np.isfinite(values), axis=1)] = np.nan
    else:
        out[~np.isfinite(values)] = np.nan
    out.flags.writeable = False
    return out


def series_arrays(kin: Kinematics, *, max_rate_hz: float = MAX_SERIES_RATE_HZ) -> dict[str, Any]:
    """The values of `series_block` (same decimation and rounding) as float arrays, NaN for null, built one
    series at a time: a full-rate series of a long clip then costs its arrays, not a Python number per
    frame and series (gigabytes at 1,000,000 frames)."""
    step = decimation_step(kin.fps_hz, max_rate_hz)
    index = np.arange(0, kin.n_frames, step)
    index.flags.writeable = False
    return {
        "rate_hz": float(kin.fps_hz / step),
        "frames": index,
        "time_s": _rounded_array(kin.time_s[index], 5),
        "angles": {name: _rounded_array(v[index], ANGLE_DECIMALS) for name, v in sorted(kin.angles.items())},
        "points": {name: _rounded_array(xy[index], POINT_DECIMALS) for name, xy in sorted(kin.points.items())},
    }

"""Checks every keypoint reader applies to what it read, before a PoseSequence is made.

Time stamps must be finite and strictly increasing (the first bad line is named); scores are
confidences in 0-1. (Absurd coordinates are dropped for every source, files, video and memory, in
kinematics.clean.drop_absurd.)
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from ..errors import InputError

Array = NDArray[np.float64]


def check_time(time_s: Array, source: str, *, lines: NDArray[np.int_] | None = None) -> None:
    """Finite, strictly increasing time stamps; `lines`: the file line of every row, for the message."""

    def where(row: int) -> str:
        return "" if lines is None else f" (line {int(lines[row])})"

    bad = np.flatnonzero(~np.isfinite(time_s))
    if len(bad):
        raise InputError(f"{source}: empty or non-numeric time value{where(int(bad[0]))}")
    back = np.flatnonzero(np.diff(time_s) <= 0)
    if len(back):
        raise InputError(f"{source}: time stamps are not strictly increasing{where(int(back[0]) + 1)}")


def clean_scores(score: Array) -> list[str]:
    """Make float scores confidences in 0-1, in place (a long clip's scores are not copied): NaN is 0,
    values outside are clipped with a warning, which is returned."""
    np.nan_to_num(score, copy=False, nan=0.0, posinf=1.0, neginf=0.0)
    outside = int(np.count_nonzero((score < 0.0) | (score > 1.0)))
    warnings = []
    if outside:
        warnings.append(f"{outside} keypoint score(s) outside 0-1 were clipped to 0-1")
    np.clip(score, 0.0, 1.0, out=score)
    return warnings

"""The ground line, estimated from where the feet are lowest (the floor is not always level
in the image: camera roll, or a lab floor a few cm higher at one end)."""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from scipy.stats import theilslopes

Array = NDArray[np.float64]

#: Width of the x bins, in leg lengths, over which the lowest foot height is taken.
BIN_LEGS = 0.5
#: The ground is only tilted when the feet cover at least this many leg lengths.
MIN_SPAN_FOR_SLOPE_LEGS = 2.0


@dataclass(frozen=True)
class GroundLine:
    """y = height_legs + slope * x in the athlete frame (leg lengths)."""

    height_legs: float
    slope: float

    def at(self, x: Array) -> Array:
        return self.height_legs + self.slope * x


def fit_ground(low_points: list[Array]) -> GroundLine:
    """Fit the ground to the lowest foot points: (N, 2) arrays of (x, y), one per foot."""
    pts = np.concatenate([p[np.all(np.isfinite(p), axis=1)] for p in low_points])
    if len(pts) == 0:
        return GroundLine(0.0, 0.0)
    x, y = pts[:, 0], pts[:, 1]
    edges = np.arange(x.min(), x.max() + BIN_LEGS, BIN_LEGS)
    bx, by = [], []
    for lo, hi in itertools.pairwise(edges):
        inside = (x >= lo) & (x < hi)
        if inside.sum() >= 3:
            floor = np.percentile(y[inside], 5)
            near = inside & (y <= floor + 0.02)
            bx.append(float(np.median(x[near])))
            by.append(float(floor))
    if len(bx) >= 3 and max(bx) - min(bx) >= MIN_SPAN_FOR_SLOPE_LEGS:
        slope, intercept, _, _ = theilslopes(by, bx)
        if abs(slope) < 0.15:
            return GroundLine(float(intercept), float(slope))
    return GroundLine(float(np.percentile(y, 5)), 0.0)

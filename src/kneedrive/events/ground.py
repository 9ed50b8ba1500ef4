"""The ground line, estimated from where the feet are lowest (the floor is not always level
in the image: camera roll, or a lab floor a few cm higher at one end)."""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from scipy.signal import find_peaks
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


def fit_ground(low_points: list[Array], fps_hz: float | None = None) -> GroundLine:
    """Fit the ground to the lowest foot points: (N, 2) arrays of (x, y), one per foot, at `fps_hz`
    (without it, only the fallback bins are used).

    The tilt comes from the bottom of each contact (a foot's lowest point at its local minima in
    time): all of them lie on the floor, whereas the lowest point per stretch of track mostly
    comes from swing (the foot is low in few places), which doubled the tilt on the Dorn sprint
    and moved the far contacts 5 cm off the line. The bins are the fallback."""
    if fps_hz is None:
        return _fit_ground_bins(low_points)
    bottoms = np.concatenate([_contact_bottoms(p, fps_hz) for p in low_points])
    if len(bottoms) >= 3 and np.ptp(bottoms[:, 0]) >= MIN_SPAN_FOR_SLOPE_LEGS:
        slope, intercept, _, _ = theilslopes(bottoms[:, 1], bottoms[:, 0])
        if abs(slope) < 0.15:
            return GroundLine(float(intercept), float(slope))
    return _fit_ground_bins(low_points)


def _contact_bottoms(low_point: Array, fps_hz: float) -> Array:
    """(x, y) of the lowest point at each clear low of its height: at least 20 % of the foot's
    height range below the neighbouring highs, and 0.2 s apart (one per contact)."""
    finite = np.all(np.isfinite(low_point), axis=1)
    if finite.sum() < 3:
        return np.empty((0, 2))
    y = np.where(finite, low_point[:, 1], np.nanmax(low_point[:, 1]))
    span = np.percentile(y[finite], 98) - np.percentile(y[finite], 2)
    lows, _ = find_peaks(-y, prominence=max(0.2 * span, 1e-9), distance=max(1, round(0.2 * fps_hz)))
    bottoms: Array = low_point[lows[finite[lows]]]
    return bottoms


def _fit_ground_bins(low_points: list[Array]) -> GroundLine:
    """Lowest foot height per half leg of track (5th percentile), tilted when the feet cover 2 legs."""
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

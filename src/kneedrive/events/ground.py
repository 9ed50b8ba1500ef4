"""The ground line, estimated from where the feet are lowest (the floor is not always level
in the image: camera roll, or a lab floor a few cm higher at one end)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from scipy.signal import find_peaks
from scipy.stats import theilslopes

from ..kinematics import Kinematics

Array = NDArray[np.float64]

#: Width of the x bins, in leg lengths, over which the lowest foot height is taken.
BIN_LEGS = 0.5
#: The ground is only tilted when the feet cover at least this many leg lengths.
MIN_SPAN_FOR_SLOPE_LEGS = 2.0
#: A steeper line is no floor (a camera turned further, or not a side view): not measured.
MAX_SLOPE = 0.15
#: A ground sloping this much (degrees) in the image is a camera turned about its axis (a phone held a little
#: off level), and the keypoints are levelled (analysis): every angle from the vertical is off by the slope
#: (on the synthetic sprinter turned 3 deg, knee drive -3 deg, trunk lean +3 deg). The clips of the accuracy
#: tables slope 0.2-0.3 deg (the Dorn lab floor, the Sports2D walk) and the panning clips' ground frames
#: 0.2-1.5, and are not levelled.
LEVEL_FROM_DEG = 1.5
#: At most this many points enter the Theil-Sen fit (its memory grows with the square of the count):
#: a longer clip is thinned evenly along the track.
MAX_THEIL_POINTS = 1000


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
    line = contact_line(low_points, fps_hz)
    return line if line is not None else _fit_ground_bins(low_points)


def contact_line(low_points: list[Array], fps_hz: float, *, detrend: bool = False) -> GroundLine | None:
    """The line through the bottom of each contact, where they cover MIN_SPAN_FOR_SLOPE_LEGS of track and it
    slopes less than MAX_SLOPE (else None: not measured). `detrend`: the contacts are found on the heights
    less their straight-line trend (a ground sloping a few degrees over many leg lengths drifts further
    than a foot rises in a stride)."""
    bottoms = np.concatenate([_contact_bottoms(p, fps_hz, detrend=detrend) for p in low_points])
    if len(bottoms) >= 3 and np.ptp(bottoms[:, 0]) >= MIN_SPAN_FOR_SLOPE_LEGS:
        slope, intercept = _theil_sen(bottoms[:, 0], bottoms[:, 1])
        if abs(slope) < MAX_SLOPE:
            return GroundLine(float(intercept), float(slope))
    return None


def camera_roll_deg(kin: Kinematics) -> float | None:
    """How far the ground slopes in the image (degrees; + rises toward image right): the camera turned about
    its axis. From the line through the bottom of each contact of the feet's lowest points (heel or toe),
    where the athlete travels over it (None: not measured)."""
    line = contact_line([lowest_point(kin, side) for side in ("left", "right")], kin.fps_hz, detrend=True)
    return None if line is None else float(np.degrees(np.arctan(line.slope))) * kin.direction


def lowest_point(kin: Kinematics, side: str) -> Array:
    """Per frame, the lower of heel and toe (or the ankle when the foot is not tracked)."""
    heel, toe = kin.points.get(f"{side}_heel"), kin.points.get(f"{side}_foot_index")
    if heel is None or toe is None:
        ankle: Array = kin.points[f"{side}_ankle"]
        return ankle
    return np.where((heel[:, 1] <= toe[:, 1])[:, None], heel, toe)


def _contact_bottoms(low_point: Array, fps_hz: float, *, detrend: bool = False) -> Array:
    """(x, y) of the lowest point at each clear low of its height (`detrend`: of its height less the
    straight line of height on x): at least 20 % of the foot's height range below the neighbouring highs,
    and 0.2 s apart (one per contact)."""
    finite = np.all(np.isfinite(low_point), axis=1)
    if finite.sum() < 3:
        return np.empty((0, 2))
    height = low_point[:, 1]
    if detrend and np.ptp(low_point[finite, 0]) >= MIN_SPAN_FOR_SLOPE_LEGS:  # (no trend without travel)
        slope, intercept = np.polyfit(low_point[finite, 0], height[finite], 1)
        height = height - (intercept + slope * low_point[:, 0])
    y = np.where(finite, height, np.nanmax(height[finite]))
    span = np.percentile(y[finite], 98) - np.percentile(y[finite], 2)
    lows, _ = find_peaks(-y, prominence=max(0.2 * span, 1e-9), distance=max(1, round(0.2 * fps_hz)))
    bottoms: Array = low_point[lows[finite[lows]]]
    return bottoms


def _fit_ground_bins(low_points: list[Array]) -> GroundLine:
    """Lowest foot height per half leg of track (5th percentile), tilted when the feet cover 2 legs.

    Only the occupied bins are visited, so one far outlier costs nothing (bins are numbered, not
    laid out across the feet's x range)."""
    pts = np.concatenate([p[np.all(np.isfinite(p), axis=1)] for p in low_points])
    if len(pts) == 0:
        return GroundLine(0.0, 0.0)
    x, y = pts[:, 0], pts[:, 1]
    bin_of, kept = _bin_index(x)
    x, y, bin_of = x[kept], y[kept], bin_of[kept]
    order = np.argsort(bin_of, kind="stable")
    starts = np.flatnonzero(np.r_[True, np.diff(bin_of[order]) != 0])
    bx, by = [], []
    for members in np.split(order, starts[1:]):
        if len(members) >= 3:
            xs, ys = x[members], y[members]
            floor = np.percentile(ys, 5)
            bx.append(float(np.median(xs[ys <= floor + 0.02])))
            by.append(float(floor))
    if len(bx) >= 3 and max(bx) - min(bx) >= MIN_SPAN_FOR_SLOPE_LEGS:
        slope, intercept = _theil_sen(np.array(bx), np.array(by))
        if abs(slope) < MAX_SLOPE:
            return GroundLine(float(intercept), float(slope))
    return GroundLine(float(np.percentile(pts[:, 1], 5)), 0.0)


def _bin_index(x: Array) -> tuple[Array, NDArray[np.bool_]]:
    """The BIN_LEGS-wide bin of every x, counted from min(x), with the edges `np.arange(min(x),
    max(x) + BIN_LEGS, BIN_LEGS)` would give (start + i * delta); and which points fall inside the
    last edge (arange's last edge can leave the largest x out). Bin numbers stay floats: an absurd
    x range overflows no integer."""
    start = float(x.min())
    stop = float(x.max()) + BIN_LEGS
    delta = (start + BIN_LEGS) - start
    n_edges = np.ceil((stop - start) / BIN_LEGS)
    k = np.floor((x - start) / delta)
    for _ in range(2):  # the division can be off by one either way at an edge
        k = np.where(x < start + k * delta, k - 1, k)
        k = np.where(x >= start + (k + 1) * delta, k + 1, k)
    kept = (k >= 0) & (k + 1 < n_edges)
    return k, kept


def _theil_sen(x: Array, y: Array) -> tuple[float, float]:
    """Theil-Sen slope and intercept of y on x, thinned evenly to MAX_THEIL_POINTS (in x order)."""
    if len(x) > MAX_THEIL_POINTS:
        order = np.argsort(x, kind="stable")
        keep = order[np.linspace(0, len(x) - 1, MAX_THEIL_POINTS).round().astype(int)]
        x, y = x[keep], y[keep]
    slope, intercept, _, _ = theilslopes(y, x)
    return float(slope), float(intercept)


@dataclass(frozen=True)
class FloorProfile:
    """The floor under a travelling athlete as seen by a real camera: through the bottom of every
    contact, not a straight line. Perspective and lens distortion bow the floor in phone video (on the
    Sports2D walk the contact bottoms rise 0.1 leg lengths mid-frame and fall again), so a straight
    line leaves mid-frame contacts above the touch level. Between contacts the floor is interpolated,
    beyond the first and last contact it follows the ground line's tilt."""

    x_legs: tuple[float, ...]
    y_legs: tuple[float, ...]
    line: GroundLine

    def at(self, x: Array) -> Array:
        if len(self.x_legs) < 2:
            return self.line.at(x)
        xs, ys = np.asarray(self.x_legs), np.asarray(self.y_legs)
        inside = np.interp(x, xs, ys)
        before = ys[0] + self.line.slope * (x - xs[0])
        after = ys[-1] + self.line.slope * (x - xs[-1])
        return np.asarray(np.where(x < xs[0], before, np.where(x > xs[-1], after, inside)))


#: The floor is followed contact by contact only when it bows away from the straight line by more
#: than this (leg lengths, about 3 cm): a level lab floor stays a line (Dorn: within 5 mm).
BOWED_FLOOR_LEGS = 0.035
#: A contact bottom this far above the straight line (leg lengths, about 9 cm) is not floor.
NOT_FLOOR_LEGS = 0.1
#: Contacts closer than this along the track (leg lengths) share one floor point.
FLOOR_MERGE_LEGS = 0.3


def floor_profile(low_points: list[Array], fps_hz: float, line: GroundLine) -> FloorProfile:
    """Floor points at the contact bottoms (the lowest of those within FLOOR_MERGE_LEGS), leaving out
    lows far above the line; the straight line when the feet cover less than 2 leg lengths
    (treadmill, drills in place), there are fewer than 4 contacts, or the floor is straight."""
    bottoms = np.concatenate([_contact_bottoms(p, fps_hz) for p in low_points])
    if len(bottoms) < 4 or np.ptp(bottoms[:, 0]) < MIN_SPAN_FOR_SLOPE_LEGS:
        return FloorProfile((), (), line)
    bottoms = bottoms[np.argsort(bottoms[:, 0])]
    merged: list[list[float]] = []
    for x, y in bottoms:
        if merged and x - merged[-1][0] < FLOOR_MERGE_LEGS:
            merged[-1] = [(merged[-1][0] + x) / 2, min(merged[-1][1], y)]
        else:
            merged.append([float(x), float(y)])
    xs = np.array([m[0] for m in merged])
    ys = np.array([m[1] for m in merged])
    if len(xs) < 3:
        return FloorProfile((), (), line)
    # a low far above the line is a foot that never reached the floor (a swing dip, a gap filled
    # through a dropout), not floor
    keep = ys - line.at(xs) < NOT_FLOOR_LEGS
    xs, smooth = xs[keep], ys[keep]
    if len(xs) < 3 or np.max(np.abs(smooth - line.at(xs))) < BOWED_FLOOR_LEGS:
        return FloorProfile((), (), line)  # a straight floor (a lab, a level camera): keep the line
    return FloorProfile(tuple(xs.tolist()), tuple(smooth.tolist()), line)

"""What a person wears: the colours of their torso and shorts, to tell apart runners whose paths cross.

Where one runner passes another the pose model's region can slide from one to the other without a jump of
the hips (the panning race's bend exit: the runner in white's follower ends on the lead runner, shirtless,
within one frame); their clothes differ. A colour histogram (hue, saturation, value) of the pixels inside the
torso and the top of the thighs is taken with each pose; OpenCV's Bhattacharyya distance compares two
(0: the same colours, 1: none in common).
"""

from __future__ import annotations

import cv2
import numpy as np
from numpy.typing import NDArray

#: Histogram bins: hue, saturation, value. Few bins: a 110 px runner's torso is a few hundred pixels.
BINS = (8, 3, 3)
#: A region with fewer pixels than this says nothing (a runner seen edge-on, a pose off the image).
MIN_PIXELS = 40
#: How far toward the knees the shorts' region reaches (share of the thigh).
SHORTS_SHARE = 0.4
#: A bigger region is sampled every few pixels, to about this many a side (the colours need no more; the
#: whole region of a person 400 px tall cost about 1 ms a pose, a seventh of a pose model call).
SAMPLE_SIDE_PX = 64
#: The regions are shrunk toward their centre by this share (their edges are often background).
SHRINK = 0.8

Colours = NDArray[np.float32]


def _quad(points: list[NDArray[np.float64]]) -> NDArray[np.int32]:
    quad = np.array(points, dtype=np.float64)
    centre = quad.mean(axis=0)
    shrunk: NDArray[np.int32] = np.round(centre + SHRINK * (quad - centre)).astype(np.int32)
    return shrunk


def clothes(image: NDArray[np.uint8], xy: NDArray[np.float64], names: tuple[str, ...]) -> Colours | None:
    """The colour histogram of the torso and the top of the thighs (RGB `image`, keypoints `xy` in its
    pixels), normalized to sum 1; None when the pose lacks them or too few pixels are inside the image."""
    need = ("left_shoulder", "right_shoulder", "left_hip", "right_hip", "left_knee", "right_knee")
    if not all(n in names for n in need):
        return None
    ls, rs, lh, rh, lk, rk = (xy[names.index(n)] for n in need)
    if not np.all(np.isfinite([ls, rs, lh, rh, lk, rk])):
        return None
    lt, rt = lh + SHORTS_SHARE * (lk - lh), rh + SHORTS_SHARE * (rk - rh)
    quads = [_quad([ls, rs, rh, lh]), _quad([lh, rh, rt, lt])]
    height, width = image.shape[:2]
    every = np.vstack(quads)
    x0, y0 = np.clip(every.min(axis=0), 0, [width - 1, height - 1])
    x1, y1 = np.clip(every.max(axis=0) + 1, 1, [width, height])
    if x1 - x0 < 2 or y1 - y0 < 2:
        return None
    step = max(1, int(max(x1 - x0, y1 - y0)) // SAMPLE_SIDE_PX)  # a big person: every step-th pixel
    crop = np.ascontiguousarray(image[y0:y1:step, x0:x1:step])
    mask = np.zeros(crop.shape[:2], dtype=np.uint8)
    for quad in quads:
        cv2.fillConvexPoly(mask, np.round((quad - np.array([x0, y0])) / step).astype(np.int32), 255)
    if int(np.count_nonzero(mask)) * step * step < MIN_PIXELS:
        return None
    hsv = cv2.cvtColor(crop, cv2.COLOR_RGB2HSV)
    hist = cv2.calcHist([hsv], [0, 1, 2], mask, list(BINS), [0, 180, 0, 256, 0, 256]).ravel()
    return (hist / max(float(hist.sum()), 1.0)).astype(np.float32)


def difference(a: Colours, b: Colours) -> float:
    """0 for the same colours, 1 for none in common (Bhattacharyya distance)."""
    return float(cv2.compareHist(a, b, cv2.HISTCMP_BHATTACHARYYA))


def changes(colours: list[Colours | None], window: int) -> NDArray[np.float64]:
    """For each pose i from `window` to len - `window`: the difference between the typical colours of the
    `window` poses before it and of the `window` from it on (NaN where either side has none seen). One pass
    with running sums (a long clip's track has a pose in every frame); the distance as OpenCV's
    Bhattacharyya (`difference`), for many pairs at once."""
    n = len(colours)
    if n < 2 * window:
        return np.empty(0)
    bins = next((c.size for c in colours if c is not None), 0)
    stacked = np.zeros((n, bins))
    seen = np.zeros(n)
    for i, c in enumerate(colours):
        if c is not None:
            stacked[i], seen[i] = c, 1.0
    total, count = np.vstack([np.zeros(bins), np.cumsum(stacked, axis=0)]), np.r_[0.0, np.cumsum(seen)]
    at = np.arange(window, n - window + 1)
    n_before, n_after = count[at] - count[at - window], count[at + window] - count[at]
    with np.errstate(invalid="ignore", divide="ignore"):
        before = (total[at] - total[at - window]) / n_before[:, None]
        after = (total[at + window] - total[at]) / n_after[:, None]
        overlap = np.sqrt(before * after).sum(axis=1) / np.sqrt(before.sum(axis=1) * after.sum(axis=1))
    distance = np.sqrt(np.maximum(1.0 - overlap, 0.0))
    return np.where((n_before > 0) & (n_after > 0), distance, np.nan)


def typical(colours: list[Colours | None]) -> Colours | None:
    """The mean histogram of the known ones (None when none is)."""
    known = [c for c in colours if c is not None]
    return None if not known else np.mean(known, axis=0).astype(np.float32)

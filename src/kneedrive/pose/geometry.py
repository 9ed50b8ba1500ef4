"""Regions of interest: a rotated square around a person, the crop it makes and the way back to pixels."""

from __future__ import annotations

import math
from dataclasses import dataclass

import cv2
import numpy as np
from numpy.typing import NDArray


@dataclass(frozen=True)
class Roi:
    """A square of side `size_px` centred at (cx_px, cy_px), turned by `angle_rad` (image y down, so a
    positive angle turns the square clockwise on screen). Crop pixel (u, v) of an n x n crop maps to the
    image point centre + R(angle) @ ((u / n - 1/2) size, (v / n - 1/2) size)."""

    cx_px: float
    cy_px: float
    size_px: float
    angle_rad: float = 0.0

    def to_image(self, uv: NDArray[np.float64], crop_px: int) -> NDArray[np.float64]:
        """(K, 2) crop pixels -> (K, 2) image pixels."""
        c, s = math.cos(self.angle_rad), math.sin(self.angle_rad)
        local = (np.asarray(uv, dtype=np.float64) / crop_px - 0.5) * self.size_px
        x = c * local[:, 0] - s * local[:, 1] + self.cx_px
        y = s * local[:, 0] + c * local[:, 1] + self.cy_px
        return np.stack([x, y], axis=1)

    def crop(self, image: NDArray[np.uint8], crop_px: int) -> NDArray[np.uint8]:
        """The (crop_px, crop_px, 3) crop of an (H, W, 3) RGB frame, bilinear, black outside the frame.

        OpenCV's warpAffine samples the turned square straight from the decoded frame (no copy of the
        frame), as MediaPipe's own CPU pipeline prepares this model's input. (Area-averaging a large region
        first, against aliasing, was tried: the landmarks did not get steadier on the real clips.)
        """
        return self._warp(image, crop_px)

    def _warp(self, image: NDArray[np.uint8], crop_px: int) -> NDArray[np.uint8]:
        c, s = math.cos(self.angle_rad), math.sin(self.angle_rad)
        k = self.size_px / crop_px
        half = self.size_px / 2
        # crop point (u, v) -> image point, both with pixel i spanning [i, i + 1) as in to_image ...
        a, b, x0 = c * k, -s * k, self.cx_px - half * c + half * s
        d, e, y0 = s * k, c * k, self.cy_px - half * s - half * c
        # ... and OpenCV puts pixel centres at integers: shift half a pixel on both sides.
        matrix = np.array([[a, b, x0 + (a + b - 1) / 2], [d, e, y0 + (d + e - 1) / 2]])
        out = cv2.warpAffine(
            image,
            matrix,
            (crop_px, crop_px),
            flags=cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP,
            borderMode=cv2.BORDER_CONSTANT,
            borderValue=(0, 0, 0),
        )
        return np.asarray(out, dtype=np.uint8)


def shrink(image: NDArray[np.uint8], width_px: int, height_px: int) -> NDArray[np.uint8]:
    """The image area-averaged down to width x height: halved while more than twice as large (OpenCV's
    integer-ratio path, ~20x faster than one area resize by an odd ratio), then resized the rest."""
    while image.shape[1] >= 2 * width_px and image.shape[0] >= 2 * height_px:
        image = np.asarray(cv2.resize(image, None, fx=0.5, fy=0.5, interpolation=cv2.INTER_AREA), dtype=np.uint8)
    return np.asarray(cv2.resize(image, (width_px, height_px), interpolation=cv2.INTER_AREA), dtype=np.uint8)


def aligned_roi(
    centre_xy: NDArray[np.float64], scale_xy: NDArray[np.float64], *, enlarge: float = 1.25, target_deg: float = 90.0
) -> Roi:
    """BlazePose's body ROI: centred on the hip centre, side 2 x |centre - scale point| x enlarge, turned so
    that the centre -> scale-point vector points up in the crop (Bazarevsky et al. 2020, BlazePose)."""
    dx = float(scale_xy[0] - centre_xy[0])
    dy = float(scale_xy[1] - centre_xy[1])
    angle = math.radians(target_deg) - math.atan2(-dy, dx)
    angle = (angle + math.pi) % (2 * math.pi) - math.pi
    size = 2.0 * math.hypot(dx, dy) * enlarge
    return Roi(float(centre_xy[0]), float(centre_xy[1]), max(size, 1.0), angle)

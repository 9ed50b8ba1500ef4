"""The BlazePose person detector: SSD anchors, box and keypoint decoding, weighted non-maximum suppression.

Hand-written because no maintained Python library decodes this model's raw tensors; the anchor layout and
decoding constants are those published with the model (MediaPipe pose_detection graph: 5 SSD layers,
strides 8/16/32/32/32, fixed anchor size, 224 px input, 4 keypoints per box).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
from numpy.typing import NDArray

from .geometry import Roi, aligned_roi, shrink
from .litert import load_interpreter
from .workers import shared_threads

INPUT_PX = 224
_STRIDES = (8, 16, 32, 32, 32)
_ANCHORS_PER_LAYER = 2  # aspect ratio 1 plus the interpolated-scale anchor


def ssd_anchors() -> NDArray[np.float64]:
    """(2254, 2) anchor centres in [0, 1], in the model's output order."""
    centres: list[tuple[float, float]] = []
    layer = 0
    while layer < len(_STRIDES):
        stride = _STRIDES[layer]
        same = 0
        while layer < len(_STRIDES) and _STRIDES[layer] == stride:
            same += 1
            layer += 1
        cells = int(np.ceil(INPUT_PX / stride))
        for y in range(cells):
            for x in range(cells):
                centres.extend([((x + 0.5) / cells, (y + 0.5) / cells)] * (same * _ANCHORS_PER_LAYER))
    return np.asarray(centres, dtype=np.float64)


@dataclass(frozen=True)
class PersonDetection:
    """One person found by the detector, in image pixels: the hip centre, the point whose distance from it
    gives the body's size and whose direction gives its tilt, and the box (x0, y0, x1, y1) of the circle
    around the body they define."""

    score: float
    box_px: tuple[float, float, float, float]
    hip_xy: tuple[float, float]
    scale_xy: tuple[float, float]

    @property
    def radius_px(self) -> float:
        """Half the body's extent (hip centre to the scale point)."""
        return float(np.hypot(self.scale_xy[0] - self.hip_xy[0], self.scale_xy[1] - self.hip_xy[1]))

    @classmethod
    def around(cls, hip_xy: NDArray[np.float64], scale_xy: NDArray[np.float64], score: float) -> PersonDetection:
        """The region a hip centre and a scale point define (its box: the circle through the scale point)."""
        r = float(np.hypot(*(np.asarray(scale_xy) - np.asarray(hip_xy))))
        (hx, hy), (sx, sy) = (float(v) for v in hip_xy), (float(v) for v in scale_xy)
        return cls(score=score, box_px=(hx - r, hy - r, hx + r, hy + r), hip_xy=(hx, hy), scale_xy=(sx, sy))

    def moved(self, dx_px: float, dy_px: float) -> PersonDetection:
        """The same region shifted by (dx, dy) pixels."""
        shift = np.array([dx_px, dy_px])
        return PersonDetection.around(np.add(self.hip_xy, shift), np.add(self.scale_xy, shift), self.score)

    def roi(self) -> Roi:
        return aligned_roi(np.asarray(self.hip_xy), np.asarray(self.scale_xy))


def _iou(box: NDArray[np.float64], boxes: NDArray[np.float64]) -> NDArray[np.float64]:
    x0 = np.maximum(box[0], boxes[:, 0])
    y0 = np.maximum(box[1], boxes[:, 1])
    x1 = np.minimum(box[2], boxes[:, 2])
    y1 = np.minimum(box[3], boxes[:, 3])
    inter = np.clip(x1 - x0, 0, None) * np.clip(y1 - y0, 0, None)
    area = (box[2] - box[0]) * (box[3] - box[1])
    areas = (boxes[:, 2] - boxes[:, 0]) * (boxes[:, 3] - boxes[:, 1])
    return np.asarray(inter / np.maximum(area + areas - inter, 1e-9), dtype=np.float64)


def weighted_nms(
    scores: NDArray[np.float64], values: NDArray[np.float64], *, iou_threshold: float = 0.3
) -> list[tuple[float, NDArray[np.float64]]]:
    """Group overlapping candidates (values[:, :4] are x0, y0, x1, y1) and average each group, weighted by
    score; the group keeps its best score. Returns (score, averaged values), best first."""
    order = np.argsort(-scores)
    scores, values = scores[order], values[order]
    alive = np.ones(len(scores), dtype=bool)
    kept: list[tuple[float, NDArray[np.float64]]] = []
    for i in range(len(scores)):
        if not alive[i]:
            continue
        group = alive & (_iou(values[i, :4], values[:, :4]) > iou_threshold)
        group[i] = True
        w = scores[group]
        kept.append((float(scores[i]), (values[group] * w[:, None]).sum(axis=0) / w.sum()))
        alive &= ~group
    return kept


@dataclass(frozen=True)
class Letterbox:
    """A whole frame shrunk (area-averaged) to fit a side x side square, centred, black bars around it."""

    pixels: NDArray[np.uint8]
    left_px: int
    top_px: int
    x_scale: float  # frame pixels per square pixel, across ...
    y_scale: float  # ... and down (equal but for rounding)

    @classmethod
    def of(cls, image: NDArray[np.uint8], side: int) -> Letterbox:
        height, width = image.shape[:2]
        inner_w = max(1, round(width * side / max(width, height)))
        inner_h = max(1, round(height * side / max(width, height)))
        small = shrink(image, inner_w, inner_h)
        left, top = (side - inner_w) // 2, (side - inner_h) // 2
        pixels = cv2.copyMakeBorder(
            small, top, side - inner_h - top, left, side - inner_w - left, cv2.BORDER_CONSTANT, value=(0, 0, 0)
        )
        return cls(np.asarray(pixels, dtype=np.uint8), left, top, width / inner_w, height / inner_h)

    def to_image(self, uv: NDArray[np.float64]) -> NDArray[np.float64]:
        """(K, 2) square pixels -> (K, 2) frame pixels."""
        uv = np.asarray(uv, dtype=np.float64)
        return np.stack([(uv[:, 0] - self.left_px) * self.x_scale, (uv[:, 1] - self.top_px) * self.y_scale], axis=1)


class PersonDetector:
    """Finds people in a whole frame (letterboxed to 224 x 224). One interpreter: one call at a time (it
    runs beside a landmark call, hence its share of the cores)."""

    def __init__(self, model_path: Path, *, min_score: float = 0.5, num_threads: int | None = None) -> None:
        self.model_path = model_path
        self.min_score = min_score
        self._interpreter = load_interpreter(model_path, num_threads=num_threads or shared_threads())
        outputs = sorted(self._interpreter.get_output_details(), key=lambda d: int(d["shape"][-1]))
        self._score_index, self._box_index = int(outputs[0]["index"]), int(outputs[1]["index"])
        self._input_index = int(self._interpreter.get_input_details()[0]["index"])
        self._anchors = ssd_anchors()

    def detect(self, image: NDArray[np.uint8]) -> list[PersonDetection]:
        """People in an (H, W, 3) RGB frame."""
        frame = Letterbox.of(image, INPUT_PX)
        crop = frame.pixels.astype(np.float32) / 127.5 - 1.0
        self._interpreter.set_tensor(self._input_index, crop[None])
        self._interpreter.invoke()
        raw = self._interpreter.get_tensor(self._box_index)[0].astype(np.float64)
        logits = self._interpreter.get_tensor(self._score_index)[0, :, 0].astype(np.float64)
        scores = 1.0 / (1.0 + np.exp(-np.clip(logits, -100, 100)))
        keep = scores >= self.min_score
        if not np.any(keep):
            return []
        raw, anchors, scores = raw[keep] / INPUT_PX, self._anchors[keep], scores[keep]
        # The model's own box (raw[:, :4]) frames the head; the body is framed by its two alignment points.
        points = raw[:, 4:12].reshape(-1, 4, 2) + anchors[:, None, :]
        radius = np.hypot(*(points[:, 1] - points[:, 0]).T)
        hip = points[:, 0]
        values = np.concatenate(
            [np.concatenate([hip - radius[:, None], hip + radius[:, None]], axis=1), points.reshape(-1, 8)], axis=1
        )
        found = []
        for score, v in weighted_nms(scores, values):
            corners = frame.to_image(np.array([[v[0], v[1]], [v[2], v[3]]]) * INPUT_PX)
            keypoints = frame.to_image(v[4:].reshape(4, 2) * INPUT_PX)
            found.append(
                PersonDetection(
                    score=score,
                    box_px=(float(corners[0, 0]), float(corners[0, 1]), float(corners[1, 0]), float(corners[1, 1])),
                    hip_xy=(float(keypoints[0, 0]), float(keypoints[0, 1])),
                    scale_xy=(float(keypoints[1, 0]), float(keypoints[1, 1])),
                )
            )
        return found

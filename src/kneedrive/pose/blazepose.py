"""BlazePose GHUM "full" landmark model (33 keypoints) on a rotated region of interest, tracking itself:
each frame's region comes from the previous frame's two alignment landmarks (hip centre and body-scale
point), as in the published BlazePose design; a low presence score hands control back to the detector.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image

from ..sequence import BLAZEPOSE_LANDMARKS
from .backend import PoseEstimate
from .detector import PersonDetection
from .geometry import Roi, aligned_roi
from .litert import bundled_model, load_interpreter

INPUT_PX = 256
N_OUTPUT_LANDMARKS = 39  # 33 body landmarks, 2 alignment landmarks (hip centre, scale point), 4 unused
_ALIGN_CENTRE, _ALIGN_SCALE = 33, 34


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return np.asarray(1.0 / (1.0 + np.exp(-np.clip(x, -60, 60))), dtype=np.float64)


def refine_from_heatmap(
    uv: np.ndarray, heatmap: np.ndarray, *, kernel: int = 7, min_confidence: float = 0.5
) -> np.ndarray:
    """Move each landmark (crop px) to the confidence-weighted centre of its heatmap (64 x 64 logits) in a
    kernel x kernel window around it, where the heatmap is confident (the model's published refinement
    step; it removes much of the regression output's jitter)."""
    size = heatmap.shape[0]
    cells = uv * size / INPUT_PX
    out = np.array(uv, dtype=np.float64)
    half = kernel // 2
    for k in range(min(len(uv), heatmap.shape[2])):
        col, row = int(cells[k, 0]), int(cells[k, 1])
        if not (0 <= col < size and 0 <= row < size):
            continue
        r0, r1, c0, c1 = max(row - half, 0), min(row + half + 1, size), max(col - half, 0), min(col + half + 1, size)
        window = _sigmoid(heatmap[r0:r1, c0:c1, k])
        total = float(window.sum())
        if float(window.max()) < min_confidence or total <= 0:
            continue
        rows, cols = np.mgrid[r0:r1, c0:c1]
        out[k, 0] = float((cols * window).sum() / total + 0.5) * INPUT_PX / size
        out[k, 1] = float((rows * window).sum() / total + 0.5) * INPUT_PX / size
    return out


class BlazePoseFull:
    """The bundled default backend. Scores are the model's per-landmark visibility (sigmoid)."""

    names = BLAZEPOSE_LANDMARKS
    model_id = "blazepose-ghum-full-mediapipe-0.10.21"

    def __init__(self, model_path: Path | None = None, *, min_presence: float = 0.5, num_threads: int = 2) -> None:
        self.model_path = model_path or bundled_model("landmarks_full")
        self.min_presence = min_presence
        self._interpreter = load_interpreter(self.model_path, num_threads=num_threads)
        self._input_index = int(self._interpreter.get_input_details()[0]["index"])
        outputs = {int(np.prod(d["shape"])): int(d["index"]) for d in self._interpreter.get_output_details()}
        self._landmark_index = outputs[N_OUTPUT_LANDMARKS * 5]
        self._presence_index = outputs[1]
        self._heatmap_index = outputs[64 * 64 * N_OUTPUT_LANDMARKS]
        self._roi: Roi | None = None

    def reset(self) -> None:
        self._roi = None

    def estimate(self, image: Image.Image, seed: PersonDetection | None) -> PoseEstimate | None:
        roi = seed.roi() if seed is not None else self._roi
        if roi is None:
            return None
        crop = roi.crop(image, INPUT_PX).astype(np.float32) / 255.0
        self._interpreter.set_tensor(self._input_index, crop[None])
        self._interpreter.invoke()
        presence = float(_sigmoid(self._interpreter.get_tensor(self._presence_index).reshape(-1))[0])
        if presence < self.min_presence:
            self._roi = None
            return None
        raw = self._interpreter.get_tensor(self._landmark_index).reshape(N_OUTPUT_LANDMARKS, 5).astype(np.float64)
        heatmap = self._interpreter.get_tensor(self._heatmap_index)[0]
        xy = roi.to_image(refine_from_heatmap(raw[:, :2], heatmap), INPUT_PX)
        self._roi = aligned_roi(xy[_ALIGN_CENTRE], xy[_ALIGN_SCALE])
        n = len(self.names)
        return PoseEstimate(xy=xy[:n], score=_sigmoid(raw[:n, 3]), presence=presence)

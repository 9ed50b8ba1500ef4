"""BlazePose GHUM "full" landmark model (33 keypoints) on a rotated region of interest. Each answer carries
the region for the next frame, from the model's two alignment landmarks (hip centre and body-scale point),
as in the published BlazePose design; a low presence score means nobody is there.
"""

from __future__ import annotations

import threading
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from ..sequence import BLAZEPOSE_LANDMARKS
from . import cache
from .backend import PoseEstimate
from .detector import PersonDetection
from .litert import bundled_model, load_interpreter
from .prune import stored_keep_outputs
from .workers import threads_per_call

INPUT_PX = 256
N_OUTPUT_LANDMARKS = 39  # 33 body landmarks, 2 alignment landmarks (hip centre, scale point), 4 unused
_ALIGN_CENTRE, _ALIGN_SCALE = 33, 34


def read_by_estimate(shape: tuple[int, ...]) -> bool:
    """The model outputs estimate() reads: landmarks, pose flag, heatmap (told apart by size)."""
    return int(np.prod(shape)) in (N_OUTPUT_LANDMARKS * 5, 1, 64 * 64 * N_OUTPUT_LANDMARKS)


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return np.asarray(1.0 / (1.0 + np.exp(-np.clip(x, -60, 60))), dtype=np.float64)


def refine_from_heatmap(
    uv: np.ndarray, heatmap: np.ndarray, *, kernel: int = 7, min_confidence: float = 0.5
) -> np.ndarray:
    """Move each landmark (crop px) to the confidence-weighted centre of its heatmap (64 x 64 logits) in a
    kernel x kernel window around it, where the heatmap is confident there (the model's published
    refinement step; it removes much of the regression output's jitter)."""
    size, n = heatmap.shape[0], min(len(uv), heatmap.shape[2])
    half = kernel // 2
    col = np.floor(uv[:n, 0] * size / INPUT_PX).astype(int)
    row = np.floor(uv[:n, 1] * size / INPUT_PX).astype(int)
    offsets = np.arange(-half, half + 1)
    rows = row[:, None, None] + offsets[None, :, None]  # (n, k, 1)
    cols = col[:, None, None] + offsets[None, None, :]  # (n, 1, k)
    valid = (rows >= 0) & (rows < size) & (cols >= 0) & (cols < size)  # (n, k, k)
    values = heatmap[np.clip(rows, 0, size - 1), np.clip(cols, 0, size - 1), np.arange(n)[:, None, None]]
    confidence = np.where(valid, _sigmoid(values), 0.0)
    total = confidence.sum(axis=(1, 2))
    refine = (confidence.max(axis=(1, 2)) >= min_confidence) & (total > 0) & (col >= 0) & (col < size)
    refine &= (row >= 0) & (row < size)
    out = np.array(uv, dtype=np.float64)
    safe = np.where(total > 0, total, 1.0)
    centre_col = (confidence * cols).sum(axis=(1, 2)) / safe + 0.5
    centre_row = (confidence * rows).sum(axis=(1, 2)) / safe + 0.5
    out[:n, 0] = np.where(refine, centre_col * INPUT_PX / size, out[:n, 0])
    out[:n, 1] = np.where(refine, centre_row * INPUT_PX / size, out[:n, 1])
    return out


class BlazePoseFull:
    """The bundled default backend. Scores are the model's per-landmark visibility (sigmoid). Safe to call
    from several threads: each thread gets its own interpreter, of `num_threads` threads (by default, see
    workers.threads_per_call)."""

    names = BLAZEPOSE_LANDMARKS
    model_id = "blazepose-ghum-full-mediapipe-0.10.21"
    parallel = True

    def __init__(
        self, model_path: Path | None = None, *, min_presence: float = 0.5, num_threads: int | None = None
    ) -> None:
        self.model_path = model_path or bundled_model("landmarks_full")
        self.min_presence = min_presence
        self.num_threads = num_threads
        self._local = threading.local()
        # Only the outputs we read (landmarks, pose flag, heatmap): the segmentation mask and world
        # landmarks cost a third of each call (see prune.py). The cut-down copy is kept with the pose cache.
        model, stored = self.model_path.read_bytes(), cache.cache_dir() / "models"
        self._content = stored_keep_outputs(model, read_by_estimate, stored)
        try:
            self._model()  # load now: a broken model file fails here, not in a worker thread
        except ValueError:  # a damaged stored copy: cut the model down again
            self._content = stored_keep_outputs(model, read_by_estimate, stored, refresh=True)
            self._model()

    def _model(self) -> _Model:
        model: _Model | None = getattr(self._local, "model", None)
        if model is None:
            model = self._local.model = _Model(self._content, self.num_threads or threads_per_call())
        return model

    def estimate(self, image: NDArray[np.uint8], seed: PersonDetection) -> PoseEstimate | None:
        roi = seed.roi()
        model = self._model()
        presence, raw, heatmap = model.run(roi.crop(image, INPUT_PX).astype(np.float32) / 255.0)
        if presence < self.min_presence:
            return None
        xy = roi.to_image(refine_from_heatmap(raw[:, :2], heatmap), INPUT_PX)
        n = len(self.names)
        region = PersonDetection.around(xy[_ALIGN_CENTRE], xy[_ALIGN_SCALE], presence)
        return PoseEstimate(xy=xy[:n], score=_sigmoid(raw[:n, 3]), presence=presence, region=region)


class _Model:
    """One LiteRT interpreter of the landmark model and its tensor indices (one per thread)."""

    def __init__(self, content: bytes, num_threads: int) -> None:
        self._interpreter = load_interpreter(content, num_threads=num_threads)
        self._input_index = int(self._interpreter.get_input_details()[0]["index"])
        outputs = {int(np.prod(d["shape"])): int(d["index"]) for d in self._interpreter.get_output_details()}
        self._landmark_index = outputs[N_OUTPUT_LANDMARKS * 5]
        self._presence_index = outputs[1]
        self._heatmap_index = outputs[64 * 64 * N_OUTPUT_LANDMARKS]

    def run(self, crop: NDArray[np.float32]) -> tuple[float, NDArray[np.float64], NDArray[np.float32]]:
        """Presence, the (39, 5) raw landmarks and the (64, 64, 39) heatmap of one crop."""
        self._interpreter.set_tensor(self._input_index, crop[None])
        self._interpreter.invoke()
        # the pose flag is a probability already (0 on empty ground, ~1 on a person): no sigmoid
        presence = float(np.clip(self._interpreter.get_tensor(self._presence_index).reshape(-1)[0], 0.0, 1.0))
        raw = self._interpreter.get_tensor(self._landmark_index).reshape(N_OUTPUT_LANDMARKS, 5).astype(np.float64)
        return presence, raw, self._interpreter.get_tensor(self._heatmap_index)[0]

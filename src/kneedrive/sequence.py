"""The time-series container shared by every stage: 2D keypoints over time.

Coordinates are image-like: x to the right, y pointing *down*, in `units` (pixels for pose
output, millimetres or metres for marker files). The kinematics stage flips y once.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from .errors import InputError

#: The 33 BlazePose GHUM landmarks in snake_case, in the model's order.
BLAZEPOSE_LANDMARKS: tuple[str, ...] = (
    "nose",
    "left_eye_inner",
    "left_eye",
    "left_eye_outer",
    "right_eye_inner",
    "right_eye",
    "right_eye_outer",
    "left_ear",
    "right_ear",
    "mouth_left",
    "mouth_right",
    "left_shoulder",
    "right_shoulder",
    "left_elbow",
    "right_elbow",
    "left_wrist",
    "right_wrist",
    "left_pinky",
    "right_pinky",
    "left_index",
    "right_index",
    "left_thumb",
    "right_thumb",
    "left_hip",
    "right_hip",
    "left_knee",
    "right_knee",
    "left_ankle",
    "right_ankle",
    "left_heel",
    "right_heel",
    "left_foot_index",
    "right_foot_index",
)

#: Keypoints without which no gait analysis is possible.
REQUIRED_KEYPOINTS: tuple[str, ...] = (
    "left_hip",
    "right_hip",
    "left_knee",
    "right_knee",
    "left_ankle",
    "right_ankle",
)

Array = NDArray[np.float64]

#: Lowest and highest frame rates we accept (frames per second).
MIN_FPS_HZ = 5.0
MAX_FPS_HZ = 2000.0


@dataclass(frozen=True)
class PoseSequence:
    """2D keypoints of one athlete over time.

    time_s: (N,) strictly increasing. xy: (N, K, 2), NaN where a keypoint is missing.
    score: (N, K) confidence in [0, 1] (1 for marker data). names: K keypoint names.
    units_per_m: how many coordinate units make a metre, when the source knows it (marker
    files); None for pixels of unknown scale. warnings: what the reader found and repaired
    (dropped absurd values, a file shorter than its header says), carried into the analysis.
    """

    time_s: Array
    xy: Array
    score: Array
    names: tuple[str, ...]
    units_per_m: float | None = None
    source: str = "<memory>"
    warnings: tuple[str, ...] = ()
    _index: dict[str, int] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        for name in ("time_s", "xy", "score"):
            object.__setattr__(self, name, _frozen(getattr(self, name)))
        n = self.time_s.shape[0]
        if self.xy.shape != (n, len(self.names), 2) or self.score.shape != (n, len(self.names)):
            raise InputError(
                f"{self.source}: keypoint arrays have shapes {self.xy.shape}/{self.score.shape}, "
                f"expected ({n}, {len(self.names)}, 2)/({n}, {len(self.names)})"
            )
        if len(set(self.names)) != len(self.names):
            raise InputError(f"{self.source}: duplicate keypoint names")
        if n < 2:
            raise InputError(f"{self.source}: {n} frame(s); at least 2 are needed")
        dt = np.diff(self.time_s)
        if not np.all(np.isfinite(self.time_s)) or np.any(dt <= 0):
            raise InputError(f"{self.source}: time stamps are not strictly increasing")
        fps = 1.0 / float(np.median(dt))
        if not MIN_FPS_HZ <= fps <= MAX_FPS_HZ:
            raise InputError(
                f"{self.source}: frame rate {fps:.3g} fps is outside "
                f"{MIN_FPS_HZ:g}-{MAX_FPS_HZ:g} fps; check the time column or --fps"
            )
        object.__setattr__(self, "_index", {k: i for i, k in enumerate(self.names)})

    @property
    def n_frames(self) -> int:
        return int(self.time_s.shape[0])

    @property
    def fps_hz(self) -> float:
        """Median frame rate (robust to a few dropped or duplicated frames)."""
        return float(1.0 / np.median(np.diff(self.time_s)))

    def has(self, name: str) -> bool:
        """True when the keypoint exists and is seen in at least one frame."""
        i = self._index.get(name)
        return i is not None and bool(np.any(np.isfinite(self.xy[:, i, 0])))

    def point(self, name: str) -> Array:
        """(N, 2) positions of one keypoint (NaN where missing)."""
        return self.xy[:, self._index[name], :]

    def confidence(self, name: str) -> Array:
        return self.score[:, self._index[name]]

    def replace(self, **changes: object) -> PoseSequence:
        """A new sequence with some fields changed; this one is untouched."""
        fields = {
            "time_s": self.time_s,
            "xy": self.xy,
            "score": self.score,
            "names": self.names,
            "units_per_m": self.units_per_m,
            "source": self.source,
            "warnings": self.warnings,
        }
        fields.update(changes)
        return PoseSequence(**fields)  # type: ignore[arg-type]


def _frozen(values: object) -> Array:
    """A read-only float64 array of `values`: the array itself when nobody can change it any more (it and
    every array it views are read-only: another sequence's, or one handed over with `hand_over`), else
    a copy. Sequences made from one another then share their arrays instead of copying them."""
    if isinstance(values, np.ndarray) and values.dtype == np.float64:
        base: object = values
        while isinstance(base, np.ndarray) and not base.flags.writeable:
            base = base.base
        if base is None:
            return values
    arr = np.array(values, dtype=np.float64)
    arr.setflags(write=False)
    return arr


def hand_over(values: Array) -> Array:
    """`values` made read-only, for a PoseSequence to keep without a copy: the caller must hold no other
    writeable view of it."""
    values.setflags(write=False)
    return values


def side_names(side: str, joint: str) -> str:
    """`side_names("left", "knee") -> "left_knee"`."""
    return f"{side}_{joint}"

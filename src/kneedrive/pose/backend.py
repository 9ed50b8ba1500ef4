"""The pose backend interface: what any pose model must offer to be plugged into the athlete tracker.

A backend estimates one person's keypoints in one frame. The tracker (not the backend) decides whom to
follow: it seeds the backend with a person detection when tracking starts or is lost, and otherwise lets
the backend follow from its previous answer (most top-down models crop around the last pose).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol, runtime_checkable

import numpy as np
from numpy.typing import NDArray

from .detector import PersonDetection


@dataclass(frozen=True)
class PoseEstimate:
    """One person's keypoints in one frame: xy (K, 2) image pixels (y down), score (K,) in [0, 1],
    presence in [0, 1] (how sure the model is that a person is there at all)."""

    xy: NDArray[np.float64]
    score: NDArray[np.float64]
    presence: float

    def hip_centre(self, names: tuple[str, ...]) -> NDArray[np.float64]:
        left, right = names.index("left_hip"), names.index("right_hip")
        return np.asarray((self.xy[left] + self.xy[right]) / 2, dtype=np.float64)


@runtime_checkable
class PoseBackend(Protocol):
    """A pose model. `names` are the keypoint names it returns, in order (they must be names the analysis
    reads: BlazePose snake_case, e.g. COCO-17 models map to the 17 shared ones); `model_id` identifies
    model and version (it is part of the pose cache key)."""

    names: tuple[str, ...]
    model_id: str

    def reset(self) -> None:
        """Forget the previous frame (a new clip, or the person was lost)."""

    def fork(self) -> PoseBackend:
        """Another backend on the same model (sharing its weights where it can) with its own tracking
        state, to follow a second person at the same time."""

    def estimate(self, image: NDArray[np.uint8], seed: PersonDetection | None) -> PoseEstimate | None:
        """Keypoints of the seeded person, or (seed None) of the person followed since the last call, in
        `image`, an upright (H, W, 3) uint8 RGB frame; None when there is nobody to follow or the model says
        the person is gone."""

"""The pose backend interface: what any pose model must offer to be plugged into the athlete tracker.

A backend estimates one person's keypoints in one frame, inside a region the tracker gives it (a seed:
a person detection, or the region predicted from the person's previous poses). The tracker, not the
backend, decides whom to follow and keeps each person's track, so a backend holds no tracking state and
may be called for several people and frames at once.
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
    presence in [0, 1] (how sure the model is that a person is there at all), and, when the model has its
    own way to frame the person, the region to look in next (BlazePose: its two alignment landmarks);
    without it the tracker frames the person from the keypoints."""

    xy: NDArray[np.float64]
    score: NDArray[np.float64]
    presence: float
    region: PersonDetection | None = None

    def hip_centre(self, names: tuple[str, ...]) -> NDArray[np.float64]:
        left, right = names.index("left_hip"), names.index("right_hip")
        return np.asarray((self.xy[left] + self.xy[right]) / 2, dtype=np.float64)


@runtime_checkable
class PoseBackend(Protocol):
    """A pose model. `names` are the keypoint names it returns, in order (they must be names the analysis
    reads: BlazePose snake_case, e.g. COCO-17 models map to the 17 shared ones); `model_id` identifies
    model and version (it is part of the pose cache key). A backend whose `parallel` attribute is true may
    be called from several threads at once (the tracker then runs the calls of one frame side by side);
    without it, calls come one at a time."""

    names: tuple[str, ...]
    model_id: str

    def estimate(self, image: NDArray[np.uint8], seed: PersonDetection) -> PoseEstimate | None:
        """Keypoints of the person in the seed's region of `image`, an upright (H, W, 3) uint8 RGB frame;
        None when the model sees no person there."""

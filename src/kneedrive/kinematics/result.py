"""The kinematics stage's result."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

import numpy as np
from numpy.typing import NDArray

Array = NDArray[np.float64]


def _read_only(array: Array) -> Array:
    if array.flags.writeable:
        array = array.copy() if not array.flags.owndata else array
        array.flags.writeable = False
    return array


@dataclass(frozen=True)
class Kinematics:
    """Cleaned keypoints and angles in the athlete frame.

    points: name -> (N, 2) in leg lengths, x toward the direction of travel, y up, filtered.
    angles: name (e.g. "left_thigh_angle_deg") -> (N,) degrees.
    leg_length_m: metres per leg length when the scale is known, else None.
    direction: +1 when the athlete travels toward image right, -1 toward image left.
    """

    time_s: Array
    points: Mapping[str, Array]
    angles: Mapping[str, Array]
    fps_hz: float
    cutoff_hz: float
    leg_length_m: float | None
    leg_length_units: float
    direction: int
    direction_evidence: str
    swapped_frames: int
    filled_samples: int
    step_frequency_estimate_hz: float | None
    unavailable: Mapping[str, str]
    warnings: tuple[str, ...]

    def __post_init__(self) -> None:
        """Results are immutable: arrays read-only, mappings read-only views."""
        for name in ("points", "angles"):
            frozen = {k: _read_only(v) for k, v in getattr(self, name).items()}
            object.__setattr__(self, name, MappingProxyType(frozen))
        object.__setattr__(self, "time_s", _read_only(self.time_s))
        object.__setattr__(self, "unavailable", MappingProxyType(dict(self.unavailable)))

    @property
    def n_frames(self) -> int:
        return len(self.time_s)

    def has(self, name: str) -> bool:
        return name in self.points

    def to_metres(self, legs: float | None) -> float | None:
        if legs is None or self.leg_length_m is None:
            return None
        return float(legs * self.leg_length_m)

    def mid_hip(self) -> Array:
        return (self.points["left_hip"] + self.points["right_hip"]) / 2.0

    def foot_centre(self, side: str) -> Array:
        """Mean of heel and foot_index when present, else the ankle."""
        heel, toe = f"{side}_heel", f"{side}_foot_index"
        if heel in self.points and toe in self.points:
            centre: Array = (self.points[heel] + self.points[toe]) / 2.0
            return centre
        return self.points[f"{side}_ankle"]

    def angle(self, name: str) -> Array | None:
        return self.angles.get(name)

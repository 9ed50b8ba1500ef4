"""The legs' scale and swing as the clock checks read them (`kneedrive.pose.timing`, `kneedrive.pose.ramp`):
before kinematics, on the pose as it comes, so in the image's (or the ground frame's) pixels."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from ..sequence import PoseSequence

_NAMES = ("left_hip", "right_hip", "left_ankle", "right_ankle")


@dataclass(frozen=True)
class LegSwing:
    """Per row: the hips' midpoint (pixels) and the gap between the ankles along the image's x (leg lengths,
    unsigned: a left/right label swap does not change it); `legs_px`: the median hip-to-ankle distance of
    both legs."""

    hip: NDArray[np.float64]
    gap_legs: NDArray[np.float64]
    legs_px: float


def leg_swing(sequence: PoseSequence) -> LegSwing | None:
    """The legs' swing, or None without hips and ankles seen together in some row."""
    if not all(sequence.has(n) for n in _NAMES):
        return None
    hip = (sequence.point("left_hip") + sequence.point("right_hip")) / 2
    left, right = sequence.point("left_ankle"), sequence.point("right_ankle")
    reach = np.concatenate([np.hypot(*(left - hip).T), np.hypot(*(right - hip).T)])
    reach = reach[np.isfinite(reach)]
    legs = float(np.median(reach)) if len(reach) else 0.0
    if legs <= 0:
        return None
    return LegSwing(hip=hip, gap_legs=np.abs(left[:, 0] - right[:, 0]) / legs, legs_px=legs)

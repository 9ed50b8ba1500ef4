"""Kinematics stage: PoseSequence -> filtered, swap-corrected points and angles."""

from .build import compute_kinematics
from .result import Kinematics

__all__ = ["Kinematics", "compute_kinematics"]

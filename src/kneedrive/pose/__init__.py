"""Pose estimation: video frames -> the athlete's PoseSequence (bundled BlazePose, or a plugged-in backend)."""

from .backend import PoseBackend, PoseEstimate
from .blazepose import BlazePoseFull
from .detector import PersonDetection, PersonDetector
from .people import PeopleScan, PersonTrack
from .run import VideoPose, estimate_pose, find_people

__all__ = [
    "BlazePoseFull",
    "PeopleScan",
    "PersonDetection",
    "PersonDetector",
    "PersonTrack",
    "PoseBackend",
    "PoseEstimate",
    "VideoPose",
    "estimate_pose",
    "find_people",
]

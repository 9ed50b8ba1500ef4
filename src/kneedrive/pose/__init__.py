"""Pose estimation: video frames -> the athlete's PoseSequence (bundled BlazePose, or a plugged-in backend).

The names are imported on first use, so that importing a light module of this package (`pose.people`,
`pose.plugins`) does not load OpenCV, PyAV and the LiteRT runtime.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .backend import PoseBackend, PoseEstimate
    from .blazepose import BlazePoseFull
    from .detector import PersonDetection, PersonDetector
    from .people import PeopleScan, PersonTrack
    from .run import VideoPose, estimate_pose, find_people

_WHERE = {
    "PoseBackend": ".backend",
    "PoseEstimate": ".backend",
    "BlazePoseFull": ".blazepose",
    "PersonDetection": ".detector",
    "PersonDetector": ".detector",
    "PeopleScan": ".people",
    "PersonTrack": ".people",
    "VideoPose": ".run",
    "estimate_pose": ".run",
    "find_people": ".run",
}

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


def __getattr__(name: str) -> object:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(module, __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})

"""kneedrive: sprint and knee-drive mechanics from side-view video or 2D keypoints.

The public API is what `__all__` lists: analyze a file or a sequence, load and write keypoints, run the pose
model on a video, and the errors a caller can catch. Everything else (the stages' modules under `io/`, `pose/`,
`kinematics/`, `events/`, `metrics/`, `drills/`, `coaching/`, `report/`) is importable but internal: it may
change between versions without notice.

Importing `kneedrive` is cheap: the names below are looked up on first use (PEP 562 module `__getattr__`), so
`import kneedrive` does not load NumPy, SciPy, PyAV, OpenCV or the pose runtime until they are needed.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

__version__ = "0.1.0"

if TYPE_CHECKING:
    from .analysis import Analysis, analyze
    from .analysis_views import analyze_views
    from .errors import InputError, KneedriveError, NotEnoughMotionError
    from .io.keypoints_csv import write_keypoints_csv
    from .io.load import load_keypoints
    from .pose import PoseBackend, PoseEstimate, VideoPose, estimate_pose, find_people
    from .pose.options import VideoOptions
    from .sequence import PoseSequence

#: Public name -> the module that defines it (imported on first access).
_WHERE = {
    "Analysis": ".analysis",
    "VideoOptions": ".pose.options",
    "analyze": ".analysis",
    "analyze_views": ".analysis_views",
    "InputError": ".errors",
    "KneedriveError": ".errors",
    "NotEnoughMotionError": ".errors",
    "load_keypoints": ".io.load",
    "write_keypoints_csv": ".io.keypoints_csv",
    "PoseBackend": ".pose",
    "PoseEstimate": ".pose",
    "VideoPose": ".pose",
    "estimate_pose": ".pose",
    "find_people": ".pose",
    "PoseSequence": ".sequence",
}

__all__ = [
    "Analysis",
    "InputError",
    "KneedriveError",
    "NotEnoughMotionError",
    "PoseBackend",
    "PoseEstimate",
    "PoseSequence",
    "VideoOptions",
    "VideoPose",
    "analyze",
    "analyze_views",
    "estimate_pose",
    "find_people",
    "load_keypoints",
    "write_keypoints_csv",
]


def __getattr__(name: str) -> object:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(module, __name__), name)
    globals()[name] = value  # next time a plain attribute
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})

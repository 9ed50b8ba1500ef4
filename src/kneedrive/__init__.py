"""kneedrive: sprint and knee-drive mechanics from side-view video or 2D keypoints."""

__version__ = "0.1.0"

from .analysis import Analysis, VideoOptions, analyze
from .errors import InputError, KneedriveError, NotEnoughMotionError
from .sequence import PoseSequence

__all__ = [
    "Analysis",
    "InputError",
    "KneedriveError",
    "NotEnoughMotionError",
    "PoseSequence",
    "VideoOptions",
    "analyze",
]

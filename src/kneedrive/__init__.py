"""kneedrive: sprint and knee-drive mechanics from side-view video or 2D keypoints."""

__version__ = "0.1.0"

from .analysis import Analysis, analyze  # noqa: E402
from .errors import InputError, KneedriveError, NotEnoughMotionError  # noqa: E402
from .sequence import PoseSequence  # noqa: E402

__all__ = ["Analysis", "InputError", "KneedriveError", "NotEnoughMotionError", "PoseSequence", "analyze"]

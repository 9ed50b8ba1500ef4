"""Open any supported keypoint file by its extension."""

from __future__ import annotations

from pathlib import Path

from ..errors import InputError
from ..sequence import PoseSequence
from .formats import KEYPOINT_SUFFIXES, VIDEO_SUFFIXES
from .keypoints_csv import read_keypoints_csv
from .trc import read_trc


def load_keypoints(path: Path, *, fps_hz: float | None = None) -> PoseSequence:
    path = Path(path)
    if not path.exists():
        raise InputError(f"{path}: no such file")
    if path.is_dir():
        raise InputError(f"{path}: is a folder, not a file")
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return read_keypoints_csv(path, fps_hz=fps_hz)
    if suffix == ".trc":
        return read_trc(path)
    raise InputError(
        f"{path}: unsupported file type '{suffix}' (keypoints: {', '.join(KEYPOINT_SUFFIXES)}; "
        f"video: {', '.join(VIDEO_SUFFIXES)})"
    )

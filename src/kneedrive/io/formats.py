"""File kinds by extension, without importing a decoder (the CLI and `analyze` decide with these first)."""

from __future__ import annotations

from pathlib import Path

VIDEO_SUFFIXES = (".mp4", ".mov", ".avi", ".mkv", ".m4v")
KEYPOINT_SUFFIXES = (".csv", ".trc")


def is_video(path: str | Path) -> bool:
    """True for a video file name (.mp4 .mov .avi .mkv .m4v, any case)."""
    return Path(path).suffix.lower() in VIDEO_SUFFIXES

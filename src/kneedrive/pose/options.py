"""How to turn a video into keypoints: the options a video analysis and `kneedrive pose` share.

A light module (no pose runtime at import), so that the command line can build the options before it loads
the pose model.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .backend import PoseBackend
    from .run import Progress, VideoPose


@dataclass(frozen=True)
class VideoOptions:
    """How to turn a video into keypoints (ignored for keypoint files): trim in seconds, which person
    (number from `kneedrive people`; None = the most active), the pose model, the pose cache."""

    start_s: float | None = None
    end_s: float | None = None
    person: int | None = None
    backend: PoseBackend | None = None
    use_cache: bool = True
    progress: Progress | None = None
    #: The rate the camera captured at (slow motion played at the file's rate); None: the file's metadata.
    capture_fps: float | None = None

    def estimate(self, path: Path) -> VideoPose:
        """The athlete's keypoints in the video at `path`, with these options."""
        from .run import estimate_pose

        return estimate_pose(
            path,
            start_s=self.start_s,
            end_s=self.end_s,
            person=self.person,
            backend=self.backend,
            use_cache=self.use_cache,
            progress=self.progress,
            capture_fps=self.capture_fps,
        )

"""The options of one analysis (the arguments of `kneedrive.analyze` and of its video stage) as one frozen,
validated value: what the command line, the app's upload form, the store and the batch all turn into and
hand on. A light module (no analysis stage at import)."""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, fields
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .errors import InputError

if TYPE_CHECKING:
    from .analysis import Analysis
    from .pose.backend import PoseBackend
    from .pose.run import Progress

#: Fields that are not numbers >= 0.
_NOT_AMOUNTS = ("drill", "view", "person", "pose_model", "kinogram_stride")


@dataclass(frozen=True)
class AnalysisOptions:
    """`pose_model`: a backend as 'package.module:Class' (None: the bundled BlazePose)."""

    drill: str = "auto"
    view: str = "auto"
    fps_hz: float | None = None
    px_per_m: float | None = None
    athlete_height_m: float | None = None
    treadmill_speed_mps: float | None = None
    cutoff_hz: float | None = None
    start_s: float | None = None
    end_s: float | None = None
    person: int | None = None
    pose_model: str | None = None
    capture_fps: float | None = None
    #: The stride the kinograms show (1-based; None: the most typical, or an acceleration's first).
    kinogram_stride: int | None = None

    def __post_init__(self) -> None:
        for f in fields(AnalysisOptions):
            value = getattr(self, f.name)
            if f.name in _NOT_AMOUNTS or value is None:
                continue
            if not (isinstance(value, int | float) and math.isfinite(value) and value >= 0):
                raise InputError(f"{f.name} must be a number >= 0, got {value!r}")
        if self.person is not None and self.person < 1:
            raise InputError(f"person must be 1 or more, got {self.person}")
        stride = self.kinogram_stride  # its range depends on the clip: the analysis checks it
        if stride is not None and (isinstance(stride, bool) or not isinstance(stride, int)):
            raise InputError(f"kinogram_stride must be a stride number, got {stride!r}")

    def to_dict(self) -> dict[str, Any]:
        """The options that are set (None left out)."""
        return {k: v for k, v in asdict(self).items() if v is not None}

    @classmethod
    def from_dict(cls, doc: dict[str, Any]) -> AnalysisOptions:
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in doc.items() if k in known})

    def analyze(
        self,
        path: Path,
        *,
        progress: Progress | None = None,
        backend: PoseBackend | None = None,
        use_cache: bool = True,
    ) -> Analysis:
        """`kneedrive.analyze(path)` with these options (`backend` overrides `pose_model`)."""
        from .analysis import analyze
        from .pose.options import VideoOptions
        from .pose.plugins import load_backend

        if backend is None and self.pose_model:
            backend = load_backend(self.pose_model)
        return analyze(
            path,
            fps_hz=self.fps_hz,
            px_per_m=self.px_per_m,
            athlete_height_m=self.athlete_height_m,
            treadmill_speed_mps=self.treadmill_speed_mps,
            cutoff_hz=self.cutoff_hz,
            drill=self.drill,
            view=self.view,
            kinogram_stride=self.kinogram_stride,
            video=VideoOptions(
                start_s=self.start_s,
                end_s=self.end_s,
                person=self.person,
                backend=backend,
                use_cache=use_cache,
                progress=progress,
                capture_fps=self.capture_fps,
            ),
        )

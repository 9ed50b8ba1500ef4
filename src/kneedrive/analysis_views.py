"""Two views of one session: a side clip and a front clip of the same athlete, in one analysis.

Each clip is analyzed on its own (its own view detection, time base and scale), then the two are put
together: the side clip's analysis, whose sagittal figures stand, carries the front clip's whole analysis
as `front_clip`, whose front-view figures stand. Each figure is thus read from the view that shows it and
keeps its clip's name (`source`); faults and coaching come from both. Two clips of the same view, or an
oblique clip, are refused: they would give one figure twice, or none.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, TypeAlias

from .analysis import Analysis, analyze
from .drills.analyze import AUTO
from .errors import InputError
from .pose.options import VideoOptions
from .sequence import PoseSequence

if TYPE_CHECKING:
    from .pose import VideoPose

Source: TypeAlias = "str | Path | PoseSequence | VideoPose"


def analyze_views(
    first: Source,
    second: Source,
    *,
    fps_hz: float | None = None,
    athlete_height_m: float | None = None,
    treadmill_speed_mps: float | None = None,
    cutoff_hz: float | None = None,
    drill: str = AUTO,
    video: VideoOptions | None = None,
) -> Analysis:
    """A side clip and a front clip of one session (in either order) as one analysis: the side clip's,
    with the front clip's as `front_clip`. Each clip's view is detected; InputError unless one is a side
    view and the other a front view. The options apply to both clips (there is no `px_per_m`: two cameras
    have two scales; `athlete_height_m` scales each clip by its own leg length)."""
    clips = [
        analyze(
            source,
            fps_hz=fps_hz,
            athlete_height_m=athlete_height_m,
            treadmill_speed_mps=treadmill_speed_mps,
            cutoff_hz=cutoff_hz,
            drill=drill,
            video=video,
        )
        for source in (first, second)
    ]
    views = [a.record.view for a in clips]
    names = [_name(a) for a in clips]
    if views[0] == views[1]:
        raise InputError(
            f"both clips are {views[0]} views ({names[0]}: {clips[0].record.view_evidence}; {names[1]}: "
            f"{clips[1].record.view_evidence}): a two-view session needs one side and one front clip; "
            "analyze each clip on its own instead"
        )
    for analysis, view, name in zip(clips, views, names, strict=True):
        if view not in ("side", "front"):
            raise InputError(
                f"{name} is an {view} view ({analysis.record.view_evidence}): a two-view session needs one side "
                "and one front clip (film the front clip on the line of running)"
            )
    side, front = clips if views[0] == "side" else clips[::-1]
    return replace(side, front_clip=front)


def _name(analysis: Analysis) -> str:
    source = analysis.source
    return source if source.startswith("<") else Path(source).name

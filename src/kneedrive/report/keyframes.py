"""Key moments a coach looks at, per side: peak knee lift, touchdown, toe-off.

Chosen from the analysis record (its steps and series), so a report re-rendered from a saved
analysis.json shows the same moments. The pose is the series sample nearest the event (at most half a series
sample away: <= 5 ms at the 100 Hz series rate). `frame` is the input (video) frame of the
event, for drawing on the video frame instead of a blank canvas once frames are available.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from ..drills.rep_metrics import Cycle
from ..metrics import Step
from ..record import AnalysisRecord, Series
from .skeleton import Point, Readout, fit_pose, skeleton_svg

KIND_LABELS = {
    "knee_lift": "Peak knee lift",
    "touchdown": "Touchdown",
    "toe_off": "Toe-off",
    "drive": "Drive starts",
    "cycle_end": "Cycle ends",
    "evidence": "Seen",
    # the S-MAS positions of a stride (kneedrive.events.phases), drawn in the kinogram
    "contralateral_toe_off": "Contralateral toe-off",
    "max_vertical_projection": "Max vertical projection",
    "strike": "Strike (late swing)",
    "full_support": "Full support",
    # an acceleration kinogram's (kneedrive.events.phases.ACCELERATION_POSITIONS; also touchdown, toe_off)
    "mid_stance": "Mid-stance",
    "peak_knee_lift": "Peak knee lift",
}
#: Ground line drawn this far around the moment (lowest foot point in the window).
GROUND_WINDOW_S = 0.4


@dataclass(frozen=True)
class KeyFrame:
    side: str  # left, right, or "" (none highlighted)
    kind: str  # knee_lift, touchdown, toe_off; drills: drive, knee_lift, cycle_end; evidence (of a fault)
    time_s: float
    frame: int  # input frame nearest the event
    sample: int  # index into the series
    pose: Mapping[str, Point]  # athlete frame, leg lengths, y up
    ground_y: float | None
    readouts: tuple[Readout, ...]

    @property
    def label(self) -> str:
        return f"{KIND_LABELS[self.kind]}, {self.side}" if self.side else KIND_LABELS[self.kind]


def nearest_sample(time_s: np.ndarray, t: float) -> int:
    """The sample nearest `t`; the later one on a tie: an event timed between two frames (a foot-reach
    touchdown) is shown on the frame after, the first with the foot on the ground."""
    finite = np.isfinite(time_s)
    if not finite.any():
        return 0
    distance = np.where(finite, np.abs(time_s - t), np.inf)
    return int(np.flatnonzero(distance <= distance.min() + 1e-9)[-1])


def _angle(series: Series, name: str, i: int) -> float | None:
    values = series.angles.get(name)
    if values is None or i >= len(values) or not math.isfinite(values[i]):
        return None
    return float(values[i])


def _representative_step(steps: Sequence[Step], side: str) -> Step | None:
    """The complete step of this side nearest the middle of the side's steps with side-view figures (a
    typical step, away from the clip edges where the filter and the event search are weakest)."""
    own = [s for s in steps if s.side == side]
    # a step whose side-view figures were withheld (outside the part seen side-on, say) shows no angle
    measured = [s for s in own if s.thigh_angle_peak_deg is not None or s.knee_flexion_touchdown_deg is not None]
    own = measured or own
    complete = [s for s in own if s.toe_off_time_s is not None and s.knee_lift_time_s is not None]
    pool = complete or [s for s in own if s.toe_off_time_s is not None] or own
    return pool[len(pool) // 2] if pool else None


def _readouts(series: Series, side: str, kind: str, i: int) -> tuple[Readout, ...]:
    out = []
    thigh = _angle(series, f"{side}_thigh_angle_deg", i)
    knee = _angle(series, f"{side}_knee_flexion_deg", i)
    ankle = _angle(series, f"{side}_ankle_dorsiflexion_deg", i)
    trunk = _angle(series, "trunk_lean_deg", i)
    if thigh is not None and kind == "knee_lift":
        out.append(Readout(f"{side}_hip", f"thigh {thigh:.0f}°"))
    if knee is not None:
        out.append(Readout(f"{side}_knee", f"knee {knee:.0f}°"))
    if ankle is not None:
        out.append(Readout(f"{side}_ankle", f"ankle {ankle:+.0f}°"))
    if trunk is not None:
        out.append(Readout("left_shoulder", f"trunk {trunk:+.0f}°"))
    return tuple(out)


def _ground_y(series: Series, t: float) -> float | None:
    near = np.abs(series.time_s - t) <= GROUND_WINDOW_S
    lows = [
        series.points[name][near, 1]
        for name in ("left_heel", "left_foot_index", "left_ankle", "right_heel", "right_foot_index", "right_ankle")
        if name in series.points
    ]
    heights = np.concatenate(lows) if lows else np.empty(0)
    heights = heights[np.isfinite(heights)]
    return float(heights.min()) if heights.size else None


def key_frame_at(record: AnalysisRecord, t: float, *, kind: str, side: str = "") -> KeyFrame | None:
    """The pose nearest time `t` (None without a series or keypoints there). `side` ("" for none)
    is highlighted and gets the angle readouts. `frame` is the input frame nearest `t`, from the series'
    own frame numbers and times (between two samples: interpolated, so variable frame rates are right)."""
    series = record.series
    if series is None or len(series.time_s) == 0:
        return None
    i = nearest_sample(series.time_s, t)
    pose = {name: (float(p[i][0]), float(p[i][1])) for name, p in series.points.items() if np.isfinite(p[i]).all()}
    if not pose:
        return None
    finite = np.isfinite(series.time_s)
    frame = round(float(np.interp(t, series.time_s[finite], series.frames[finite].astype(float))))
    readouts = _readouts(series, side, kind, i) if side else ()
    return KeyFrame(side, kind, t, max(0, frame), i, pose, _ground_y(series, t), readouts)


def _representative_cycle(record: AnalysisRecord, side: str) -> Cycle | None:
    """The middle cycle of this side in the first rep that works it."""
    for rep in record.drill.reps:
        cycles = [c for c in rep.cycles_detail if c.side == side]
        if cycles:
            return cycles[len(cycles) // 2]
    return None


def drill_key_frames(record: AnalysisRecord) -> list[KeyFrame]:
    """For a drill: the start of the drive, the top and the end of a typical cycle, per side."""
    out = []
    for side in ("left", "right"):
        cycle = _representative_cycle(record, side)
        if cycle is None:
            continue
        for kind, t in (("drive", cycle.drive_s), ("knee_lift", cycle.top_s), ("cycle_end", cycle.end_s)):
            key = None if t is None else key_frame_at(record, float(t), kind=kind, side=side)
            if key is not None:
                out.append(key)
    return out


def key_frames(record: AnalysisRecord) -> list[KeyFrame]:
    """Peak knee lift, touchdown and toe-off for each side (fewer when events are missing); for a
    drill without steps, its cycles' drive, top and end. Empty without a series."""
    if not record.steps and record.drill.reps:
        return drill_key_frames(record)
    out = []
    for side in ("left", "right"):
        step = _representative_step(record.steps, side)
        if step is None:
            continue
        times = {"knee_lift": step.knee_lift_time_s, "touchdown": step.touchdown_time_s, "toe_off": step.toe_off_time_s}
        for kind, t in times.items():
            key = None if t is None else key_frame_at(record, float(t), kind=kind, side=side)
            if key is not None:
                out.append(key)
    return out


def stick_figure_svg(
    key: KeyFrame, *, width_px: int = 320, height_px: int = 320, shown_time_s: float | None = None
) -> str:
    """The key frame as a stick figure on a blank canvas (no video frame), titled with `shown_time_s` (the
    moment in the file's time, when the analysis ran on another clock) or its own time."""
    pose, ground = fit_pose(key.pose, width_px=width_px, height_px=height_px, margin_px=28.0, ground_y=key.ground_y)
    return skeleton_svg(
        pose,
        width_px=width_px,
        height_px=height_px,
        highlight_side=key.side or None,
        readouts=key.readouts,
        ground_y_px=ground,
        title=f"{key.label} at {key.time_s if shown_time_s is None else shown_time_s:.3f} s",
        css_class="skeleton stick-figure",
    )

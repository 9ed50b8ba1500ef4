"""Key moments a coach looks at, per side: peak knee lift, touchdown, toe-off.

Chosen from a saved analysis document (its `steps` and `series`), so a report can be re-rendered
from the JSON alone. The pose is the series sample nearest the event (at most half a series
sample away: <= 5 ms at the 100 Hz series rate). `frame` is the input (video) frame of the
event, for drawing on the video frame instead of a blank canvas once frames are available.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .skeleton import Point, Readout, fit_pose, skeleton_svg

KIND_LABELS = {
    "knee_lift": "Peak knee lift",
    "touchdown": "Touchdown",
    "toe_off": "Toe-off",
    "drive": "Drive starts",
    "cycle_end": "Cycle ends",
    "evidence": "Seen",
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


def nearest_sample(time_s: list[float | None], t: float) -> int:
    best, best_d = 0, math.inf
    for i, ti in enumerate(time_s):
        if ti is not None and abs(ti - t) < best_d:
            best, best_d = i, abs(ti - t)
    return best


def _angle(series: Mapping[str, Any], name: str, i: int) -> float | None:
    values = series["angles"].get(name)
    if values is None or i >= len(values):
        return None
    v = values[i]
    return None if v is None else float(v)


def _representative_step(steps: list[dict[str, Any]], side: str) -> dict[str, Any] | None:
    """The complete step of this side nearest the middle of the side's steps (a typical step,
    away from the clip edges where the filter and the event search are weakest)."""
    own = [s for s in steps if s["side"] == side]
    complete = [s for s in own if s.get("toe_off_time_s") is not None and s.get("knee_lift_time_s") is not None]
    pool = complete or [s for s in own if s.get("toe_off_time_s") is not None] or own
    return pool[len(pool) // 2] if pool else None


def _readouts(series: Mapping[str, Any], side: str, kind: str, i: int) -> tuple[Readout, ...]:
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


def _ground_y(series: Mapping[str, Any], t: float) -> float | None:
    times = series["time_s"]
    lows = []
    for name in ("left_heel", "left_foot_index", "left_ankle", "right_heel", "right_foot_index", "right_ankle"):
        for ti, p in zip(times, series["points"].get(name, []), strict=False):
            if ti is not None and p is not None and abs(ti - t) <= GROUND_WINDOW_S:
                lows.append(p[1])
    return min(lows) if lows else None


def key_frame_at(doc: Mapping[str, Any], t: float, *, kind: str, side: str = "") -> KeyFrame | None:
    """The pose nearest time `t` (None without a series or keypoints there). `side` ("" for none)
    is highlighted and gets the angle readouts."""
    series = doc.get("series")
    if not series or not series.get("time_s"):
        return None
    i = nearest_sample(series["time_s"], t)
    pose = {name: (float(p[i][0]), float(p[i][1])) for name, p in series["points"].items() if p[i] is not None}
    if not pose:
        return None
    t0 = next((s for s in series["time_s"] if s is not None), 0.0)
    frame = max(0, round(series["frames"][0] + (t - t0) * float(doc["input"]["fps_hz"])))
    readouts = _readouts(series, side, kind, i) if side else ()
    return KeyFrame(side, kind, t, frame, i, pose, _ground_y(series, t), readouts)


def _representative_cycle(doc: Mapping[str, Any], side: str) -> dict[str, Any] | None:
    """The middle cycle of this side in the first rep that works it."""
    for rep in (doc.get("drill") or {}).get("reps") or []:
        cycles = [c for c in rep.get("cycles_detail") or [] if c.get("side") == side]
        if cycles:
            chosen: dict[str, Any] = cycles[len(cycles) // 2]
            return chosen
    return None


def drill_key_frames(doc: Mapping[str, Any]) -> list[KeyFrame]:
    """For a drill: the start of the drive, the top and the end of a typical cycle, per side."""
    out = []
    for side in ("left", "right"):
        cycle = _representative_cycle(doc, side)
        if cycle is None:
            continue
        for kind, field in (("drive", "drive_s"), ("knee_lift", "top_s"), ("cycle_end", "end_s")):
            t = cycle.get(field)
            key = None if t is None else key_frame_at(doc, float(t), kind=kind, side=side)
            if key is not None:
                out.append(key)
    return out


def key_frames(doc: Mapping[str, Any]) -> list[KeyFrame]:
    """Peak knee lift, touchdown and toe-off for each side (fewer when events are missing); for a
    drill without steps, its cycles' drive, top and end. Empty without a `series` block."""
    if not doc.get("steps") and (doc.get("drill") or {}).get("reps"):
        return drill_key_frames(doc)
    out = []
    for side in ("left", "right"):
        step = _representative_step(doc.get("steps", []), side)
        if step is None:
            continue
        for kind in ("knee_lift", "touchdown", "toe_off"):
            t = step.get(f"{kind}_time_s")
            key = None if t is None else key_frame_at(doc, float(t), kind=kind, side=side)
            if key is not None:
                out.append(key)
    return out


def stick_figure_svg(key: KeyFrame, *, width_px: int = 320, height_px: int = 320) -> str:
    """The key frame as a stick figure on a blank canvas (no video frame)."""
    pose, ground = fit_pose(key.pose, width_px=width_px, height_px=height_px, margin_px=28.0, ground_y=key.ground_y)
    return skeleton_svg(
        pose,
        width_px=width_px,
        height_px=height_px,
        highlight_side=key.side or None,
        readouts=key.readouts,
        ground_y_px=ground,
        title=f"{key.label} at {key.time_s:.3f} s",
        css_class="skeleton stick-figure",
    )

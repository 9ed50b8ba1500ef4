"""Per-step figures (one step per touchdown), as defined in DOMAIN.md."""

from __future__ import annotations

import bisect
import math
from dataclasses import dataclass

import numpy as np

from ..events import GaitEvent, Side
from ..kinematics import Kinematics
from ..kinematics.result import Array
from ..kinematics.timebase import value_at


@dataclass(frozen=True)
class Step:
    """From one touchdown to the next touchdown of the other foot. Lengths in metres (`_m`,
    null without a scale) and in leg lengths (`_legs`); None where not measurable."""

    side: Side
    touchdown_frame: int
    touchdown_time_s: float
    toe_off_time_s: float | None
    contact_time_s: float | None
    flight_time_s: float | None
    step_time_s: float | None
    step_length_m: float | None
    step_length_legs: float | None
    speed_mps: float | None
    thigh_angle_peak_deg: float | None
    hip_flexion_peak_deg: float | None
    knee_flexion_touchdown_deg: float | None
    trunk_lean_touchdown_deg: float | None
    touchdown_distance_m: float | None
    touchdown_distance_legs: float | None
    heel_recovery_height_m: float | None
    heel_recovery_height_legs: float | None
    knee_lift_time_s: float | None
    foot_angle_knee_lift_deg: float | None
    ankle_dorsiflexion_knee_lift_deg: float | None
    foot_under_knee_shanks: float | None
    vertical_oscillation_m: float | None
    vertical_oscillation_legs: float | None


def _value(kin: Kinematics, series: Array | None, t: float) -> float | None:
    if series is None:
        return None
    v = value_at(t, kin.time_s, series)
    return v if np.isfinite(v) else None


def _window(kin: Kinematics, t0: float, t1: float) -> np.ndarray:
    """Frames with t0 <= time <= t1 (the time base is strictly increasing)."""
    lo = int(np.searchsorted(kin.time_s, t0, side="left"))
    hi = int(np.searchsorted(kin.time_s, t1, side="right"))
    return np.arange(lo, max(lo, hi))


@dataclass(frozen=True)
class _Tracks:
    """What every step reads, computed once per clip (not once per step)."""

    hip: Array
    feet: dict[str, Array]
    shank: dict[str, float]

    @staticmethod
    def of(kin: Kinematics) -> _Tracks:
        return _Tracks(
            hip=kin.mid_hip(),
            feet={side: kin.foot_centre(side) for side in ("left", "right")},
            shank={
                side: float(
                    np.nanmedian(np.linalg.norm(kin.points[f"{side}_ankle"] - kin.points[f"{side}_knee"], axis=1))
                )
                for side in ("left", "right")
            },
        )


def measure_steps(
    kin: Kinematics, events: list[GaitEvent], *, time_contacts: bool = True, belt_speed_mps: float | None = None
) -> list[Step]:
    """One Step per touchdown. `time_contacts=False` (frame rate too low) leaves contact and
    flight times null. `belt_speed_mps` gives step length and speed on a treadmill."""
    touchdowns = [e for e in events if e.kind == "touchdown"]
    toe_offs = [e for e in events if e.kind == "toe_off"]
    stationary = kin.direction_evidence != "hip travel"
    tracks = _Tracks.of(kin)
    # each lookup a binary search in time order (a scan of every event per step made long clips quadratic)
    touchdowns.sort(key=lambda e: e.time_s)
    toe_offs.sort(key=lambda e: e.time_s)
    td_times = [e.time_s for e in touchdowns]
    own_tds = {s: [e for e in touchdowns if e.side == s] for s in ("left", "right")}
    own_td_times = {s: [e.time_s for e in v] for s, v in own_tds.items()}
    own_tos = {s: [e for e in toe_offs if e.side == s] for s in ("left", "right")}
    own_to_times = {s: [e.time_s for e in v] for s, v in own_tos.items()}
    steps = []
    for td in touchdowns:
        side, t = td.side, td.time_s
        k = bisect.bisect_right(own_td_times[side], t)
        later_td = own_tds[side][k] if k < len(own_tds[side]) else None
        k = bisect.bisect_right(own_to_times[side], t)
        to = own_tos[side][k] if k < len(own_tos[side]) else None
        if to is not None and later_td is not None and not to.time_s < later_td.time_s:
            to = None
        k = bisect.bisect_right(td_times, t)
        next_td = touchdowns[k] if k < len(touchdowns) else None
        if next_td is not None and next_td.side == side:
            next_td = None  # the other foot's touchdown was missed: do not bridge two steps
        k = bisect.bisect_left(own_to_times[side], t)
        prev_to = own_tos[side][k - 1] if k > 0 else None
        next_to = None if next_td is None else _own_toe_off(next_td, own_td_times, own_tos, own_to_times)
        steps.append(_step(kin, tracks, td, to, next_td, prev_to, stationary, time_contacts, belt_speed_mps, next_to))
    return steps


def _own_toe_off(
    td: GaitEvent,
    own_td_times: dict[str, list[float]],
    own_tos: dict[str, list[GaitEvent]],
    own_to_times: dict[str, list[float]],
) -> GaitEvent | None:
    """The toe-off that ends `td`'s contact: the same foot's first after it, before its next touchdown
    (binary searches: the steps stay linear in the clip)."""
    k = bisect.bisect_right(own_to_times[td.side], td.time_s)
    to = own_tos[td.side][k] if k < len(own_tos[td.side]) else None
    times = own_td_times[td.side]
    later = bisect.bisect_right(times, td.time_s)
    return None if to is None or (later < len(times) and not to.time_s < times[later]) else to


def _step(
    kin: Kinematics,
    tracks: _Tracks,
    td: GaitEvent,
    to: GaitEvent | None,
    next_td: GaitEvent | None,
    prev_to: GaitEvent | None,
    stationary: bool,
    time_contacts: bool,
    belt_speed_mps: float | None,
    next_to: GaitEvent | None = None,
) -> Step:
    side, t = td.side, td.time_s
    contact = (to.time_s - t) if (to is not None and time_contacts) else None
    step_time = (next_td.time_s - t) if next_td is not None else None
    flight = (next_td.time_s - to.time_s) if (next_td is not None and to is not None and time_contacts) else None
    hip = tracks.hip
    foot = tracks.feet[side]

    length_legs = speed_legs = None
    length_m = speed_m = None
    if step_time is not None and next_td is not None:
        if stationary:
            if belt_speed_mps is not None:
                length_m, speed_m = belt_speed_mps * step_time, belt_speed_mps
                length_legs = length_m / kin.leg_length_m if kin.leg_length_m else None
        else:
            # where each foot is planted, read just after its touchdown: a touchdown found a frame early
            # catches the foot still swinging forward (at 30 fps and 7 m/s about 0.45 m short of where it lands)
            a = _value(kin, foot[:, 0], _planted_time_s(kin, t, to))
            b = _value(kin, tracks.feet[next_td.side][:, 0], _planted_time_s(kin, next_td.time_s, next_to))
            length_legs = None if a is None or b is None else b - a
            h0, h1 = _value(kin, hip[:, 0], t), _value(kin, hip[:, 0], next_td.time_s)
            speed_legs = None if h0 is None or h1 is None else (h1 - h0) / step_time
            length_m, speed_m = kin.to_metres(length_legs), kin.to_metres(speed_legs)

    thigh = kin.angle(f"{side}_thigh_angle_deg")
    peak = lift_t = heel_legs = None
    hip_flex_peak = None
    if prev_to is not None and thigh is not None:
        swing = _window(kin, prev_to.time_s, t)
        if len(swing) and np.any(np.isfinite(thigh[swing])):
            i = swing[int(np.nanargmax(thigh[swing]))]
            peak, lift_t = float(thigh[i]), float(kin.time_s[i])
            hf = kin.angle(f"{side}_hip_flexion_deg")
            hip_flex_peak = float(np.nanmax(hf[swing])) if hf is not None else None
            heel_pt = kin.points.get(f"{side}_heel", kin.points[f"{side}_ankle"])
            rel = heel_pt[swing, 1] - hip[swing, 1]
            heel_legs = float(np.nanmax(rel)) if np.any(np.isfinite(rel)) else None

    under = None
    if lift_t is not None:
        knee_x = _value(kin, kin.points[f"{side}_knee"][:, 0], lift_t)
        ankle_x = _value(kin, kin.points[f"{side}_ankle"][:, 0], lift_t)
        shank = tracks.shank[side]
        if knee_x is not None and ankle_x is not None and shank > 0:
            under = (ankle_x - knee_x) / shank

    hip_x, foot_x = _value(kin, hip[:, 0], t), _value(kin, foot[:, 0], t)
    distance = None if hip_x is None or foot_x is None else foot_x - hip_x
    osc = None
    if next_td is not None:
        window = _window(kin, t, next_td.time_s)
        if len(window) >= 2:
            osc = float(np.nanmax(hip[window, 1]) - np.nanmin(hip[window, 1]))

    def at(name: str, when: float | None) -> float | None:
        return None if when is None else _value(kin, kin.angle(name), when)

    return Step(
        side=side,
        touchdown_frame=td.frame,
        touchdown_time_s=t,
        toe_off_time_s=None if to is None else to.time_s,
        contact_time_s=contact,
        flight_time_s=flight,
        step_time_s=step_time,
        step_length_m=length_m,
        step_length_legs=length_legs,
        speed_mps=speed_m,
        thigh_angle_peak_deg=peak,
        hip_flexion_peak_deg=hip_flex_peak,
        knee_flexion_touchdown_deg=at(f"{side}_knee_flexion_deg", t),
        trunk_lean_touchdown_deg=at("trunk_lean_deg", t),
        touchdown_distance_m=kin.to_metres(distance),
        touchdown_distance_legs=distance,
        heel_recovery_height_m=kin.to_metres(heel_legs),
        heel_recovery_height_legs=heel_legs,
        knee_lift_time_s=lift_t,
        foot_angle_knee_lift_deg=at(f"{side}_foot_angle_deg", lift_t),
        ankle_dorsiflexion_knee_lift_deg=at(f"{side}_ankle_dorsiflexion_deg", lift_t),
        foot_under_knee_shanks=under,
        vertical_oscillation_m=kin.to_metres(osc),
        vertical_oscillation_legs=osc,
    )


#: A foot whose toe-off is not known is read this long after its touchdown (or one frame): a sprint contact
#: lasts 80 ms or more (Bolt: 86 ms, Coh et al. 2018), so the foot is still down.
STANCE_PROBE_S = 0.04


def _planted_time_s(kin: Kinematics, touchdown_s: float, toe_off: GaitEvent | None) -> float:
    """When the foot is down after a touchdown: halfway to its toe-off (a touchdown found 65-80 ms early
    still has the foot swinging 40 ms later), else STANCE_PROBE_S (or a frame) later."""
    if toe_off is not None and toe_off.time_s > touchdown_s:
        return (touchdown_s + toe_off.time_s) / 2
    return touchdown_s + max(STANCE_PROBE_S, 1.0 / kin.fps_hz)


def stance_speed_legs_per_s(kin: Kinematics, steps: list[Step]) -> float | None:
    """How fast the hips travel over the planted foot (leg lengths/s, median over the steps): the quickest the
    foot moves back relative to the hips (90th percentile of its frame-to-frame speed) over the step after
    each touchdown. It is the running speed, read within each frame (on a treadmill, and under a camera that
    moves, too) and from the touchdowns alone. Over the whole step, not just after the touchdown: a touchdown
    found early catches the foot still swinging forward, and a speed read there is too low (overstriding
    then judged where a frame moves the distance far more: read over the half step, 0.68 of the treadmill
    sprinter's speed at 30 fps); after toe-off the foot moves forward relative to the hips, so the swing
    cannot raise it."""
    hip_x = kin.mid_hip()[:, 0]
    feet_x = {side: kin.foot_centre(side)[:, 0] for side in ("left", "right")}
    speeds = []
    for step in steps:
        if step.step_time_s is None:
            continue
        frames = _window(kin, step.touchdown_time_s, step.touchdown_time_s + step.step_time_s)
        if len(frames) < 3:
            continue
        ahead = feet_x[step.side][frames] - hip_x[frames]
        back = -np.diff(ahead) / np.diff(kin.time_s[frames])
        back = back[np.isfinite(back)]
        quickest = float(np.percentile(back, 90)) if len(back) else math.nan
        if quickest > 0:  # (a foot never moving back is no stance: the direction of travel is off)
            speeds.append(quickest)
    return float(np.median(speeds)) if speeds else None

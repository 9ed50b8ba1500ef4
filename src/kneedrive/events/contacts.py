"""Touchdown and toe-off from foot kinematics (no force plate).

Two stages, each physically motivated:

1. Coarse contact phases: the foot's lowest point (heel or toe) within a band above the
   ground line, with hysteresis (enter below 20 %, leave above 30 % of the foot's height
   range), so that noise cannot split one contact into several.
2. Refinement (at every frame rate by default; checked from 31 to 250 fps):
   - touchdown at the peak *jerk* of the foot centre's height: the onset of the impact
     deceleration (the foot is still sinking while the shoe and soft tissue compress, so the
     acceleration peak comes 10-20 ms late, and the velocity minimum a few ms early); for a heel
     strike (toes up by more than 8 deg) at the heel's own peak jerk once the heel is low, when
     that comes first: the centre's peak is smeared between heel impact and forefoot slap;
   - toe-off at the peak upward *acceleration* of the toe: the push-off snaps it upward.
   The foot's lowest point passes the coarse level before it lands and after it leaves,
   so touchdown is searched only after the coarse start and toe-off only before the
   coarse end. Both were checked against the lab-labelled events of Dorn et al. (2012) at 3.5 and
   9.5 m/s; see scripts/validate_real_data.py and the README.
   The level crossings (interpolated between frames) remain available as a fallback.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ..kinematics import Kinematics
from ..kinematics.result import Array
from ..kinematics.timebase import nearest_frame, time_at_frame, value_at
from ..kinematics.travel import travel_speed
from .ground import FloorProfile, GroundLine, fit_ground, floor_profile, lowest_point
from .hand_over import hand_overs, joined_contacts, stride_frames
from .model import SIDES, ContactPhase, GaitEvent, Side

ENTER_FRACTION = 0.20
LEAVE_FRACTION = 0.30
#: Toe-off is searched only while the toe is below this fraction of its height range.
TOE_OFF_FRACTION = 0.10
#: A contact phase must bring the foot this close to the floor (fraction of its height range).
TOUCH_FRACTION = 0.08
#: Out of the blocks the swing foot skims the track (a low heel recovery, by design) on its way to the next
#: landing: inside a coarse contact phase it comes down, rises again this much (fraction of its height range)
#: while going forward relative to the hips, and lands. Such a phase starts where it comes down again, in a
#: clip whose hips speed up from a start (SKIM_SPEED_RATIO) only: in a steady run (the GaitLab treadmill at
#: 25 fps) the lowest point bumps as much within real contacts.
SKIM_RISE_FRACTION = 0.05
#: A start: the hips' mean speed over the clip's first third is below this share of its last third's, which
#: is a run (SKIM_MIN_SPEED_LEGS_PER_S).
SKIM_SPEED_RATIO = 0.5
SKIM_MIN_SPEED_LEGS_PER_S = 2.0
#: A foot landing with the toes more than this far up lands on its heel (rearfoot strike above
#: 8 deg: Altman & Davis 2012, Gait & Posture 35:298).
HEEL_STRIKE_FOOT_ANGLE_DEG = 8.0
#: The heel's impact is searched only once the heel is below this fraction of its height range.
HEEL_LOW_FRACTION = 0.10
#: The heel's impact leads the foot centre's jerk peak by 2-30 ms on RBDS (median 22); a heel peak
#: further ahead is no impact (gap-filled or swapped samples put one 90 ms early).
MAX_HEEL_LEAD_S = 0.04
#: The touchdown and toe-off of a contact split by a hand-over are searched for this many frames clear of
#: it (the blend's own derivative peaks: the jerk spans 5 frames; on the slowed jog the touchdown read
#: 3 frames late and the toe-off 9 frames early next to it).
HAND_OVER_MARGIN_FRAMES = 3


@dataclass(frozen=True)
class ContactDetector:
    """Finds foot contacts. Below `refine_min_fps_hz` the level crossings are used instead of
    derivative peaks (off by default: the peaks were better at every rate tested, 31-250 fps)."""

    enter_fraction: float = ENTER_FRACTION
    leave_fraction: float = LEAVE_FRACTION
    refine_min_fps_hz: float = 0.0
    min_contact_s: float = 0.03

    def detect(self, kin: Kinematics) -> tuple[list[GaitEvent], GroundLine]:
        lows = {side: lowest_point(kin, side) for side in SIDES}
        ground = fit_ground(list(lows.values()), kin.fps_hz)
        floor = floor_profile(list(lows.values()), kin.fps_hz, ground)
        feet = {
            side: _FootSignals.of(kin, side, lows[side][:, 1] - floor.at(lows[side][:, 0]), floor) for side in SIDES
        }
        heights = {side: feet[side].height for side in SIDES}
        start = _from_a_start(kin)
        found = {side: self._phases(kin, side, heights[side], skims=start) for side in SIDES}
        phases = {side: found[side][0] for side in SIDES}
        stride = stride_frames(kin.step_frequency_estimate_hz, kin.fps_hz)
        events: list[GaitEvent] = []
        for side, bridged in joined_contacts(phases, hand_overs(phases, lows, heights, stride)).items():
            # a part of a contact split by a hand-over need not touch down on its own (the slowed jog's
            # stance foot, 0.08 legs above the floor before the hand-over)
            contacts = [c for c in bridged if self._landed(kin, c[0], heights[side], found[side][1])]
            whole = [c.end - c.start + 1 for c, _, _ in contacts if c.start > 0 and c.end < kin.n_frames - 1]
            typical = int(np.median(whole)) if whole else max((c.end - c.start + 1 for c, _, _ in contacts), default=0)
            for contact, first, last in contacts:
                window = self._search_frames(kin, contact, typical)
                if first == last:
                    events.extend(self._events(kin, contact, window, feet[side]))
                    continue
                # split by a label hand-over: each event searched for in its own part only (the
                # hand-over's derivative peaks are no events)
                td_window = min(window, first.end - HAND_OVER_MARGIN_FRAMES - first.start)
                to_window = min(window, last.end - _toe_down(feet[side], last) - HAND_OVER_MARGIN_FRAMES)
                td = self._events(kin, contact, td_window, feet[side]) if td_window >= 1 else []
                to = self._events(kin, contact, to_window, feet[side]) if to_window >= 1 else []
                events.extend([e for e in td if e.kind == "touchdown"] + [e for e in to if e.kind == "toe_off"])
        events.sort(key=lambda e: e.time_s)
        return events, ground

    def _phases(
        self, kin: Kinematics, side: Side, height: Array, *, skims: bool = False
    ) -> tuple[list[ContactPhase], float]:
        """The foot's coarse contact phases (hysteresis; with `skims`, a skim in swing is left out of the
        phase it leads into, see SKIM_RISE_FRACTION), and the height a phase must bring it down to."""
        finite = height[np.isfinite(height)]
        if len(finite) < 3:
            return [], math.nan
        floor, top = np.percentile(finite, 2), np.percentile(finite, 98)
        span = top - floor
        if span < 0.05:  # the foot never leaves the ground by more than 5 % of a leg length
            return [], math.nan
        enter, leave = floor + self.enter_fraction * span, floor + self.leave_fraction * span
        rise = SKIM_RISE_FRACTION * span if skims else math.inf
        ahead = kin.foot_centre(side)[:, 0] - kin.mid_hip()[:, 0]
        phases: list[ContactPhase] = []
        in_contact, start = False, 0
        for i, h in enumerate(height):
            if not np.isfinite(h):
                if in_contact:  # lost the foot: the phase's end is unknown
                    in_contact = False
                continue
            if not in_contact and h < enter:
                in_contact, start = True, i
            elif in_contact and h > leave:
                in_contact = False
                phases.append(ContactPhase(side, _after_skim(height, start, i - 1, rise, ahead), i - 1))
        if in_contact:
            end = len(height) - 1
            phases.append(ContactPhase(side, _after_skim(height, start, end, rise, ahead), end))
        return phases, floor + TOUCH_FRACTION * span  # a foot that never gets this low did not land

    def _landed(self, kin: Kinematics, contact: ContactPhase, height: Array, touches: float) -> bool:
        """A contact long enough (or cut by the clip's edge) that brings the foot down to `touches`."""
        min_frames = max(1, round(self.min_contact_s * kin.fps_hz))
        long_enough = contact.end - contact.start + 1 >= min_frames or contact.start == 0
        return bool(
            (long_enough or contact.end == len(height) - 1)
            and np.nanmin(height[contact.start : contact.end + 1]) <= touches
        )

    def _search_frames(self, kin: Kinematics, phase: ContactPhase, typical_frames: int) -> int:
        """Frames after the coarse start (before the coarse end) searched for the touchdown
        (toe-off): 40 % of the contact, at least 30 ms. A phase cut by the clip's edge is sized
        like the side's whole contacts, so that the cut is seen (see `_events`)."""
        length = phase.end - phase.start + 1
        if phase.start == 0 or phase.end == kin.n_frames - 1:
            length = max(length, typical_frames)
        return max(3, round(0.4 * length), round(0.03 * kin.fps_hz))

    def _events(self, kin: Kinematics, phase: ContactPhase, window: int, foot: _FootSignals) -> list[GaitEvent]:
        """An event needs its whole search window inside the clip (with the two frames the
        derivatives and the peak's parabola need): where the clip cuts the window, the peak
        found is the window's edge, not the event (RBDS: a touchdown 90 ms before the heel lands
        at the record's end; Dorn sprint: a touchdown 18 ms early, 20 ms before the clip's end)."""
        n = kin.n_frames
        refine = kin.fps_hz >= self.refine_min_fps_hz
        height = foot.height
        events: list[GaitEvent] = []
        if phase.start > 0 and np.isfinite(height[phase.start - 1]) and phase.start + window <= n - 3:
            if refine:
                t = _touchdown_time(kin, foot, phase.start - 1, phase.start + window)
            else:
                t = _crossing_time(kin.time_s, height, phase.start - 1, self._level(foot, self.enter_fraction))
            if t is not None:
                events.append(_event(kin, phase.side, "touchdown", t))
        if phase.end < n - 1 and np.isfinite(height[phase.end + 1]) and phase.end - window >= 2:
            if refine:
                hi = _last_low_frame(
                    foot.toe_height, phase.end - window, phase.end + 1, TOE_OFF_FRACTION, foot.toe_range
                )
                t = _peak_time(kin.time_s, foot.toe_acc, phase.end - window, hi)
            else:
                t = _crossing_time(kin.time_s, height, phase.end, self._level(foot, self.leave_fraction))
            if t is not None:
                events.append(_event(kin, phase.side, "toe_off", t))
        return events

    @staticmethod
    def _level(foot: _FootSignals, fraction: float) -> float:
        floor, top = foot.height_range
        return float(floor + fraction * (top - floor))


@dataclass(frozen=True)
class _FootSignals:
    """One foot's signals for event timing, computed once per side (not per contact phase)."""

    height: Array  # lowest point (heel or toe) above the ground line
    toe_height: Array
    centre_jerk: Array  # third derivative of the foot centre's height (per frame^3)
    heel_height: Array | None
    heel_jerk: Array | None
    toe_acc: Array
    foot_angle_deg: Array | None
    # 2nd and 98th percentiles of height, toe_height and heel_height (once per side, not per event)
    height_range: tuple[float, float]
    toe_range: tuple[float, float]
    heel_range: tuple[float, float]

    @staticmethod
    def of(kin: Kinematics, side: Side, height: Array, ground: GroundLine | FloorProfile) -> _FootSignals:
        toe = _toe(kin, side)
        toe_height = toe[:, 1] - ground.at(toe[:, 0])
        heel = kin.points.get(f"{side}_heel")
        heel_height = None if heel is None else heel[:, 1] - ground.at(heel[:, 0])
        return _FootSignals(
            height=height,
            toe_height=toe_height,
            centre_jerk=_jerk(kin.foot_centre(side)[:, 1]),
            heel_height=heel_height,
            heel_jerk=None if heel is None else _jerk(heel[:, 1]),
            toe_acc=np.gradient(np.gradient(toe_height)),
            foot_angle_deg=kin.angle(f"{side}_foot_angle_deg"),
            height_range=_range(height),
            toe_range=_range(toe_height),
            heel_range=_range(heel_height),
        )


def _from_a_start(kin: Kinematics) -> bool:
    """The hips speed up from a start over the clip (see SKIM_SPEED_RATIO): their mean speed over the first
    third against the last (leg lengths per second, relative to the ground frame the kinematics are in), each
    a least-squares slope, so that a hip lost at the clip's ends does not decide it."""
    hip_x = kin.mid_hip()[:, 0]
    t = kin.time_s
    third = len(t) // 3
    if third < 2:
        return False
    first = travel_speed(t, hip_x, float(t[0]), float(t[third]))
    last = travel_speed(t, hip_x, float(t[-third - 1]), float(t[-1]))
    if first is None or last is None:
        return False
    return bool(last >= SKIM_MIN_SPEED_LEGS_PER_S and first < SKIM_SPEED_RATIO * last)


def _after_skim(height: Array, start: int, end: int, rise: float, ahead: Array) -> int:
    """Where the contact phase start..end really starts: after the last frame that stands at least `rise`
    above the foot's low before it and above its low after it, when the foot went forward relative to the
    hips (`ahead`: its distance ahead of them) up to that frame: it skimmed the track and came down again.
    A foot on the ground goes back relative to the hips. Else `start`."""
    part = height[start : end + 1]
    if len(part) < 3 or not np.isfinite(rise) or not np.all(np.isfinite(part)):
        return start
    low_before = np.minimum.accumulate(part)
    low_after = np.minimum.accumulate(part[::-1])[::-1]
    rises = np.flatnonzero((part - low_before >= rise) & (part - low_after >= rise))
    if len(rises) == 0:
        return start
    last = start + int(rises[-1])
    travel = ahead[last] - ahead[start]
    return last + 1 if np.isfinite(travel) and travel > 0 else start


def _range(height: Array | None) -> tuple[float, float]:
    """(2nd, 98th) percentile of the finite heights (NaN without any)."""
    finite = np.empty(0) if height is None else height[np.isfinite(height)]
    if len(finite) == 0:
        return math.nan, math.nan
    return float(np.percentile(finite, 2)), float(np.percentile(finite, 98))


def _jerk(y: Array) -> Array:
    jerk: Array = np.gradient(np.gradient(np.gradient(y)))
    return jerk


def _touchdown_time(kin: Kinematics, foot: _FootSignals, lo: int, hi: int) -> float | None:
    """Peak jerk of the foot centre; for a heel strike (toes more than HEEL_STRIKE_FOOT_ANGLE_DEG
    up at that moment) the heel's own peak jerk when it comes first: the centre's jerk peak is then
    smeared between the heel's impact and the forefoot's slap (RBDS right foot: +13 ms late)."""
    t = _peak_time(kin.time_s, foot.centre_jerk, lo, hi)
    if t is None or foot.heel_jerk is None or foot.heel_height is None or foot.foot_angle_deg is None:
        return t
    angle = value_at(t, kin.time_s, foot.foot_angle_deg)
    if not angle > HEEL_STRIKE_FOOT_ANGLE_DEG:
        return t
    lo = _first_low_frame(foot.heel_height, lo, hi, HEEL_LOW_FRACTION, foot.heel_range)
    t_heel = _peak_time(kin.time_s, foot.heel_jerk, lo, hi)
    return t_heel if t_heel is not None and t - MAX_HEEL_LEAD_S <= t_heel < t else t


def _first_low_frame(height: Array, lo: int, hi: int, fraction: float, height_range: tuple[float, float]) -> int:
    """First frame in [lo, hi] with `height` below `fraction` of its range (else `lo`)."""
    floor, top = height_range
    lo, hi = max(lo, 0), min(hi, len(height) - 1)
    low = np.flatnonzero(height[lo : hi + 1] <= floor + fraction * (top - floor))
    return lo if len(low) == 0 else lo + int(low[0])


def _last_low_frame(toe_height: Array, lo: int, hi: int, fraction: float, height_range: tuple[float, float]) -> int:
    """Last frame up to `hi` before the toe first rises above `fraction` of its range after `lo`:
    the push-off happens while the toe is still low (slow runners lift the foot gradually,
    and the toe's acceleration peaks again in early swing)."""
    floor, top = height_range
    level = floor + fraction * (top - floor)
    lo, hi = max(lo, 0), min(hi, len(toe_height) - 1)
    above = np.flatnonzero(toe_height[lo : hi + 1] > level)
    return hi if len(above) == 0 else lo + int(above[0])


def _toe_down(foot: _FootSignals, part: ContactPhase) -> int:
    """The first frame of a contact's part with the toe down (below TOE_OFF_FRACTION of its range): after a
    hand-over the toe can still be up where the label came back (its end, when it never comes down)."""
    floor, top = foot.toe_range
    low = np.flatnonzero(foot.toe_height[part.start : part.end + 1] <= floor + TOE_OFF_FRACTION * (top - floor))
    return part.start + int(low[0]) if len(low) else part.end


def _toe(kin: Kinematics, side: Side) -> Array:
    return kin.points.get(f"{side}_foot_index", kin.foot_centre(side))


def _peak_time(time_s: Array, signal: Array, lo: int, hi: int) -> float | None:
    """Time of the signal's highest peak in [lo, hi] (a frame at least as high as both its neighbours, or the
    last frame when the signal still rises there; the highest frame when there is none), refined by a
    parabola through its neighbours. The window's first frame still falling from an earlier peak is not
    one: at 60 and 120 fps the jerk of the synthetic sprinter's foot slowing its descent in late swing was
    still higher there than the landing's own peak, and every touchdown read 60-80 ms early (contacts
    168-182 ms for 110). The last frame rising is kept: the landing is then at the window's end (the slowed
    jog's foot, coming down slowly, meets its shadow at the end of its search)."""
    lo, hi = max(lo, 1), min(hi, len(signal) - 2)
    if hi <= lo:
        return None
    seg = signal[lo : hi + 1]
    if not np.any(np.isfinite(seg)):
        return None
    with np.errstate(invalid="ignore"):
        rising_on = seg >= signal[lo - 1 : hi]
        tops = np.flatnonzero(rising_on & (seg >= signal[lo + 1 : hi + 2]))
    if rising_on[-1] and np.isfinite(seg[-1]):
        tops = np.append(tops, len(seg) - 1)
    i = lo + (int(tops[np.argmax(seg[tops])]) if tops.size else int(np.nanargmax(seg)))
    y0, y1, y2 = signal[i - 1], signal[i], signal[i + 1]
    denom = y0 - 2 * y1 + y2
    offset = 0.0 if not np.isfinite(denom) or denom == 0 else float(np.clip(0.5 * (y0 - y2) / denom, -0.5, 0.5))
    return time_at_frame(time_s, i + offset)


def _crossing_time(time_s: Array, height: Array, i: int, level: float) -> float | None:
    """Time at which height crosses `level` between frames i and i + 1 (linear)."""
    if i < 0 or i + 1 >= len(height):
        return None
    h0, h1 = height[i], height[i + 1]
    if not (np.isfinite(h0) and np.isfinite(h1)) or h0 == h1:
        return float(time_s[i])
    frac = float(np.clip((level - h0) / (h1 - h0), 0.0, 1.0))
    return float(time_s[i] + frac * (time_s[i + 1] - time_s[i]))


def _event(kin: Kinematics, side: Side, kind: str, t: float) -> GaitEvent:
    frame = nearest_frame(kin.time_s, t)
    return GaitEvent(side=side, kind=kind, frame=frame, time_s=t)  # type: ignore[arg-type]

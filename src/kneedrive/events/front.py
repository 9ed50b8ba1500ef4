"""Stances in a front view: a planted foot is still in the image of a still camera, whatever the view.

A foot is in stance while it is the lower of the two (relative to the hips) and its image speed stays below
`still_legs_per_s` (leg lengths per second). A running stance's deepest point (the stance knee most bent) is
taken at mid-stance, half-way between touchdown and toe-off: the hips' height above the foot is no guide in
a front view, where the hips pass over the foot toward the camera and perspective makes them seem to sink
by up to a tenth of a leg length over the stance (more than the real dip). A stance longer than
`long_stance_s` is single-leg work (a knee drive on one leg, a step-up), done in place: each dip of the
hips in it is one rep's deepest point.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.signal import find_peaks

from ..kinematics.frontal import FrontKinematics
from ..kinematics.result import Array

SIDES = ("left", "right")


@dataclass(frozen=True)
class FrontStance:
    side: str
    touchdown_frame: int
    toe_off_frame: int
    deepest_frames: tuple[int, ...]  # one for a running stance; one per rep in single-leg work


@dataclass(frozen=True)
class FrontStanceDetector:
    still_legs_per_s: float = 0.8
    min_stance_s: float = 0.05
    #: A planted foot held longer than this is single-leg work, not a stance of a gait: a slow walk's stance
    #: lasts about 1 s (60 % of a 1.7 s stride at 70 steps/min, Winter 2009); at 0.6 s every stance of a walk
    #: toward the camera, and of a run played 2x slowed, was taken for single-leg work.
    long_stance_s: float = 1.2
    #: A dip of the hips of at least this much (leg lengths), at least `min_rep_s` apart, is a rep.
    rep_dip_legs: float = 0.02
    min_rep_s: float = 0.4
    #: The athlete is in place (a treadmill) when the hips travel less than this (leg lengths, net over the
    #: clip) at a size that changes by less than `in_place_growth` (ratio).
    in_place_travel_legs: float = 0.5
    in_place_growth: float = 1.1
    #: On a belt (`detect(belt=True)`) the planted foot's image speed stays below this (leg lengths per
    #: second; a 3.5 m/s belt seen from 2 m and 1 m up moves it about 2).
    belt_legs_per_s: float = 2.5
    #: ... and the planted foot is not higher than the other by more than this (leg lengths).
    belt_lift_legs: float = 0.1

    def in_place(self, kin: FrontKinematics) -> bool:
        """Whether the athlete stays in place (a treadmill): the hips neither travel across the image nor grow
        or shrink (the clip's first and last fifths compared)."""
        n = len(kin.time_s)
        fifth = max(1, n // 5)
        hip, scale = kin.mid("hip"), kin.scale_units
        first, last = slice(0, fifth), slice(n - fifth, n)
        travel = float(np.linalg.norm(np.nanmedian(hip[last], axis=0) - np.nanmedian(hip[first], axis=0)))
        size = float(np.nanmedian(scale[last]) / np.nanmedian(scale[first]))
        return (
            travel / float(np.nanmedian(scale)) < self.in_place_travel_legs
            and max(size, 1 / size) < self.in_place_growth
        )

    def detect(self, kin: FrontKinematics, *, belt: bool = False) -> tuple[list[FrontStance], list[FrontStance]]:
        """(running stances, single-leg stances), each in time order; stances cut by the clip's ends are
        left out. `belt`: the athlete runs on a treadmill whose belt moves the planted foot visibly (a close
        camera): a stance is then a foot that is not lifted moving backward (away from a camera the athlete
        faces, up in the image, the camera being above the floor; toward one behind them, down) slower than
        `belt_legs_per_s`, as the swing foot coming forward moves the other way and a swing is faster; no
        running stance when the feet so found move at a median speed a still foot could have (below
        `still_legs_per_s`: the belt then barely shows and its direction is lost in the noise)."""
        t, scale = kin.time_s, kin.scale_units
        hip_y = kin.mid("hip")[:, 1]
        # the toe stays put through the stance (the heel and ankle rise before toe-off)
        toes = {s: kin.points.get(f"{s}_foot_index", kin.points[f"{s}_ankle"]) for s in SIDES}
        height = {s: (hip_y - toes[s][:, 1]) / scale for s in SIDES}
        running: list[FrontStance] = []
        single: list[FrontStance] = []
        planted_speeds: list[Array] = []
        for side, other in (("left", "right"), ("right", "left")):
            toe = toes[side]
            velocity = np.gradient(toe, t, axis=0) / scale[:, None]
            speed = np.linalg.norm(velocity, axis=1)
            if belt:  # perspective can lift the receding planted foot above the swing foot coming forward
                not_lifted = height[side] >= height[other] - self.belt_lift_legs
                still = not_lifted & (kin.lateral * velocity[:, 1] > 0) & (speed < self.belt_legs_per_s)
            else:
                still = (height[side] >= height[other] - 0.02) & (speed < self.still_legs_per_s)
            for start, end in _runs(still):
                if start == 0 or end == len(t) or t[end - 1] - t[start] < self.min_stance_s:
                    continue
                if t[end - 1] - t[start] > self.long_stance_s:
                    dips = self._dips(height[side][start:end], t[start:end]) + start
                    if len(dips):
                        single.append(FrontStance(side, start, end - 1, tuple(int(i) for i in dips)))
                    continue
                running.append(FrontStance(side, start, end - 1, ((start + end - 1) // 2,)))
                planted_speeds.append(speed[start:end])
        if belt and (not planted_speeds or np.median(np.concatenate(planted_speeds)) < self.still_legs_per_s):
            running = []  # the belt barely moves the planted foot in the image: it is still, not carried
        running.sort(key=lambda s: s.touchdown_frame)
        single.sort(key=lambda s: s.touchdown_frame)
        return running, single

    def _dips(self, height: Array, t: Array) -> Array:
        dt = float(np.median(np.diff(t))) if len(t) > 1 else 1.0
        peaks, _ = find_peaks(-height, prominence=self.rep_dip_legs, distance=max(1, round(self.min_rep_s / dt)))
        return np.asarray(peaks, dtype=int)


def _runs(mask: Array) -> list[tuple[int, int]]:
    edges = np.diff(np.concatenate([[0], mask.astype(np.int8), [0]]))
    return list(zip(np.flatnonzero(edges == 1), np.flatnonzero(edges == -1), strict=True))

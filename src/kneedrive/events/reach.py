"""Touchdown and toe-off from how far each foot reaches ahead of and behind the hips (Zeni, Richards &
Higginson 2008, Gait & Posture 27: heel strike at the heel's greatest distance ahead of the pelvis, toe-off
at the toe's greatest distance behind it).

The positions are taken within one frame (foot minus hips), so a camera that pans or zooms does not move
the events: this is the detector for a moving camera whose motion could not be measured, where the feet's
heights and speeds over the ground are not known. It times the step rhythm well; contact times from it are
approximate (they are withheld on such clips anyway, see metrics.honesty)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.signal import find_peaks

from ..kinematics import Kinematics
from ..kinematics.result import Array
from .ground import GroundLine, fit_ground, lowest_point
from .model import MIN_STEP_SHARE, RAISED_STEP_SHARE, SIDES, STEP_RATE_HZ, GaitEvent, Side, one_landing_each

#: Extremes of one foot come once a stride: closer than this share of the typical stride they are one swing.
MIN_STRIDE_SHARE = 0.6
#: A reach counts when it stands out of its neighbourhood by this many leg lengths (a sprinter's foot
#: travels about a leg length relative to the hips each stride; keypoint jitter is a few hundredths).
MIN_PROMINENCE_LEGS = 0.15
#: The landing is looked for this share of a stride after the greatest reach.
LANDING_SEARCH_SHARE = 0.25
#: A foot this close above its lowest point in the search counts as landed (keypoint jitter, leg lengths).
LANDED_WITHIN_LEGS = 0.02
#: The stride is the shortest lag whose autocorrelation peak is at least this share of the best one.
PERIOD_SHARE = 0.8


def _reach(kin: Kinematics, side: Side, point: str) -> Array:
    """Horizontal distance of a foot point ahead of the mid-hip (leg lengths, + = ahead)."""
    name = f"{side}_{point}"
    foot = kin.points[name] if name in kin.points else kin.points[f"{side}_ankle"]
    reach: Array = foot[:, 0] - kin.mid_hip()[:, 0]
    return reach


def _stride_frames(kin: Kinematics, signals: list[Array]) -> float | None:
    """The typical stride in frames: the strongest autocorrelation lag within the runner's stride range."""
    fps = kin.fps_hz
    lo, hi = round(2.0 * fps / STEP_RATE_HZ[1]), round(2.0 * fps / STEP_RATE_HZ[0])
    hi = min(hi, kin.n_frames // 2)  # a short clip holds at least two strides of the lag it finds
    best, best_lag = -np.inf, None
    total = np.zeros(max(hi + 1, 1))
    for signal in signals:
        x = signal[np.isfinite(signal)]
        if len(x) <= hi + 2:
            continue
        x = x - x.mean()
        denom = float(np.dot(x, x)) or 1.0
        for lag in range(max(lo, 1), hi + 1):
            total[lag] += float(np.dot(x[:-lag], x[lag:])) / denom
    for lag in range(max(lo, 1), hi + 1):
        if total[lag] > best:
            best, best_lag = total[lag], lag
    if best_lag is None or best <= 0:
        return None
    # the period, not a multiple of it: two strides correlate about as well as one (the GaitLab runner at
    # 25 fps: 1.184 at 36 frames, 1.168 at 18), and a two-stride spacing would then skip every other
    # landing
    tops = [lag for lag in range(max(lo, 1) + 1, hi) if total[lag - 1] <= total[lag] >= total[lag + 1]]
    return float(next((lag for lag in tops if total[lag] >= PERIOD_SHARE * best), best_lag))


def _peaks(signal: Array, stride_frames: float) -> Array:
    filled = np.where(np.isfinite(signal), signal, np.nan)
    if not np.isfinite(filled).any():
        return np.empty(0, dtype=int)
    filled = np.where(np.isfinite(filled), filled, np.nanmedian(filled))
    spacing = max(1, int(MIN_STRIDE_SHARE * stride_frames))
    peaks, _ = find_peaks(filled, distance=spacing, prominence=MIN_PROMINENCE_LEGS)
    kept: Array = peaks[np.isfinite(signal[peaks])]
    return kept


def _landing(height: Array, reach_peak: int, stride_frames: float) -> int:
    """The frame the foot is lowest after its greatest reach: a sprinter's foot reaches furthest ahead in
    late swing and is pulled back before it lands (the 'active landing', Mann & Herman 1985), so the
    touchdown is where the descent that follows bottoms out, within a quarter stride."""
    last = min(len(height) - 1, reach_peak + max(1, round(LANDING_SEARCH_SHARE * stride_frames)))
    window = height[reach_peak : last + 1]
    if not np.isfinite(window).any():
        return reach_peak
    # the first frame at the bottom: a walker's foot, flat on the ground, stays there for the rest
    bottom = np.flatnonzero(window <= np.nanmin(window) + LANDED_WITHIN_LEGS)
    return reach_peak + int(bottom[0])


def _between_frames(kin: Kinematics, j: int) -> float:
    """The landing's time when frame `j` is the first at the bottom: the foot was still above it at j - 1,
    so it landed somewhere in between, and the middle is the unbiased estimate (the whole frame j is on
    average half a frame late: on the panning race +0.6 frames against the eye-set truth, 6 of 36 touchdowns
    1.5 frames late). A constant half frame: the interval between two such landings does not change (a
    landing at its reach peak keeps its sub-frame time; an interpolated crossing of the bottom band moved
    every interval: +2.3 % on the race's cadence, against +1.1 % with this)."""
    t = kin.time_s
    return float((t[j - 1] + t[j]) / 2.0) if j > 0 else float(t[j])


def _sub_frame_time(kin: Kinematics, signal: Array, i: int) -> float:
    """The extreme's time between frames (a parabola through the peak and its neighbours)."""
    t = kin.time_s
    if 0 < i < len(signal) - 1 and np.isfinite(signal[i - 1 : i + 2]).all():
        a, b, c = signal[i - 1], signal[i], signal[i + 1]
        denom = a - 2.0 * b + c
        offset = 0.5 * (a - c) / denom if denom != 0 else 0.0
        offset = float(np.clip(offset, -0.5, 0.5))
        j = i + 1 if offset > 0 else i - 1
        return float(t[i] + abs(offset) * (t[j] - t[i]))
    return float(t[i])


@dataclass(frozen=True)
class ReachDetector:
    """Touchdown at each foot's greatest reach ahead of the hips, toe-off at its greatest reach behind them
    (Zeni et al. 2008). Same signature as ContactDetector: `detect(kin) -> (events, ground)`."""

    min_prominence_legs: float = MIN_PROMINENCE_LEGS

    def detect(self, kin: Kinematics) -> tuple[list[GaitEvent], GroundLine]:
        heels = {side: _reach(kin, side, "heel") for side in SIDES}
        toes = {side: _reach(kin, side, "foot_index") for side in SIDES}
        feet = [kin.foot_centre(side) for side in SIDES]
        ground = fit_ground(feet, kin.fps_hz)
        stride = _stride_frames(kin, list(heels.values()))
        if stride is None:
            return [], ground
        events: list[GaitEvent] = []
        edge = max(1, round(LANDING_SEARCH_SHARE * stride))  # an extreme this close to the clip's end is cut
        for side in SIDES:
            height = lowest_point(kin, side)[:, 1]
            for i in _peaks(heels[side], stride):
                if i < edge or i > kin.n_frames - 1 - edge:
                    continue
                j = _landing(height, int(i), stride)
                t = _sub_frame_time(kin, heels[side], j) if j == i else _between_frames(kin, j)
                events.append(GaitEvent(side, "touchdown", j, t))
            for i in _peaks(-toes[side], stride):
                if i < edge or i > kin.n_frames - 1 - edge:
                    continue
                events.append(GaitEvent(side, "toe_off", int(i), _sub_frame_time(kin, -toes[side], int(i))))
        events.sort(key=lambda e: e.time_s)
        hip_y = kin.mid_hip()[:, 1]
        lows = {side: lowest_point(kin, side)[:, 1] - hip_y for side in SIDES}
        step_s = stride / 2 / kin.fps_hz
        landings = one_landing_each(
            events,
            MIN_STEP_SHARE * step_s,
            foot_height=lambda e: float(lows[e.side][e.frame]),
            raised_gap_s=RAISED_STEP_SHARE * step_s,
        )
        return landings, ground

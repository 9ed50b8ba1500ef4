"""The front-view frame: the keypoints of a camera in front of (or behind) the athlete, cleaned and filtered
but not rotated into a sagittal plane, which a front view does not show.

Coordinates stay the image's (y flipped once, to point up) and `scale_units(t)` gives the leg length in those
units at each frame: an athlete running toward the camera grows, so lengths are taken between points of the
same frame and divided by that frame's leg length. Angles need no scale. `lateral` is the image direction
of the athlete's left (+1: image right, the athlete faces the camera; -1: filmed from behind).

Leg length per frame: the upper envelope (a sliding maximum over about one stride) of each projected thigh
and shank, which reach their full length whenever they pass vertical, smoothed over the clip (after dividing
out the clip's trend in size, so that an approaching athlete's growth does not bias it).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

import numpy as np
from scipy.ndimage import maximum_filter1d, uniform_filter1d

from ..sequence import PoseSequence
from .clean import MAX_GAP_S, MIN_SCORE, butterworth, choose_cutoff_hz, dominant_frequency_hz, fill_gaps
from .result import Array

#: Window of the leg-length envelope: a stride at a jog (~0.7 s) or more.
ENVELOPE_S = 0.8


@dataclass(frozen=True)
class FrontKinematics:
    time_s: Array
    points: Mapping[str, Array]  # (N, 2) image units, x right, y up, filtered
    scale_units: Array  # (N,) leg length in image units at each frame
    lateral: int  # image x direction of the athlete's left
    fps_hz: float
    cutoff_hz: float
    leg_length_m: float | None

    def __post_init__(self) -> None:
        for arr in (self.time_s, self.scale_units, *self.points.values()):
            arr.flags.writeable = False
        object.__setattr__(self, "points", MappingProxyType(dict(self.points)))

    def has(self, name: str) -> bool:
        return name in self.points

    def mid(self, joint: str) -> Array:
        """Midpoint of the left and right `joint` (hip, shoulder)."""
        out: Array = (self.points[f"left_{joint}"] + self.points[f"right_{joint}"]) / 2.0
        return out

    def foot(self, side: str) -> Array:
        """The foot's ground point: mean of heel and foot_index when seen, else the ankle."""
        heel, toe = f"{side}_heel", f"{side}_foot_index"
        if heel in self.points and toe in self.points:
            centre: Array = (self.points[heel] + self.points[toe]) / 2.0
            return centre
        return self.points[f"{side}_ankle"]

    def outward(self, side: str) -> float:
        """Image x direction of `side`'s own side (away from the midline)."""
        return float(self.lateral if side == "left" else -self.lateral)


def front_kinematics(
    seq: PoseSequence,
    *,
    lateral: int,
    leg_length_m: float | None = None,
    cutoff_hz: float | None = None,
    min_score: float = MIN_SCORE,
    max_gap_s: float = MAX_GAP_S,
) -> FrontKinematics:
    """Mask low-confidence points, bridge short gaps, low-pass, flip y; and the per-frame leg length."""
    fps = seq.fps_hz
    points: dict[str, Array] = {}
    for name in seq.names:
        if not seq.has(name):
            continue
        p = np.where((seq.confidence(name) >= min_score)[:, None], seq.point(name), np.nan) * np.array([1.0, -1.0])
        points[name], _ = fill_gaps(seq.time_s, p, max_gap_s=max_gap_s)
    feet = points["left_ankle"][:, 1] - points["right_ankle"][:, 1]  # the feet rise in turn
    stride_hz = dominant_frequency_hz(feet, fps, low_hz=0.7, high_hz=min(4.0, fps / 4.0))
    cut = cutoff_hz if cutoff_hz is not None else choose_cutoff_hz(None if stride_hz is None else 2 * stride_hz, fps)
    points = {name: butterworth(p, fps, cut) for name, p in points.items()}
    return FrontKinematics(
        time_s=np.array(seq.time_s),
        points=points,
        scale_units=_leg_scale(points, fps),
        lateral=lateral,
        fps_hz=fps,
        cutoff_hz=cut,
        leg_length_m=leg_length_m,
    )


def _leg_scale(points: Mapping[str, Array], fps: float) -> Array:
    width = max(3, round(ENVELOPE_S * fps))
    total = np.zeros(len(next(iter(points.values()))))
    for a, b in (("hip", "knee"), ("knee", "ankle")):
        lengths = [np.linalg.norm(points[f"{s}_{a}"] - points[f"{s}_{b}"], axis=1) for s in ("left", "right")]
        seg = np.fmax(lengths[0], lengths[1])
        seg = np.where(np.isfinite(seg) & (seg > 0), seg, np.nanmedian(seg))
        # the envelope of the size-detrended lengths (an approaching athlete grows within the window)
        frames = np.arange(len(seg), dtype=float)
        trend = np.exp(np.polyval(np.polyfit(frames, np.log(seg), 1), frames))
        envelope = uniform_filter1d(maximum_filter1d(seg / trend, width, mode="nearest"), width, mode="nearest")
        total += envelope * trend
    return total


def steady_size(seq: PoseSequence) -> PoseSequence:
    """The sequence with the athlete's change of size divided out (each frame scaled about the mid-hip to the
    clip's median leg length): what the sagittal stages' checks of a body's segment lengths can take from a
    front view, where an approaching athlete grows."""
    raw = {n: seq.point(n) for n in seq.names}
    if not all(f"{s}_{j}" in raw for s in ("left", "right") for j in ("hip", "knee", "ankle")):
        return seq
    scale = _leg_scale(raw, seq.fps_hz)
    ratio = float(np.nanmedian(scale)) / scale
    centre = np.nanmean(np.stack([raw["left_hip"], raw["right_hip"]]), axis=0)
    centre = np.where(np.isfinite(centre), centre, np.nanmedian(centre, axis=0))
    xy = (seq.xy - centre[:, None, :]) * ratio[:, None, None] + centre[:, None, :]
    return seq.replace(xy=xy)

"""PoseSequence -> Kinematics: mask, unswap, orient, fill, filter, scale, angles."""

from __future__ import annotations

import logging
import math

import numpy as np

from ..errors import InputError
from ..sequence import REQUIRED_KEYPOINTS, PoseSequence
from .angles import compute_angles
from .clean import MAX_GAP_S, MIN_SCORE, butterworth, choose_cutoff_hz, dominant_frequency_hz, fill_gaps
from .frame import LEG_LENGTH_PER_HEIGHT, leg_length, travel_direction
from .result import Array, Kinematics
from .swaps import correct_swaps

log = logging.getLogger(__name__)


def compute_kinematics(
    seq: PoseSequence,
    *,
    px_per_m: float | None = None,
    athlete_height_m: float | None = None,
    cutoff_hz: float | None = None,
    max_gap_s: float = MAX_GAP_S,
    min_score: float = MIN_SCORE,
    fix_swaps: bool = True,
) -> Kinematics:
    warnings: list[str] = []
    for name, value in (("px_per_m", px_per_m), ("athlete_height_m", athlete_height_m), ("cutoff_hz", cutoff_hz)):
        if value is not None and not (math.isfinite(value) and value > 0):
            raise InputError(f"--{name.replace('_', '-')} must be a positive number, got {value}")
    if athlete_height_m is not None and not 0.8 <= athlete_height_m <= 2.5:
        raise InputError(f"--athlete-height-m {athlete_height_m} is not a human height in metres")

    missing = [k for k in REQUIRED_KEYPOINTS if not seq.has(k)]
    if missing:
        raise InputError(f"{seq.source}: missing keypoints {', '.join(missing)} (hips, knees and ankles are required)")
    xy = np.where((seq.score >= min_score)[..., None], seq.xy, np.nan)
    seq = seq.replace(xy=xy)
    swapped = 0
    if fix_swaps:
        seq, swapped = correct_swaps(seq)
    present = [n for n in seq.names if seq.has(n)]
    raw = {n: seq.point(n) * np.array([1.0, -1.0]) for n in present}  # y up from here on

    leg_units = leg_length(raw)
    if not math.isfinite(leg_units) or leg_units <= 0:
        raise InputError(f"{seq.source}: hips, knees and ankles are never all visible in one frame")
    direction, evidence = travel_direction(raw, leg_units)
    points_raw = {n: (p * np.array([direction, 1.0])) / leg_units for n, p in raw.items()}

    filled_total = 0
    filled: dict[str, Array] = {}
    for name, p in points_raw.items():
        filled[name], count = fill_gaps(seq.time_s, p, max_gap_s=max_gap_s)
        filled_total += count
    fps = seq.fps_hz
    irregular = np.abs(np.diff(seq.time_s) * fps - 1.0) > 0.25
    if irregular.mean() > 0.05:
        warnings.append(
            f"{100 * irregular.mean():.0f}% of frame intervals differ from the median by more than 25%: "
            "filtering assumes a steady frame rate"
        )
    feet = filled["left_ankle"][:, 0] - filled["right_ankle"][:, 0]
    stride_hz = dominant_frequency_hz(feet, fps, low_hz=0.7, high_hz=min(4.0, fps / 4.0))
    step_hz = None if stride_hz is None else 2.0 * stride_hz
    cut = cutoff_hz if cutoff_hz is not None else choose_cutoff_hz(step_hz, fps)
    if cut >= fps / 2.0:
        raise InputError(f"cut-off {cut:g} Hz is at or above the Nyquist frequency ({fps / 2:g} Hz)")
    points = {name: butterworth(p, fps, cut) for name, p in filled.items()}

    leg_m = _leg_length_m(seq, leg_units, px_per_m, athlete_height_m, warnings)
    angles, unavailable = compute_angles(points)
    for name, why in unavailable.items():
        log.info("%s unavailable: %s", name, why)
    if "trunk_lean_deg" in unavailable:
        warnings.append(f"no trunk lean, hip flexion or body line: {unavailable['trunk_lean_deg']}")
    if not any(k.endswith("heel") for k in points):
        warnings.append("no heel/foot_index keypoints: foot angle, dorsiflexion and foot centre use the ankle only")
    if swapped:
        log.info("relabelled left/right legs in %d frames", swapped)
    return Kinematics(
        time_s=np.array(seq.time_s),
        points=points,
        angles=angles,
        fps_hz=fps,
        cutoff_hz=cut,
        leg_length_m=leg_m,
        leg_length_units=leg_units,
        direction=direction,
        direction_evidence=evidence,
        swapped_frames=swapped,
        filled_samples=filled_total,
        step_frequency_estimate_hz=step_hz,
        unavailable=unavailable,
        warnings=tuple(warnings),
    )


def _leg_length_m(
    seq: PoseSequence, leg_units: float, px_per_m: float | None, height_m: float | None, warnings: list[str]
) -> float | None:
    if px_per_m is not None:
        return leg_units / px_per_m
    if height_m is not None:
        return LEG_LENGTH_PER_HEIGHT * height_m
    if seq.units_per_m is not None:
        return leg_units / seq.units_per_m
    warnings.append("no scale (--px-per-m or --athlete-height-m): distances in leg lengths, metre fields are null")
    return None

"""PoseSequence -> Kinematics: mask, unswap, orient, fill, filter, scale, angles."""

from __future__ import annotations

import logging
import math

import numpy as np
from numpy.typing import NDArray

from ..errors import InputError
from ..sequence import REQUIRED_KEYPOINTS, PoseSequence, hand_over
from .angles import compute_angles
from .clean import (
    MAX_GAP_S,
    MIN_SCORE,
    butterworth,
    choose_cutoff_hz,
    dominant_frequency_hz,
    drop_absurd,
    fill_gaps,
)
from .frame import LEG_LENGTH_PER_HEIGHT, leg_length, travel_direction
from .result import Array, Kinematics
from .swaps import Swaps, exchange_legs, find_swaps

log = logging.getLogger(__name__)

#: A leg (hip to ankle joint) shorter or longer than this, in metres, means the scale is wrong.
MIN_LEG_M = 0.5
MAX_LEG_M = 1.3
#: Frame-to-frame variation of thigh and shank lengths (IQR / median) above which the keypoints are not a body.
MAX_SEGMENT_SPREAD = 0.4
#: The least input an analysis starts on.
MIN_FRAMES = 10
#: A foot shorter than this in the image (heel to toe, pixels) gives no foot angle. The heel-toe angle's
#: frame-to-frame jitter on slowly moving feet (the Sports2D walk, the slowed track jog) is 3.9-5.2 deg on
#: 44-47 px feet, i.e. about 2.7 px of keypoint noise; after the filter (about 0.7 of it passes) a step's
#: angle then varies by 0.7 x sqrt(2) x 2.7 px / L rad, which stays within 5 deg (half a coaching band,
#: criteria.toml) from 32 px on. A 20 px foot (a runner 110 px tall) would read +/-8 deg.
MIN_FOOT_PX = 32.0
#: The angles that rest on the foot's own heel-toe line.
FOOT_ANGLES = ("foot_angle_deg", "ankle_dorsiflexion_deg")
MIN_DURATION_S = 0.2


def compute_kinematics(
    seq: PoseSequence,
    *,
    px_per_m: float | None = None,
    athlete_height_m: float | None = None,
    cutoff_hz: float | None = None,
    max_gap_s: float = MAX_GAP_S,
    min_score: float = MIN_SCORE,
    fix_swaps: bool = True,
    view: str = "side",
    legs_exchanged: NDArray[np.bool_] | None = None,
    level_deg: float = 0.0,
) -> Kinematics:
    """`view`: the view detected or given (kinematics.view); it changes only what a refusal says.
    `legs_exchanged`: rows whose leg labels are exchanged after the swap search (the alternation of the
    touchdowns demands it: events.alternation). `level_deg`: the ground's slope in the image (degrees, +
    rising toward image right: a camera turned about its axis), turned back before anything is measured."""
    warnings: list[str] = []
    for name, value in (("px_per_m", px_per_m), ("athlete_height_m", athlete_height_m), ("cutoff_hz", cutoff_hz)):
        if value is not None and not (math.isfinite(value) and value > 0):
            raise InputError(f"--{name.replace('_', '-')} must be a positive number, got {value}")
    if athlete_height_m is not None and not 0.8 <= athlete_height_m <= 2.5:
        raise InputError(f"--athlete-height-m {athlete_height_m} is not a human height in metres")
    if px_per_m is not None and athlete_height_m is not None:
        raise InputError("--px-per-m and --athlete-height-m both give the scale: pass only one")
    warnings.extend(seq.warnings)

    missing = [k for k in REQUIRED_KEYPOINTS if not seq.has(k)]
    if missing:
        raise InputError(f"{seq.source}: missing keypoints {', '.join(missing)} (hips, knees and ankles are required)")
    duration_s = float(seq.time_s[-1] - seq.time_s[0])
    if seq.n_frames < MIN_FRAMES or duration_s < MIN_DURATION_S:
        raise InputError(
            f"{seq.source}: too little data ({seq.n_frames} frames, {duration_s:.2f} s): "
            f"at least {MIN_FRAMES} frames and {MIN_DURATION_S:g} s are needed"
        )
    xy, dropped = drop_absurd(seq.xy)
    warnings.extend(dropped)
    xy[~(seq.score >= min_score)] = np.nan  # in place on drop_absurd's copy (a NaN score is below too)
    masked = seq.replace(xy=hand_over(xy))
    del xy
    unseen = [k for k in REQUIRED_KEYPOINTS if not masked.has(k)]
    if unseen:
        raise InputError(
            f"{seq.source}: {', '.join(unseen)} never reach a score of {min_score:g} (all below it: nothing to analyze)"
        )
    swaps, swapped = find_swaps(masked) if fix_swaps else ((), 0)
    if legs_exchanged is not None:
        swaps, swapped = exchange_legs(masked, swaps, legs_exchanged)
    raw = _relabelled(masked, swaps)  # y up from here on
    if level_deg:
        raw = _levelled(raw, level_deg)
    del masked  # (the masked copy of the whole clip's keypoints is not needed any more)
    small = _small_feet(raw) if seq.units_per_m is None else {}  # pixels: feet big enough for their angle?

    leg_units = leg_length(raw)
    if not math.isfinite(leg_units) or leg_units <= 0:
        raise InputError(f"{seq.source}: hips, knees and ankles are never all visible in one frame")
    _check_skeleton(seq.source, raw, view)
    direction, evidence = travel_direction(raw, leg_units)
    filled_total = 0
    filled: dict[str, Array] = {}
    for name in list(raw):  # one keypoint at a time, each raw copy dropped once filled
        p = raw.pop(name) * np.array([direction, 1.0])
        p /= leg_units
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
    points = {name: butterworth(filled.pop(name), fps, cut) for name in list(filled)}

    leg_m = _leg_length_m(seq, leg_units, px_per_m, athlete_height_m, warnings)
    angles, unavailable = compute_angles(points)
    if small:
        for side, length_px in small.items():
            why = (
                f"the {side} foot is {length_px:.0f} px long in the image; its angle needs at least "
                f"{MIN_FOOT_PX:.0f} px (film closer, zoom in or use a higher resolution)"
            )
            for angle in FOOT_ANGLES:
                if angles.pop(f"{side}_{angle}", None) is not None:
                    unavailable[f"{side}_{angle}"] = why
        warnings.append(
            "foot angles and dorsiflexion withheld: "
            + ", ".join(f"the {side} foot is {px:.0f} px long" for side, px in small.items())
            + f" in the image, and a foot angle needs at least {MIN_FOOT_PX:.0f} px (film closer or zoom in)"
        )
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


def _levelled(raw: dict[str, Array], slope_deg: float) -> dict[str, Array]:
    """Keypoints (y up) turned by -`slope_deg` about the image origin, so that a ground sloping so is level."""
    a = math.radians(-slope_deg)
    turn = np.array([[math.cos(a), -math.sin(a)], [math.sin(a), math.cos(a)]])
    return {name: p @ turn.T for name, p in raw.items()}


def _relabelled(seq: PoseSequence, swaps: Swaps) -> dict[str, Array]:
    """Each keypoint seen (after relabelling) as its own (N, 2) array, y up: `correct_swaps` applied
    on these copies instead of on a copy of the whole sequence."""
    raw = {n: seq.point(n) * np.array([1.0, -1.0]) for n in seq.names}
    for pairs, rows in swaps:
        for a, b in pairs:
            left, right = raw[seq.names[a]], raw[seq.names[b]]
            left[rows], right[rows] = right[rows].copy(), left[rows].copy()
    return {n: p for n, p in raw.items() if np.any(np.isfinite(p[:, 0]))}


def _check_skeleton(source: str, raw: dict[str, Array], view: str = "side") -> None:
    """Refuse keypoints that are not a human body: a thigh or shank whose length jumps from frame to
    frame by more than MAX_SEGMENT_SPREAD (interquartile range over median; pose output and marker
    data stay within ~0.05-0.2, uniform random points give ~0.7)."""
    spreads = []
    for side in ("left", "right"):
        for a, b in (("hip", "knee"), ("knee", "ankle")):
            length = np.linalg.norm(raw[f"{side}_{a}"] - raw[f"{side}_{b}"], axis=1)
            length = length[np.isfinite(length)]
            if len(length) >= 3:
                q1, q2, q3 = np.percentile(length, [25, 50, 75])
                spreads.append((q3 - q1) / q2 if q2 > 0 else math.inf)
    spread = float(np.median(spreads)) if spreads else math.inf
    steadier = sorted(spreads)[: max(1, len(spreads) // 2)]  # the shanks, seen from the front
    if not spread <= MAX_SEGMENT_SPREAD and view != "side" and float(np.median(steadier)) <= MAX_SEGMENT_SPREAD:
        raise InputError(
            f"{source}: thigh and shank lengths vary by {100 * spread:.0f}% of their length from frame to frame "
            f"in this {view} view; a body's stay within ~20% from the side, and from the front a thigh driven "
            "toward the camera shortens too much to measure when the camera is close: film from 4 m or more "
            "(or these are not a person's keypoints)"
        )
    if not spread <= MAX_SEGMENT_SPREAD:
        raise InputError(
            f"{source}: the keypoints do not form a plausible human skeleton (thigh and shank lengths vary by "
            f"{100 * spread:.0f}% of their length from frame to frame; a body's stay within ~20%)"
        )


def _leg_length_m(
    seq: PoseSequence, leg_units: float, px_per_m: float | None, height_m: float | None, warnings: list[str]
) -> float | None:
    if px_per_m is not None:
        leg_m, given = leg_units / px_per_m, f"--px-per-m {px_per_m:g}"
    elif height_m is not None:
        return LEG_LENGTH_PER_HEIGHT * height_m
    elif seq.units_per_m is not None:
        leg_m, given = leg_units / seq.units_per_m, f"the file's units ({seq.units_per_m:g} per metre)"
    else:
        warnings.append("no scale (--px-per-m or --athlete-height-m): distances in leg lengths, metre fields are null")
        return None
    if not MIN_LEG_M <= leg_m <= MAX_LEG_M:
        raise InputError(
            f"{seq.source}: with {given} the athlete's leg is {leg_m:.3g} m, not a human's "
            f"({MIN_LEG_M:g}-{MAX_LEG_M:g} m); check the scale, or give --athlete-height-m instead"
        )
    return leg_m


def _small_feet(raw: dict[str, Array]) -> dict[str, float]:
    """The feet whose median heel-to-toe length in the image is under MIN_FOOT_PX, with that length (px)."""
    small = {}
    for side in ("left", "right"):
        heel, toe = raw.get(f"{side}_heel"), raw.get(f"{side}_foot_index")
        if heel is None or toe is None:
            continue
        lengths = np.hypot(*(toe - heel).T)
        lengths = lengths[np.isfinite(lengths)]
        if len(lengths) and float(np.median(lengths)) < MIN_FOOT_PX:
            small[side] = float(np.median(lengths))
    return small

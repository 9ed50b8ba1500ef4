"""The athlete frame: y up, travel toward +x, lengths in leg lengths.

Direction is decided once for the whole clip (per-frame decisions make angles flip).
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
from numpy.typing import NDArray

Array = NDArray[np.float64]

#: Leg length (hip joint to ankle joint) as a fraction of standing height: Winter (2009),
#: Biomechanics and Motor Control of Human Movement, segment lengths after Drillis & Contini
#: (greater trochanter 0.530 H, lateral malleolus 0.039 H).
LEG_LENGTH_PER_HEIGHT = 0.491
#: Net hip travel (in leg lengths) above which the hips, not the feet, give the direction.
TRAVEL_FOR_DIRECTION_LEGS = 1.0


def leg_length(points: Mapping[str, Array]) -> float:
    """Median thigh + median shank length over the clip, both sides pooled (input units)."""
    thighs, shanks = [], []
    for side in ("left", "right"):
        thighs.append(np.linalg.norm(points[f"{side}_knee"] - points[f"{side}_hip"], axis=1))
        shanks.append(np.linalg.norm(points[f"{side}_ankle"] - points[f"{side}_knee"], axis=1))
    return float(np.nanmedian(np.concatenate(thighs)) + np.nanmedian(np.concatenate(shanks)))


def travel_direction(points: Mapping[str, Array], leg: float) -> tuple[int, str]:
    """+1 if the athlete travels/faces toward +x, -1 otherwise; and the evidence used.

    1. Hips travelling more than one leg length: the sign of their net travel.
    2. Otherwise (treadmill, drills in place) the toes point forward (heel -> foot_index, median
       over the clip): true of every drill, including a step-up where a foot stands on a box.
    3. Without heel/toe points: the feet sweep backward while low (stance) and forward while high
       (swing), which holds for running; then the nose leads the shoulders.
    """
    hip_x = (points["left_hip"][:, 0] + points["right_hip"][:, 0]) / 2.0
    valid = np.flatnonzero(np.isfinite(hip_x))
    if len(valid) >= 2:
        travel = (hip_x[valid[-1]] - hip_x[valid[0]]) / leg
        if abs(travel) >= TRAVEL_FOR_DIRECTION_LEGS:
            return (1 if travel > 0 else -1), "hip travel"
    if "left_heel" in points and "left_foot_index" in points:
        toe = np.nanmedian(
            np.concatenate(
                [
                    points[f"{s}_foot_index"][:, 0] - points[f"{s}_heel"][:, 0]
                    for s in ("left", "right")
                    if f"{s}_heel" in points and f"{s}_foot_index" in points
                ]
            )
        )
        if np.isfinite(toe) and abs(toe) > 0.05 * leg:
            return (1 if toe > 0 else -1), "toe direction"
    sweep = 0.0
    for side in ("left", "right"):
        rel = points[f"{side}_ankle"][:, 0] - hip_x
        height = points[f"{side}_ankle"][:, 1]
        v = np.gradient(rel)
        w = np.nanmedian(height) - height
        sweep += float(np.nansum(v * w)) / leg**2
    if abs(sweep) > 0.05:
        return (1 if sweep < 0 else -1), "foot sweep"
    if "nose" in points and "left_shoulder" in points and "right_shoulder" in points:
        lead = np.nanmedian(points["nose"][:, 0] - (points["left_shoulder"][:, 0] + points["right_shoulder"][:, 0]) / 2)
        if np.isfinite(lead) and lead != 0:
            return (1 if lead > 0 else -1), "head direction"
    return 1, "no evidence (assumed toward +x)"

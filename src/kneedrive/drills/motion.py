"""An angle-driven 2D body for the drill models: joint angles in, keypoints in metres out.

Each leg is driven by three angles per frame (DOMAIN.md conventions): thigh angle from straight
down, knee flexion, ankle dorsiflexion. The pelvis height is then set so that every foot stays on
or above its support level (ground, or a box) and at least one foot touches it, plus an optional
flight height (hops, jumps). The pelvis either travels at a given speed or is anchored so that a
stance foot does not slide. Arms: upper-arm angle from straight down and elbow flexion.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from .body import Body

Array = NDArray[np.float64]
SIDES = ("left", "right")


@dataclass(frozen=True)
class LegAngles:
    thigh_deg: Array
    knee_flexion_deg: Array
    dorsiflexion_deg: Array


@dataclass(frozen=True)
class ArmAngles:
    upper_arm_deg: Array
    elbow_flexion_deg: Array


def _down(angle_deg: Array, length: float) -> Array:
    a = np.radians(angle_deg)
    return np.stack([np.sin(a) * length, -np.cos(a) * length], axis=-1)


def _rot(angle_deg: Array, v: tuple[float, float]) -> Array:
    a = np.radians(angle_deg)
    c, s = np.cos(a), np.sin(a)
    return np.stack([c * v[0] - s * v[1], s * v[0] + c * v[1]], axis=-1)


def leg_points(body: Body, hip: Array, leg: LegAngles) -> dict[str, Array]:
    """Knee, ankle, heel and toe from the hip and the leg's angles."""
    knee = hip + _down(leg.thigh_deg, body.thigh_m)
    shank_deg = leg.thigh_deg - leg.knee_flexion_deg
    ankle = knee + _down(shank_deg, body.shank_m)
    foot_deg = shank_deg + leg.dorsiflexion_deg  # toes up positive, from horizontal
    heel = ankle - _rot(foot_deg, (body.ankle_from_heel_m, body.ankle_height_m))
    toe = heel + _rot(foot_deg, (body.foot_m, 0.0))
    return {"knee": knee, "ankle": ankle, "heel": heel, "foot_index": toe}


def lowest_below_hip(body: Body, leg: LegAngles) -> Array:
    pts = leg_points(body, np.zeros((len(leg.thigh_deg), 2)), leg)
    return np.minimum(pts["heel"][:, 1], pts["foot_index"][:, 1])


def pose_body(
    body: Body,
    legs: dict[str, LegAngles],
    arms: dict[str, ArmAngles],
    trunk_lean_deg: Array,
    *,
    support_level_m: dict[str, Array],
    flight_m: Array,
    hip_x_m: Array | None = None,
    anchor_leg: str | None = None,
    anchor_x_m: float = 0.0,
) -> dict[str, Array]:
    """Keypoints in metres (x forward, y up, ground at y = 0), BlazePose names.

    `support_level_m`: per frame, the height each foot stands on (0 ground, a box for a step-up).
    `hip_x_m` moves the pelvis; `anchor_leg` instead keeps that leg's toe at `anchor_x_m`.
    """
    n = len(trunk_lean_deg)
    need = np.full(n, -np.inf)
    for side in SIDES:
        need = np.maximum(need, support_level_m[side] - lowest_below_hip(body, legs[side]))
    hip_y = need + flight_m
    if anchor_leg is not None:
        rel = leg_points(body, np.zeros((n, 2)), legs[anchor_leg])["foot_index"][:, 0]
        x = anchor_x_m - rel
    else:
        x = np.zeros(n) if hip_x_m is None else hip_x_m
    hip = np.stack([x, hip_y], axis=1)
    points: dict[str, Array] = {}
    for side in SIDES:
        points[f"{side}_hip"] = hip.copy()
        for name, p in leg_points(body, hip, legs[side]).items():
            points[f"{side}_{name}"] = p
    lean = np.radians(trunk_lean_deg)
    up = np.stack([np.sin(lean), np.cos(lean)], axis=1)
    shoulder = hip + up * body.trunk_m
    forward = np.stack([np.cos(lean), -np.sin(lean)], axis=1)
    points["nose"] = shoulder + up * 0.13 * body.height_m + forward * 0.05 * body.height_m
    for side in SIDES:
        arm = arms[side]
        upper = arm.upper_arm_deg + trunk_lean_deg  # relative to the trunk
        elbow = shoulder + _down(upper, body.upper_arm_m)
        wrist = elbow + _down(upper + arm.elbow_flexion_deg, body.forearm_m)
        points[f"{side}_shoulder"] = shoulder.copy()
        points[f"{side}_elbow"] = elbow
        points[f"{side}_wrist"] = wrist
    return points

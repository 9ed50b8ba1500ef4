"""Joint and segment angles as a table of named definitions (see DOMAIN.md).

Coordinates are in the athlete frame: x toward the direction of travel, y up.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

Array = NDArray[np.float64]
Points = Mapping[str, Array]


def from_down_deg(vector: Array) -> Array:
    """Angle of a vector from straight down, positive when it points forward (+x)."""
    return np.degrees(np.arctan2(vector[:, 0], -vector[:, 1]))


def from_vertical_deg(vector: Array) -> Array:
    """Angle of a vector from straight up, positive when it leans forward (+x)."""
    return np.degrees(np.arctan2(vector[:, 0], vector[:, 1]))


def from_horizontal_deg(vector: Array) -> Array:
    """Angle of a vector from the forward horizontal, positive when it points up."""
    return np.degrees(np.arctan2(vector[:, 1], vector[:, 0]))


def between_deg(a: Array, b: Array) -> Array:
    """Unsigned angle between two vectors, 0-180 degrees."""
    cos = np.sum(a * b, axis=1) / (np.linalg.norm(a, axis=1) * np.linalg.norm(b, axis=1))
    result: Array = np.degrees(np.arccos(np.clip(cos, -1.0, 1.0)))
    return result


def wrap_deg(angle: Array) -> Array:
    return (angle + 180.0) % 360.0 - 180.0


def mid(points: Points, a: str, b: str) -> Array:
    return (points[a] + points[b]) / 2.0


@dataclass(frozen=True)
class AngleDefinition:
    """One angle: its name (with unit), the keypoints it needs and how it is computed."""

    name: str
    needs: tuple[str, ...]
    compute: Callable[[Points], Array]
    meaning: str


def _side_angles(side: str) -> tuple[AngleDefinition, ...]:
    hip, knee, ankle = f"{side}_hip", f"{side}_knee", f"{side}_ankle"
    heel, toe = f"{side}_heel", f"{side}_foot_index"
    shoulder, elbow, wrist = f"{side}_shoulder", f"{side}_elbow", f"{side}_wrist"

    def thigh(p: Points) -> Array:
        return from_down_deg(p[knee] - p[hip])

    def shank(p: Points) -> Array:
        return from_down_deg(p[ankle] - p[knee])

    def trunk_down(p: Points) -> Array:
        return from_down_deg(mid(p, "left_hip", "right_hip") - mid(p, "left_shoulder", "right_shoulder"))

    return (
        AngleDefinition(
            f"{side}_thigh_angle_deg",
            (hip, knee),
            thigh,
            "hip->knee from straight down; 90 = thigh parallel to the ground",
        ),
        AngleDefinition(
            f"{side}_shank_angle_deg",
            (knee, ankle),
            shank,
            "knee->ankle from straight down; positive = ankle ahead of knee",
        ),
        AngleDefinition(
            f"{side}_knee_flexion_deg", (hip, knee, ankle), lambda p: wrap_deg(thigh(p) - shank(p)), "0 = straight leg"
        ),
        AngleDefinition(
            f"{side}_hip_flexion_deg",
            (hip, knee, "left_hip", "right_hip", "left_shoulder", "right_shoulder"),
            lambda p: wrap_deg(thigh(p) - trunk_down(p)),
            "thigh ahead of the trunk line; 90 = thigh perpendicular to the trunk",
        ),
        AngleDefinition(
            f"{side}_foot_angle_deg",
            (heel, toe),
            lambda p: from_horizontal_deg(p[toe] - p[heel]),
            "heel->toe; positive = toes up",
        ),
        AngleDefinition(
            f"{side}_ankle_dorsiflexion_deg",
            (knee, ankle, heel, toe),
            lambda p: 90.0 - between_deg(p[knee] - p[ankle], p[toe] - p[heel]),
            "positive = toes toward the shin; negative = plantar-flexed",
        ),
        AngleDefinition(
            f"{side}_elbow_flexion_deg",
            (shoulder, elbow, wrist),
            lambda p: 180.0 - between_deg(p[shoulder] - p[elbow], p[wrist] - p[elbow]),
            "0 = straight arm; 90 = right angle",
        ),
        AngleDefinition(
            f"{side}_body_line_deg",
            (ankle, "left_shoulder", "right_shoulder"),
            lambda p: from_horizontal_deg(mid(p, "left_shoulder", "right_shoulder") - p[ankle]),
            "ankle->mid-shoulder from horizontal; 90 = upright",
        ),
    )


ANGLES: tuple[AngleDefinition, ...] = (
    *_side_angles("left"),
    *_side_angles("right"),
    AngleDefinition(
        "trunk_lean_deg",
        ("left_hip", "right_hip", "left_shoulder", "right_shoulder"),
        lambda p: from_vertical_deg(mid(p, "left_shoulder", "right_shoulder") - mid(p, "left_hip", "right_hip")),
        "mid-hip->mid-shoulder from vertical; positive = leaning toward the direction of travel",
    ),
)


def compute_angles(points: Points) -> tuple[dict[str, Array], dict[str, str]]:
    """All angles whose keypoints are present; and for the others, why they are missing."""
    angles: dict[str, Array] = {}
    missing: dict[str, str] = {}
    for definition in ANGLES:
        absent = [k for k in definition.needs if k not in points]
        if absent:
            missing[definition.name] = f"no {', '.join(sorted(set(absent)))} in the input"
            continue
        with np.errstate(invalid="ignore", divide="ignore"):
            angles[definition.name] = definition.compute(points)
    return angles, missing

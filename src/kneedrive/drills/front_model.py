"""A front-view synthetic runner with known truth: the sprinter model (drills.sprinter) running toward a
static camera, given a frontal plane.

The sagittal model supplies every point's forward (depth) and vertical position and the true touchdowns;
this module adds the lateral coordinate (positive = the athlete's left) and the frontal-plane faults:

* contralateral pelvic drop: the swing-side hip drops below the stance-side hip during stance;
* knee valgus: the stance knee moves medially so that its frontal plane projection angle (FPPA) is the
  requested one;
* step width / crossover: where each foot lands from the midline (negative = across it);
* trunk lateral lean toward the stance side;
* arm crossing: the wrist moves toward (and past) the midline at the front of its swing.

Each frontal fault rises and falls over the stance with a flat top around mid-stance (the deepest point),
so its value there is the injected one. A pinhole camera (focal length in pixels, height above the ground)
projects the points; the athlete grows as they approach.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np

from ..sequence import PoseSequence
from .camera import Artefacts, observe
from .sprinter import SIDES, Array, SprinterModel, synthesize

#: Shoulder (biacromial) and hip-joint widths as fractions of height (Winter 2009: 0.259 H shoulder
#: width; hip joints about 0.1 H apart).
SHOULDER_WIDTH_PER_HEIGHT = 0.23
HIP_WIDTH_PER_HEIGHT = 0.10
#: Each frontal fault's ramp, as a fraction of the stance, at either end of the flat top.
RAMP_FRACTION = 0.35


@dataclass(frozen=True)
class FrontFaults:
    """Frontal-plane figures at mid-stance (degrees; lengths in leg lengths)."""

    pelvic_drop_deg: float = 2.5
    knee_fppa_deg: float = 4.0
    trunk_lateral_lean_deg: float = 2.0
    foot_to_midline_legs: float = 0.05  # each foot lands this far on its own side of the midline
    arm_crossing_legs: float = -0.10  # the wrist at the front of its swing, past the midline (<0: own side)


#: Named faults for tests and the demo.
FRONT_FAULTS: dict[str, dict[str, float]] = {
    "pelvic_drop": {"pelvic_drop_deg": 9.0},
    "knee_valgus": {"knee_fppa_deg": 18.0},
    "crossover": {"foot_to_midline_legs": -0.04},
    "arms_across": {"arm_crossing_legs": 0.06},
    "trunk_lean": {"trunk_lateral_lean_deg": 8.0},
}


def with_front_faults(faults: FrontFaults, *names: str) -> FrontFaults:
    changes: dict[str, float] = {}
    for name in names:
        if name not in FRONT_FAULTS:
            raise ValueError(f"unknown front-view fault {name!r}; known: {', '.join(FRONT_FAULTS)}")
        changes.update(FRONT_FAULTS[name])
    return replace(faults, **changes)


@dataclass(frozen=True)
class FrontCamera:
    """A static camera in front of the athlete, on the line of running, looking back along it."""

    distance_m: float = 17.0  # from the athlete's start
    height_m: float = 1.0
    focal_px: float = 2400.0  # a phone's 2x lens on 1080p video
    centre_px: tuple[float, float] = (960.0, 540.0)
    lateral_offset_m: float = 0.0  # the athlete's line of running, to the athlete's left of the camera axis
    facing: str = "toward"  # "away": the camera films the athlete's back
    yaw_deg: float = 0.0  # the line of running turned (toward the athlete's left) from the camera's axis


@dataclass(frozen=True)
class FrontTruth:
    touchdowns: tuple[tuple[str, float, float], ...]  # (side, touchdown_s, toe_off_s)
    faults: FrontFaults
    leg_length_m: float


@dataclass(frozen=True)
class FrontSynthetic:
    sequence: PoseSequence
    truth: FrontTruth
    points_m: dict[str, Array]  # (N, 3): forward, up, lateral (athlete's left)


@dataclass(frozen=True)
class FrontRunModel:
    sprinter: SprinterModel = field(
        default_factory=lambda: SprinterModel(
            speed_mps=3.5, step_frequency_hz=2.9, contact_time_s=0.25, thigh_angle_peak_deg=50.0, trunk_lean_deg=5.0
        )
    )
    faults: FrontFaults = field(default_factory=FrontFaults)


def _smooth_step(x: Array) -> Array:
    x = np.clip(x, 0.0, 1.0)
    out: Array = x * x * x * (x * (6.0 * x - 15.0) + 10.0)
    return out


def stance_bumps(time_s: Array, stances: list[tuple[float, float]]) -> Array:
    """0 outside the stances, 1 over the middle of each, smooth ramps between (RAMP_FRACTION each end)."""
    out = np.zeros(len(time_s))
    for td, to in stances:
        u = (time_s - td) / (to - td)
        inside = (u > 0) & (u < 1)
        out[inside] = (_smooth_step(u / RAMP_FRACTION) * _smooth_step((1.0 - u) / RAMP_FRACTION))[inside]
    return out


def _valgus_knee(hip: Array, knee_y: Array, ankle: Array, medial: float, fppa_deg: Array, frac: float) -> Array:
    """Knee lateral positions giving the frontal plane projection angle `fppa_deg` (positive = valgus: the
    knee medial of the hip-ankle line) for a leg whose medial direction is `medial` (+1/-1 in z)."""
    base = hip[:, 2] + frac * (ankle[:, 2] - hip[:, 2])
    a = np.maximum(hip[:, 1] - knee_y, 1e-3)
    b = np.maximum(knee_y - ankle[:, 1], 1e-3)

    def fppa(d: Array) -> Array:
        zk = base + medial * d
        angle: Array = np.degrees(np.arctan2(medial * (zk - hip[:, 2]), a) - np.arctan2(medial * (ankle[:, 2] - zk), b))
        return angle

    lo, hi = np.full(len(a), -0.5), np.full(len(a), 0.5)
    for _ in range(60):
        mid = (lo + hi) / 2.0
        high = fppa(mid) > fppa_deg
        hi, lo = np.where(high, mid, hi), np.where(high, lo, mid)
    knee_z: Array = base + medial * (lo + hi) / 2.0
    return knee_z


def synthesize_front_run(
    model: FrontRunModel = FrontRunModel(),
    *,
    fps_hz: float = 60.0,
    duration_s: float = 3.5,
    camera: FrontCamera = FrontCamera(),
    artefacts: Artefacts = Artefacts(),  # noqa: B008
    seed: int = 0,
) -> FrontSynthetic:
    """Keypoints (BlazePose names) of the model running toward `camera` for `duration_s`."""
    side_view = synthesize(model.sprinter, fps_hz=fps_hz, duration_s=duration_s)
    body, faults = model.sprinter.body, model.faults
    leg = body.leg_m
    t = side_view.sequence.time_s
    pts2 = side_view.points_m
    events = side_view.truth.events
    stances: dict[str, list[tuple[float, float]]] = {s: [] for s in SIDES}
    step = model.sprinter.step_time_s
    for side in SIDES:
        tds = sorted(e.time_s for e in events if e.side == side and e.kind == "touchdown")
        tos = sorted(e.time_s for e in events if e.side == side and e.kind == "toe_off")
        contact = model.sprinter.contact_time_s
        starts = [tos[0] - contact] if tos and (not tds or tos[0] < tds[0]) else []
        stances[side] = [(td, td + contact) for td in [*starts, *tds]]
        stances[side] += [(tds[-1] + 2 * step, tds[-1] + 2 * step + contact)] if tds else []
    bump = {s: stance_bumps(t, stances[s]) for s in SIDES}
    lateral = {"left": 1.0, "right": -1.0}
    hip_half = HIP_WIDTH_PER_HEIGHT * body.height_m / 2.0
    # obliquity > 0: the left hip higher than the right (left stance with contralateral drop)
    obliquity = np.radians(faults.pelvic_drop_deg) * (bump["left"] - bump["right"])
    hip_centre = pts2["left_hip"]
    pts: dict[str, Array] = {}
    for side in SIDES:
        s = lateral[side]
        stance_side_of_drop = np.where(s * obliquity >= 0, 0.0, 1.0)  # this hip is the dropping (swing) one
        drop = -2.0 * hip_half * np.sin(np.abs(obliquity)) * stance_side_of_drop
        hip = np.stack([hip_centre[:, 0], hip_centre[:, 1] + drop, np.full(len(t), s * hip_half)], axis=1)
        foot_z = s * faults.foot_to_midline_legs * leg
        for joint in ("ankle", "heel", "foot_index"):
            p = pts2[f"{side}_{joint}"]
            pts[f"{side}_{joint}"] = np.stack([p[:, 0], p[:, 1] + drop, np.full(len(t), foot_z)], axis=1)
        knee2 = pts2[f"{side}_knee"]
        ankle = pts[f"{side}_ankle"]
        frac = body.thigh_m / body.leg_m
        knee_z = _valgus_knee(hip, knee2[:, 1] + drop, ankle, -s, faults.knee_fppa_deg * bump[side], frac)
        pts[f"{side}_hip"] = hip
        pts[f"{side}_knee"] = np.stack([knee2[:, 0], knee2[:, 1] + drop, knee_z], axis=1)
    mid_hip = (pts["left_hip"] + pts["right_hip"]) / 2.0
    lean = np.radians(faults.trunk_lateral_lean_deg) * (bump["left"] - bump["right"])  # > 0 toward the left
    sag = np.radians(model.sprinter.trunk_lean_deg)
    up = np.stack([np.full(len(t), np.sin(sag)), np.cos(sag) * np.cos(lean), np.cos(sag) * np.sin(lean)], axis=1)
    across = np.stack([np.zeros(len(t)), -np.sin(lean), np.cos(lean)], axis=1)  # toward the athlete's left
    shoulder_mid = mid_hip + up * body.trunk_m
    shoulder_half = SHOULDER_WIDTH_PER_HEIGHT * body.height_m / 2.0
    pts["nose"] = shoulder_mid + up * 0.13 * body.height_m + np.array([0.05 * body.height_m, 0.0, 0.0])
    for side in SIDES:
        s = lateral[side]
        shoulder = shoulder_mid + s * shoulder_half * across
        pts[f"{side}_shoulder"] = shoulder
        for joint in ("elbow", "wrist"):
            p = pts2[f"{side}_{joint}"] - pts2[f"{side}_shoulder"]  # sagittal offsets from the shoulder
            forward = p[:, 0]
            reach = np.clip(forward / max(float(np.nanmax(forward)), 1e-6), 0.0, 1.0)  # 1 at the front of the swing
            if joint == "wrist":
                inward = (shoulder_half + faults.arm_crossing_legs * leg) * reach  # to the midline and past it
            else:
                inward = 0.3 * shoulder_half * reach
            z = shoulder[:, 2] - s * inward
            pts[f"{side}_{joint}"] = np.stack([shoulder[:, 0] + forward, shoulder[:, 1] + p[:, 1], z], axis=1)
    seq = observe(
        t,
        project_front(pts, camera),
        artefacts,
        seed=seed,
        far_side="none",
        source=f"<synthetic front-view runner {model.sprinter.speed_mps:g} m/s>",
    )
    truth = FrontTruth(
        touchdowns=tuple(sorted((s, td, to) for s in SIDES for td, to in stances[s] if td > 0 and to < t[-1])),
        faults=faults,
        leg_length_m=leg,
    )
    return FrontSynthetic(seq, truth, pts)


def project_front(points_m: dict[str, Array], camera: FrontCamera) -> dict[str, Array]:
    """Pinhole projection (pixels, y down) of (forward, up, lateral) points for a camera on the line of
    running `distance_m` ahead of the start (or behind it, filming the back, when `facing="away"`)."""
    cx, cy = camera.centre_px
    yaw = np.radians(camera.yaw_deg)
    out = {}
    for name, p in points_m.items():
        ahead = p[:, 0] * np.cos(yaw) - p[:, 2] * np.sin(yaw)
        left = p[:, 0] * np.sin(yaw) + p[:, 2] * np.cos(yaw) + camera.lateral_offset_m
        if camera.facing == "toward":
            depth, right = camera.distance_m - ahead, left  # the athlete's left on the image's right
        else:
            depth, right = camera.distance_m + ahead, -left
        out[name] = np.stack(
            [cx + camera.focal_px * right / depth, cy - camera.focal_px * (p[:, 1] - camera.height_m) / depth], axis=1
        )
    return out

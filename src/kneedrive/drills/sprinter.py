"""A 2D kinematic model of a sprinter with known truth (speed, cadence, contacts, knee drive).

Stance: the forefoot stays planted while the hips travel (on a treadmill: the belt carries it
back); the knee follows by inverse kinematics. Swing: thigh angle, knee flexion and ankle
dorsiflexion are interpolated (PCHIP, which never overshoots its keyframes, so the thigh
peak is exactly the requested one) between toe-off, heel recovery, peak knee lift and the
next touchdown. Faults are parameters: a low knee, a plantar-flexed ("soggy") foot at the
top, the foot cast ahead of the knee, overstriding, a hunched trunk.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace

import numpy as np
from numpy.typing import NDArray
from scipy.interpolate import PchipInterpolator

from ..sequence import PoseSequence
from .body import Body
from .camera import Artefacts, Camera, film

Array = NDArray[np.float64]
SIDES = ("left", "right")


@dataclass(frozen=True)
class SprinterModel:
    body: Body = field(default_factory=Body)
    speed_mps: float = 9.0
    step_frequency_hz: float = 4.3
    contact_time_s: float = 0.11
    thigh_angle_peak_deg: float = 80.0
    knee_flexion_touchdown_deg: float = 22.0
    touchdown_distance_m: float = 0.30  # foot centre ahead of the hip at touchdown
    heel_recovery_knee_flexion_deg: float = 125.0
    ankle_dorsiflexion_knee_lift_deg: float = 12.0
    shank_angle_knee_lift_deg: float = 0.0  # 0 = foot under the knee; positive = cast ahead
    trunk_lean_deg: float = 8.0
    elbow_flexion_deg: float = 90.0
    treadmill: bool = False
    left_contact_time_scale: float = 1.0  # >1 lengthens left contacts (asymmetry)

    @property
    def step_time_s(self) -> float:
        return 1.0 / self.step_frequency_hz


#: Named faults for the demo and tests: each changes the model's parameters.
FAULTS: dict[str, dict[str, float]] = {
    "low_knee": {"thigh_angle_peak_deg": 55.0},
    "plantar_flexed_foot": {"ankle_dorsiflexion_knee_lift_deg": -25.0},
    "foot_ahead_of_knee": {"shank_angle_knee_lift_deg": 35.0},
    "overstride": {"touchdown_distance_m": 0.55, "knee_flexion_touchdown_deg": 10.0},
    "hunched": {"trunk_lean_deg": 28.0},
}


def with_faults(model: SprinterModel, *faults: str) -> SprinterModel:
    changes: dict[str, float] = {}
    for fault in faults:
        if fault not in FAULTS:
            raise ValueError(f"unknown fault {fault!r}; known: {', '.join(FAULTS)}")
        changes.update(FAULTS[fault])
    return replace(model, **changes)  # type: ignore[arg-type]


@dataclass(frozen=True)
class TrueEvent:
    side: str
    kind: str
    time_s: float


@dataclass(frozen=True)
class SprintTruth:
    events: tuple[TrueEvent, ...]
    speed_mps: float
    step_frequency_hz: float
    cadence_spm: float
    contact_time_s: dict[str, float]
    flight_time_s: float
    step_length_m: float
    thigh_angle_peak_deg: float
    knee_flexion_touchdown_deg: float
    trunk_lean_deg: float
    ankle_dorsiflexion_knee_lift_deg: float
    leg_length_m: float


@dataclass(frozen=True)
class Synthetic:
    sequence: PoseSequence
    truth: SprintTruth
    points_m: dict[str, Array]


def _rot(angle_rad: Array, v: tuple[float, float]) -> Array:
    c, s = np.cos(angle_rad), np.sin(angle_rad)
    return np.stack([c * v[0] - s * v[1], s * v[0] + c * v[1]], axis=-1)


def _down(angle_deg: Array | float, length: float) -> Array:
    a = np.radians(angle_deg)
    return np.stack([np.sin(a) * length, -np.cos(a) * length], axis=-1)


class _Leg:
    """Geometry helpers for one leg of a body."""

    def __init__(self, body: Body) -> None:
        self.b = body

    def foot_from_ankle(self, ankle: Array, foot_angle_deg: Array) -> tuple[Array, Array]:
        phi = np.radians(foot_angle_deg)
        heel = ankle - _rot(phi, (self.b.ankle_from_heel_m, self.b.ankle_height_m))
        toe = heel + _rot(phi, (self.b.foot_m, 0.0))
        return heel, toe

    def ankle_from_toe(self, toe: Array, foot_angle_deg: Array) -> Array:
        phi = np.radians(foot_angle_deg)
        heel = toe - _rot(phi, (self.b.foot_m, 0.0))
        return heel + _rot(phi, (self.b.ankle_from_heel_m, self.b.ankle_height_m))

    def knee_ik(self, hip: Array, ankle: Array) -> tuple[Array, Array]:
        """Thigh and shank angles (from straight down) with the knee in front."""
        d = ankle - hip
        dist = np.clip(np.linalg.norm(d, axis=-1), 1e-6, 0.9999 * (self.b.thigh_m + self.b.shank_m))
        lt, ls = self.b.thigh_m, self.b.shank_m
        base = np.degrees(np.arctan2(d[..., 0], -d[..., 1]))
        at_hip = np.degrees(np.arccos(np.clip((lt**2 + dist**2 - ls**2) / (2 * lt * dist), -1, 1)))
        at_knee = np.degrees(np.arccos(np.clip((lt**2 + ls**2 - dist**2) / (2 * lt * ls), -1, 1)))
        thigh = base + at_hip
        shank = thigh - (180.0 - at_knee)
        return thigh, shank


@dataclass(frozen=True)
class Stance:
    """One foot's contact: when it lands, how long it stays, where its toe is planted (m along the track)."""

    touchdown_s: float
    contact_s: float
    toe_x_m: float
    #: the swing that ends in this stance: the thigh's peak and the knee's bend at heel recovery (deg; None:
    #: the model's)
    thigh_peak_deg: float | None = None
    heel_recovery_deg: float | None = None
    #: the shank's angle at the thigh's peak (deg from vertical, positive: the foot ahead of the knee)
    shank_at_peak_deg: float | None = None


@dataclass(frozen=True)
class Plan:
    """What the legs do, stance by stance (each side's in time order), and where the hips are (`hip_x_at`:
    m along the track at any time, also before and after the clip; `hip_y_m`: the nominal height at each
    frame, lowered where a stance leg could not reach its foot), the trunk's lean at each frame, and the
    foot's angle at touchdown."""

    stances: dict[str, list[Stance]]
    hip_x_at: Callable[[Array], Array]
    hip_y_m: Array
    trunk_lean_deg: Array
    foot_td_deg: float = -8.0


def synthesize(
    model: SprinterModel = SprinterModel(),
    *,
    fps_hz: float = 240.0,
    duration_s: float = 2.0,
    camera: Camera = Camera(),  # noqa: B008
    artefacts: Artefacts = Artefacts(),  # noqa: B008
    seed: int = 0,
) -> Synthetic:
    """Keypoints (BlazePose names) of the model sprinting for `duration_s`, as seen by `camera`."""
    b = model.body
    t = np.arange(round(duration_s * fps_hz)) / fps_hz
    step = model.step_time_s
    stride = 2.0 * step
    contact = {"left": model.contact_time_s * model.left_contact_time_scale, "right": model.contact_time_s}
    first_td = {"right": 0.5 * step - 0.3 * stride, "left": 1.5 * step - 0.3 * stride}

    foot_td_deg = -8.0
    hip_height, toe_ahead = touchdown_geometry(model, foot_td_deg)
    oscillation = 0.25 * 9.81 * (step - model.contact_time_s) ** 2 / 2.0  # ballistic flight rise
    # lowest at mid-stance of either foot; highest mid-flight
    hip_y = (
        hip_height
        + oscillation * (1 - np.cos(2 * np.pi * (t - first_td["right"] - 0.5 * model.contact_time_s) / step)) / 2
        - 0.0
    )
    stances = {
        side: [
            Stance(float(td), contact[side], model.speed_mps * float(td) + toe_ahead)
            for td in np.arange(first_td[side] - stride, t[-1] + stride, stride)
        ]
        for side in SIDES
    }
    plan = Plan(
        stances=stances,
        hip_x_at=lambda when: model.speed_mps * np.asarray(when, dtype=np.float64),
        hip_y_m=hip_y,
        trunk_lean_deg=np.full(len(t), model.trunk_lean_deg),
        foot_td_deg=foot_td_deg,
    )
    points, events, knee_td_true = athlete_points(model, plan, t)
    seq = film(t, points, camera, artefacts, seed=seed, source=f"<synthetic sprinter {model.speed_mps:g} m/s>")
    truth = SprintTruth(
        events=tuple(events),
        speed_mps=model.speed_mps,
        step_frequency_hz=model.step_frequency_hz,
        cadence_spm=60.0 * model.step_frequency_hz,
        contact_time_s=contact,
        flight_time_s=step - model.contact_time_s,
        step_length_m=model.speed_mps * step,
        thigh_angle_peak_deg=model.thigh_angle_peak_deg,
        knee_flexion_touchdown_deg=float(np.median(knee_td_true)) if knee_td_true else model.knee_flexion_touchdown_deg,
        trunk_lean_deg=model.trunk_lean_deg,
        ankle_dorsiflexion_knee_lift_deg=model.ankle_dorsiflexion_knee_lift_deg,
        leg_length_m=b.leg_m,
    )
    return Synthetic(sequence=seq, truth=truth, points_m=points)


def touchdown_geometry(model: SprinterModel, foot_td_deg: float) -> tuple[float, float]:
    """The hip height (m) at which the knee is bent the model's knee_flexion_touchdown_deg as the foot lands
    its touchdown_distance_m ahead of the hips, and how far ahead of the hips the toe is then (m)."""
    b, leg = model.body, _Leg(model.body)
    lt, ls = b.thigh_m, b.shank_m
    k = np.radians(model.knee_flexion_touchdown_deg)
    hip_ankle = np.sqrt(lt**2 + ls**2 + 2 * lt * ls * np.cos(k))
    ankle_td_rel = leg.ankle_from_toe(np.zeros(2), np.array(foot_td_deg))
    centre_from_toe = (leg.foot_from_ankle(ankle_td_rel, np.array(foot_td_deg))[0][0] - 0.0) / 2.0
    toe_ahead = model.touchdown_distance_m - centre_from_toe  # toe x - hip x at touchdown
    ankle_dx = toe_ahead + ankle_td_rel[0]
    return float(ankle_td_rel[1] + np.sqrt(max(hip_ankle**2 - ankle_dx**2, 1e-6))), float(toe_ahead)


def athlete_points(model: SprinterModel, plan: Plan, t: Array) -> tuple[dict[str, Array], list[TrueEvent], list[float]]:
    """The keypoints (m) of a runner who follows `plan` at times `t` (the swing and the body are the model's),
    the true touchdowns and toe-offs inside the clip, and the true knee flexion at each touchdown."""
    b, leg = model.body, _Leg(model.body)
    lt, ls = b.thigh_m, b.shank_m
    foot_td_deg = plan.foot_td_deg
    hip_x = plan.hip_x_at(t)
    hip_y = _feasible_hips(leg, t, hip_x, plan.hip_y_m, plan.stances, foot_td_deg)
    points: dict[str, Array] = {}
    events: list[TrueEvent] = []
    knee_td_true: list[float] = []
    for side in SIDES:
        thigh, shank, foot = np.full(len(t), np.nan), np.full(len(t), np.nan), np.full(len(t), np.nan)
        toe_fixed = np.full((len(t), 2), np.nan)
        stance_keys = []
        for stance in plan.stances[side]:
            td, toe_x = stance.touchdown_s, stance.toe_x_m
            to = td + stance.contact_s
            s = (t >= td) & (t < to)
            frac = (t[s] - td) / stance.contact_s
            phi = _stance_foot_angle(frac, foot_td_deg)
            toe = np.stack([np.full(s.sum(), toe_x), _planted_toe_height(t[s] - td)], axis=1)
            ankle = leg.ankle_from_toe(toe, phi)
            hip = np.stack([hip_x[s], hip_y[s]], axis=1)
            th, sh = leg.knee_ik(hip, ankle)
            thigh[s], shank[s], foot[s] = th, sh, phi
            toe_fixed[s] = toe
            # keyframes at touchdown and toe-off from the stance geometry
            ends = []
            for when, ph in ((td, foot_td_deg), (to, STANCE_FOOT_TO_DEG)):
                toe_w = np.array([[toe_x, float(_planted_toe_height(np.array([when - td]))[0])]])
                ankle_w = leg.ankle_from_toe(toe_w, np.array([ph]))
                hip_w = np.array([[float(plan.hip_x_at(np.array(when))), float(np.interp(when, t, hip_y))]])
                a, c = leg.knee_ik(hip_w, ankle_w)
                ends.append((float(a[0]), float(c[0]), ph))
            stance_keys.append((td, to, ends))
            if 0 < td < t[-1]:
                events.append(TrueEvent(side, "touchdown", float(td)))
                knee_td_true.append(ends[0][0] - ends[0][1])
            if 0 < to < t[-1]:
                events.append(TrueEvent(side, "toe_off", float(to)))
        for (_td0, to0, ends0), (td1, _to1, ends1), stance in zip(
            stance_keys, stance_keys[1:], plan.stances[side][1:], strict=False
        ):
            s = (t >= to0) & (t < td1)
            if not s.any():
                continue
            u = (t[s] - to0) / (td1 - to0)
            th_to, sh_to, ph_to = ends0[1]
            th_td, sh_td, ph_td = ends1[0]
            peak = model.thigh_angle_peak_deg if stance.thigh_peak_deg is None else stance.thigh_peak_deg
            recovery = (
                model.heel_recovery_knee_flexion_deg if stance.heel_recovery_deg is None else stance.heel_recovery_deg
            )
            shank_at_peak = (
                model.shank_angle_knee_lift_deg if stance.shank_at_peak_deg is None else stance.shank_at_peak_deg
            )
            # toe-off, heel recovery, peak knee lift, foot paws down close to the ground, touchdown
            kf = [
                th_to - sh_to,
                recovery,
                peak - shank_at_peak,
                th_td - sh_td + 6.0,
                th_td - sh_td,
            ]
            th_keys = [th_to, 5.0, peak, th_td + 5.0, th_td]
            dorsi_to, dorsi_td = ph_to - sh_to, ph_td - sh_td
            df = [dorsi_to, 0.0, model.ankle_dorsiflexion_knee_lift_deg, dorsi_td, dorsi_td]
            us = [0.0, 0.33, 0.62, 0.9, 1.0]
            th_u = PchipInterpolator(us, th_keys)(u)
            kf_u = PchipInterpolator(us, kf)(u)
            sh_u = th_u - kf_u
            thigh[s], shank[s] = th_u, sh_u
            foot[s] = sh_u + PchipInterpolator(us, df)(u)
        hip = np.stack([hip_x, hip_y], axis=1)
        knee = hip + _down(thigh, lt)
        ankle = knee + _down(shank, ls)
        heel, toe = leg.foot_from_ankle(ankle, foot)
        planted = np.isfinite(toe_fixed[:, 0])
        toe[planted] = toe_fixed[planted]  # exact: the planted toe does not slide
        points.update(
            {
                f"{side}_hip": hip,
                f"{side}_knee": knee,
                f"{side}_ankle": ankle,
                f"{side}_heel": heel,
                f"{side}_foot_index": toe,
            }
        )
    _add_upper_body(points, model, t, plan.trunk_lean_deg)
    if model.treadmill:
        points = {n: p - np.stack([hip_x, np.zeros(len(t))], axis=1) for n, p in points.items()}
    events.sort(key=lambda e: e.time_s)
    return points, events, knee_td_true


#: Foot angle (heel->toe from horizontal) at toe-off: heel high, toes down.
STANCE_FOOT_TO_DEG = -50.0
#: The toe marker keeps sinking after first contact (shoe and soft tissue compress): by
#: this much, decaying with this time constant. Force plates see contact at first touch.
TOE_COMPRESSION_M = 0.025
TOE_COMPRESSION_TAU_S = 0.010


def _planted_toe_height(since_touchdown_s: Array) -> Array:
    return TOE_COMPRESSION_M * np.exp(-np.maximum(since_touchdown_s, 0.0) / TOE_COMPRESSION_TAU_S)


def _stance_foot_angle(fraction: Array, touchdown_deg: float) -> Array:
    return np.asarray(PchipInterpolator([0.0, 0.5, 1.0], [touchdown_deg, -4.0, STANCE_FOOT_TO_DEG])(fraction))


def _feasible_hips(
    leg: _Leg, t: Array, hip_x: Array, hip_y: Array, stances: dict[str, list[Stance]], foot_td_deg: float
) -> Array:
    """Lower the nominal hip path wherever a stance leg could not reach its planted foot,
    then smooth it (so the hips do not jump at toe-off) and re-apply the limit."""
    limit = np.full(len(t), np.inf)
    reach = 0.995 * leg.b.leg_m
    for side in SIDES:
        for stance in stances[side]:
            td = stance.touchdown_s
            s = (t >= td) & (t < td + stance.contact_s)
            if not s.any():
                continue
            phi = _stance_foot_angle((t[s] - td) / stance.contact_s, foot_td_deg)
            toe = np.stack([np.full(s.sum(), stance.toe_x_m), _planted_toe_height(t[s] - td)], axis=1)
            ankle = leg.ankle_from_toe(toe, phi)
            dx = ankle[:, 0] - hip_x[s]
            limit[s] = ankle[:, 1] + np.sqrt(np.maximum(reach**2 - dx**2, 0.0))
    lowered = np.minimum(hip_y, limit)
    width = max(1, round(0.04 / max(t[1] - t[0], 1e-9)))
    kernel = np.hanning(2 * width + 1)
    kernel /= kernel.sum()
    padded = np.pad(lowered - hip_y, width, mode="edge")
    smooth = hip_y + np.convolve(padded, kernel, mode="same")[width:-width]
    hips: Array = np.minimum(smooth, limit)
    return hips


def _add_upper_body(points: dict[str, Array], model: SprinterModel, t: Array, lean_deg: Array) -> None:
    b = model.body
    hip = points["left_hip"]
    lean = np.radians(lean_deg)[:, None]
    up = np.hstack([np.sin(lean), np.cos(lean)])
    shoulder = hip + up * b.trunk_m
    head = shoulder + up * 0.13 * b.height_m + np.array([0.05 * b.height_m, 0.0])
    points["nose"] = head
    for side in SIDES:
        thigh = np.degrees(np.arctan2(*(points[f"{side}_knee"] - hip).T * np.array([[1.0], [-1.0]])))
        swing = -0.9 * (thigh - np.nanmean(thigh))  # the arm moves against the same-side leg
        elbow = shoulder + _down(swing, b.upper_arm_m)
        wrist = elbow + _down(swing + model.elbow_flexion_deg, b.forearm_m)
        points[f"{side}_shoulder"] = shoulder.copy()
        points[f"{side}_elbow"] = elbow
        points[f"{side}_wrist"] = wrist

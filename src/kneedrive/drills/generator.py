"""Synthesize a drill session (reps and rests) from a drill model, with known truth.

Feeds `kneedrive demo --drill`, the tests and the recognition benchmark. The sprint itself comes
from the sprinter model (`drills.sprinter`), wrapped here so that every modelled drill synthesizes.
The drill's pattern and arm use come from the drill table (`drills.table`), through its model.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
from scipy.interpolate import PchipInterpolator

from ..sequence import PoseSequence
from .body import Body
from .camera import Artefacts, Camera, film
from .cycles import rate_decay_pct
from .keyframes import MODELS, DrillModel, DrillSession, Keyframes
from .motion import SIDES, ArmAngles, Array, LegAngles, leg_points, lowest_below_hip, pose_body
from .sprinter import SprinterModel, synthesize
from .table import drill_ids

REST_POSE = (0.0, 4.0, 0.0)
REST_TRUNK_DEG = 2.0
RAMP_S = 0.35
GRAVITY_MPS2 = 9.81


@dataclass(frozen=True)
class RepTruth:
    start_s: float
    end_s: float
    side: str  # left / right / both
    cycles: int
    top_times_s: tuple[float, ...]
    cycle_rate_hz: float | None
    rate_decay_pct: float | None
    thigh_angle_peak_deg: float
    hold_time_s: float | None


@dataclass(frozen=True)
class DrillTruth:
    drill_id: str
    reps: tuple[RepTruth, ...]
    leg_length_m: float


@dataclass(frozen=True)
class DrillSynthetic:
    sequence: PoseSequence
    truth: DrillTruth
    points_m: dict[str, Array]


def _periodic(kf: Keyframes, values: tuple[float, ...]) -> PchipInterpolator:
    ph = np.asarray(kf.phase, dtype=float)
    v = np.asarray(values, dtype=float)
    if len(ph) == 1:
        return PchipInterpolator([-1.0, 0.0, 1.0, 2.0], np.full(4, v[0]))
    return PchipInterpolator(np.concatenate([ph - 1, ph, ph + 1, [ph[0] + 2]]), np.concatenate([v, v, v, v[:1]]))


def _faulty(kf: Keyframes, session: DrillSession) -> Keyframes:
    thigh = np.array(kf.thigh_deg, dtype=float)
    knee = np.array(kf.knee_flexion_deg, dtype=float)
    dorsi = np.array(kf.dorsiflexion_deg, dtype=float)
    thigh = np.where(thigh > 0, thigh * session.thigh_peak_scale, thigh)
    recovery = (thigh < 45) & (knee > 60)
    knee = np.where(recovery, 60 + (knee - 60) * session.heel_recovery_scale, knee)
    dorsi = np.where(thigh >= 60 * session.thigh_peak_scale, dorsi + session.dorsiflexion_top_offset_deg, dorsi)
    return Keyframes(kf.phase, tuple(thigh), tuple(knee), tuple(dorsi))


def _leg(kf: Keyframes, phase: Array) -> LegAngles:
    p = np.mod(phase, 1.0)
    return LegAngles(
        _periodic(kf, kf.thigh_deg)(p), _periodic(kf, kf.knee_flexion_deg)(p), _periodic(kf, kf.dorsiflexion_deg)(p)
    )


def _constant(pose: tuple[float, float, float], n: int) -> LegAngles:
    return LegAngles(np.full(n, pose[0]), np.full(n, pose[1]), np.full(n, pose[2]))


def _blend(rest: LegAngles, drill: LegAngles, w: Array) -> LegAngles:
    return LegAngles(
        rest.thigh_deg * (1 - w) + drill.thigh_deg * w,
        rest.knee_flexion_deg * (1 - w) + drill.knee_flexion_deg * w,
        rest.dorsiflexion_deg * (1 - w) + drill.dorsiflexion_deg * w,
    )


def _bout_duration_s(cycles: int, rate_hz: float, decay: float) -> float:
    """Time for `cycles` cycles when the rate falls linearly by `decay` over the nominal duration."""
    nominal = cycles / rate_hz
    if decay <= 0:
        return nominal
    a = rate_hz * decay / (2 * nominal)
    return float((rate_hz - np.sqrt(rate_hz**2 - 4 * a * cycles)) / (2 * a))


def _phase(tau: Array, rate_hz: float, decay: float, cycles: int) -> Array:
    nominal = cycles / rate_hz
    return np.asarray(rate_hz * (tau - decay * tau**2 / (2 * nominal)))


def _phase_time(phi: float, rate_hz: float, decay: float, cycles: int) -> float:
    if decay <= 0:
        return phi / rate_hz
    nominal = cycles / rate_hz
    a = rate_hz * decay / (2 * nominal)
    return float((rate_hz - np.sqrt(rate_hz**2 - 4 * a * phi)) / (2 * a))


def _ramp(tau: Array, duration: float, ramp_s: float) -> Array:
    """0 at rest, 1 in the drill: the athlete eases in and out of the drill over `ramp_s`."""

    def smooth(x: Array) -> Array:
        x = np.clip(x, 0.0, 1.0)
        return x * x * (3 - 2 * x)

    return np.asarray(smooth(tau / ramp_s) * smooth((duration - tau) / ramp_s))


def _ramp_s(model: DrillModel, rate_hz: float) -> float:
    return RAMP_S if model.pattern == "hold" else min(RAMP_S, 0.3 / rate_hz)


def _arms(style: str, legs: dict[str, LegAngles], working: str | None, w: Array, n: int) -> dict[str, ArmAngles]:
    hang = ArmAngles(np.zeros(n), np.full(n, 10.0))
    out: dict[str, ArmAngles] = {}
    for side in SIDES:
        other = "left" if side == "right" else "right"
        if style == "wall":
            target = ArmAngles(np.full(n, 80.0), np.full(n, 40.0))
        elif style == "jump":
            target = ArmAngles(0.7 * legs[side].thigh_deg - 20.0, np.full(n, 60.0))
        elif style == "opposite" and working is not None:
            drive = legs[working].thigh_deg
            gain = 0.6 if side != working else -0.4
            target = ArmAngles(gain * drive, np.full(n, 90.0))
        elif style == "pocket" and side == "left":
            target = ArmAngles(np.full(n, 5.0), np.full(n, 20.0))  # the hand stays in the pocket
        else:  # swing against the same-side leg, like the opposite leg
            target = ArmAngles(0.7 * (legs[other].thigh_deg - 30.0), np.full(n, 90.0))
        out[side] = ArmAngles(
            hang.upper_arm_deg * (1 - w) + target.upper_arm_deg * w,
            hang.elbow_flexion_deg * (1 - w) + target.elbow_flexion_deg * w,
        )
    return out


def synthesize_drill(
    session: DrillSession,
    *,
    fps_hz: float = 60.0,
    camera: Camera = Camera(),  # noqa: B008
    artefacts: Artefacts = Artefacts(),  # noqa: B008
    seed: int = 0,
) -> DrillSynthetic:
    """Keypoints of `session` as seen by `camera`, and the truth per rep."""
    if session.drill_id not in drill_ids():
        raise ValueError(f"unknown drill {session.drill_id!r}; known: {', '.join(drill_ids())}")
    if session.drill_id == "sprint":
        return _sprint(session, fps_hz=fps_hz, camera=camera, artefacts=artefacts, seed=seed)
    if session.drill_id not in MODELS:
        raise ValueError(f"no synthetic model of {session.drill_id!r}; modelled: {', '.join(MODELS)}")
    model = MODELS[session.drill_id]
    body = Body(session.height_m)
    rate = model.cycle_rate_hz * session.rate_scale
    decay = session.rate_decay_pct / 100.0
    cycles = session.cycles_per_rep or model.rep_cycles
    hold_s = session.hold_s if session.hold_s is not None else model.hold_s
    duration = hold_s + 2 * RAMP_S if model.pattern == "hold" else _bout_duration_s(cycles, rate, decay)
    starts = [session.lead_in_s + i * (duration + session.rest_s) for i in range(session.reps)]
    total = starts[-1] + duration + 1.0
    t = np.arange(round(total * fps_hz)) / fps_hz
    n = len(t)
    working_kf = _faulty(model.working, session)
    rest = _constant(REST_POSE, n)
    legs = {side: _constant(REST_POSE, n) for side in SIDES}
    w_all = np.zeros(n)
    phase = np.zeros(n)
    working_side = np.full(n, "", dtype=object)
    anchor = np.full(n, "right", dtype=object)
    reps: list[RepTruth] = []
    other_side = {"right": "left", "left": "right"}
    for i, start in enumerate(starts):
        side = session.first_side if i % 2 == 0 else other_side[session.first_side]
        if model.pattern in ("alternating", "bilateral"):
            side = "both"
        s = (t >= start) & (t <= start + duration)
        tau = t[s] - start
        w = _ramp(tau, duration, _ramp_s(model, rate))
        w_all[s] = w
        phi = _phase(tau, rate, decay, cycles) if model.pattern != "hold" else np.zeros(len(tau))
        phase[s] = phi
        kf = working_kf
        if session.weaker_side is not None and side == session.weaker_side:
            kf = _faulty(model.working, replace(session, thigh_peak_scale=session.weaker_side_thigh_scale))
        for leg_side in SIDES:
            if model.pattern == "alternating":
                drill = _leg(kf, phi + (0.5 if leg_side == "left" else 0.0))
            elif model.pattern == "bilateral" or leg_side == side:
                drill = _leg(kf, phi)
            elif model.support_keyframes is not None:
                drill = _leg(model.support_keyframes, phi)
            else:
                drill = _constant(model.stance_pose, len(tau))
            part = _blend(LegAngles(rest.thigh_deg[s], rest.knee_flexion_deg[s], rest.dorsiflexion_deg[s]), drill, w)
            for name in ("thigh_deg", "knee_flexion_deg", "dorsiflexion_deg"):
                getattr(legs[leg_side], name)[s] = getattr(part, name)
        if side != "both":
            working_side[s] = side
            anchor[t >= start] = other_side[side]
        reps.append(_rep_truth(model, kf, side, start, duration, rate, decay, cycles, hold_s))

    trunk = REST_TRUNK_DEG + (model.trunk_lean_deg + session.trunk_lean_offset_deg - REST_TRUNK_DEG) * w_all
    # sway: the trunk rocks over the planted foot, moving the shoulders by about +/- sway_m
    trunk += np.degrees(session.sway_m / body.trunk_m) * np.sin(2 * np.pi * 0.4 * t) * w_all
    flight = np.zeros(n)
    for f in model.flights:
        u = (np.mod(phase, 1.0) - f.start_phase) / (f.end_phase - f.start_phase)
        inside = (u > 0) & (u < 1) & (w_all > 0.99)
        if f.height_m is not None:
            flight[inside] = f.height_m * np.sin(np.pi * u[inside])
        else:
            flight_time = (f.end_phase - f.start_phase) / rate
            height = GRAVITY_MPS2 * flight_time**2 / 8.0
            flight[inside] = 4 * height * u[inside] * (1 - u[inside])
    support = {side: np.zeros(n) for side in SIDES}
    for side in SIDES:
        support[side] = np.where(working_side == other_side[side], model.box_height_m * w_all, 0.0)
    hip_x = _hip_x(model, session, body, legs, anchor, t, w_all, flight)
    points = pose_body(
        body,
        legs,
        _arms(model.arms, legs, None, w_all, n)
        if model.arms != "opposite"
        else _opposite_arms(legs, working_side, w_all),
        trunk,
        support_level_m=support,
        flight_m=flight,
        hip_x_m=hip_x,
    )
    seq = film(t, points, camera, artefacts, seed=seed, source=f"<synthetic {session.drill_id}>")
    return DrillSynthetic(seq, DrillTruth(session.drill_id, tuple(reps), body.leg_m), points)


def _opposite_arms(legs: dict[str, LegAngles], working_side: Array, w: Array) -> dict[str, ArmAngles]:
    n = len(w)
    right = _arms("opposite", legs, "right", w, n)
    left = _arms("opposite", legs, "left", w, n)
    use_left = working_side == "left"
    return {
        side: ArmAngles(
            np.where(use_left, left[side].upper_arm_deg, right[side].upper_arm_deg),
            np.where(use_left, left[side].elbow_flexion_deg, right[side].elbow_flexion_deg),
        )
        for side in SIDES
    }


def _hip_x(
    model: DrillModel,
    session: DrillSession,
    body: Body,
    legs: dict[str, LegAngles],
    anchor: Array,
    t: Array,
    w: Array,
    flight: Array,
) -> Array:
    """The pelvis moves so that the foot on the ground does not slide: the anchor leg's toe for
    one-legged drills, the lower foot for the others (which then travel as the stance leg sweeps
    back), carrying on at the bout's median speed through flight."""
    n = len(t)
    toe_rel = {side: leg_points(body, np.zeros((n, 2)), legs[side])["foot_index"][:, 0] for side in SIDES}
    if model.pattern in ("alternating", "bilateral"):
        low = {side: lowest_below_hip(body, legs[side]) for side in SIDES}
        left_down = low["left"] < low["right"]
        v = -np.where(left_down, np.gradient(toe_rel["left"]), np.gradient(toe_rel["right"]))
        moving = w > 0.99
        cruise = float(np.median(v[moving & (flight <= 0)])) if (moving & (flight <= 0)).any() else 0.0
        v = np.where(flight > 0, cruise * w, v)
        return np.asarray(np.cumsum(v), dtype=float)
    x = -np.where(anchor == "left", toe_rel["left"], toe_rel["right"])
    return np.asarray(x, dtype=float)


def _rep_truth(
    model: DrillModel,
    kf: Keyframes,
    side: str,
    start: float,
    duration: float,
    rate: float,
    decay: float,
    cycles: int,
    hold_s: float,
) -> RepTruth:
    grid = np.linspace(0, 1, 2001)[:-1]
    thigh_curve = _periodic(kf, kf.thigh_deg)(grid)
    peak = float(thigh_curve.max())
    if model.pattern == "hold":
        return RepTruth(start, start + duration, side, 1, (), None, None, peak, hold_s)
    top = float(grid[int(np.argmax(thigh_curve))])
    phis = [k + top for k in range(cycles + 1)]
    if model.pattern == "alternating":
        phis += [k + top - 0.5 for k in range(cycles + 1)]
    # A top counts once the athlete is at least halfway into the drill (the ramps fade the motion).
    times = np.array([_phase_time(p, rate, decay, cycles) for p in sorted(phis) if 0 < p < cycles])
    w = _ramp(times, duration, _ramp_s(model, rate))
    tops = tuple(start + times[w >= 0.5])
    per_leg = 2 if model.pattern == "alternating" else 1
    intervals = np.diff(tops) * per_leg
    cycle_rate = float(1 / np.median(intervals)) if len(intervals) else None
    return RepTruth(
        start, start + duration, side, len(tops), tops, cycle_rate, rate_decay_pct(np.asarray(tops)), peak, None
    )


def _sprint(session: DrillSession, *, fps_hz: float, camera: Camera, artefacts: Artefacts, seed: int) -> DrillSynthetic:
    model = replace(
        SprinterModel(body=Body(session.height_m)),
        speed_mps=9.0 * session.speed_scale,
        step_frequency_hz=4.3 * session.rate_scale,
    )
    if session.thigh_peak_scale != 1.0:
        model = replace(model, thigh_angle_peak_deg=model.thigh_angle_peak_deg * session.thigh_peak_scale)
    syn = synthesize(model, fps_hz=fps_hz, duration_s=2.0, camera=camera, artefacts=artefacts, seed=seed)
    tds = [e.time_s for e in syn.truth.events if e.kind == "touchdown"]
    rep = RepTruth(
        0.0,
        float(syn.sequence.time_s[-1]),
        "both",
        len(tds),
        tuple(tds),
        model.step_frequency_hz / 2.0,
        0.0,
        model.thigh_angle_peak_deg,
        None,
    )
    return DrillSynthetic(syn.sequence, DrillTruth("sprint", (rep,), model.body.leg_m), syn.points_m)


@dataclass(frozen=True)
class Take:
    """One varied clip for the recognition benchmark: the session and how it was filmed."""

    session: DrillSession
    fps_hz: float
    camera: Camera
    artefacts: Artefacts
    seed: int


def random_take(drill_id: str, rng: np.random.Generator) -> Take:
    """A different athlete, tempo, technique, camera and pose-model quality each time: heights
    1.5-2.0 m, tempo +/-15%, knee drive 75-105% of the model (a low knee included), soggy to
    sprung foot, more or less lean, rate decay 0-25%, 30-240 fps, 120-400 px/m, either facing,
    camera roll +/-2 deg, jitter 0.5-3 px, up to 5% swapped and 3% dropped frames."""
    session = DrillSession(
        drill_id,
        height_m=float(rng.uniform(1.5, 2.0)),
        reps=int(rng.integers(1, 4)),
        rest_s=float(rng.uniform(2.5, 6.0)),
        rate_scale=float(rng.uniform(0.85, 1.15)),
        rate_decay_pct=float(rng.choice([0.0, 0.0, rng.uniform(5, 25)])),
        thigh_peak_scale=float(rng.uniform(0.75, 1.05)),
        dorsiflexion_top_offset_deg=float(rng.uniform(-25, 5)),
        heel_recovery_scale=float(rng.uniform(0.7, 1.0)),
        trunk_lean_offset_deg=float(rng.uniform(-3, 8)),
        sway_m=float(rng.uniform(0, 0.03)),
        first_side=str(rng.choice(["left", "right"])),
        speed_scale=float(rng.uniform(0.8, 1.1)),
    )
    camera = Camera(
        px_per_m=float(rng.uniform(120, 400)),
        facing=str(rng.choice(["left", "right"])),
        roll_deg=float(rng.uniform(-2, 2)),
    )
    artefacts = Artefacts(
        jitter_px=float(rng.uniform(0.5, 3.0)),
        swap_fraction=float(rng.uniform(0, 0.05)),
        dropout_fraction=float(rng.uniform(0, 0.03)),
        far_side_score=float(rng.uniform(0.5, 1.0)),
    )
    fps = float(rng.choice([30.0, 60.0, 120.0, 240.0]))
    return Take(session, fps, camera, artefacts, int(rng.integers(0, 2**31)))


def synthesize_take(take: Take) -> DrillSynthetic:
    return synthesize_drill(
        take.session, fps_hz=take.fps_hz, camera=take.camera, artefacts=take.artefacts, seed=take.seed
    )

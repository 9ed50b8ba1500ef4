"""A synthetic sprinter leaving the blocks: still in the set position, then accelerating, with known truth.

The sprinter model (`sprinter.py`) runs at one speed, rate and contact time; a start changes all three step
by step, and that is where a contact detector tuned to a steady run can fail (long first contacts, short
first steps, a step rate that rises, a trunk that comes up). The legs and the body are the sprinter model's;
what changes is the plan of stances and the hips' path:

- speed rises as v(t) = v_max (1 - exp(-t / tau)) from the first push (Furusawa, Hill & Parkinson 1927; the
  mono-exponential model Samozino et al. 2016, Scand J Med Sci Sports 26:648, fit to sprints: tau about
  1.0-1.3 s);
- contacts shorten from about 0.19 s on the first step to the steady sprint's (Mero 1988, Res Q Exerc Sport
  59:94: 0.19 s at the first contact after the blocks; 0.10-0.12 s at top speed);
- the step rate rises from about 3.6 Hz to the steady one within the first steps, most of the speed gained
  by longer steps (Nagahara et al. 2014, J Appl Biomech 30:87);
- the trunk comes up from about 45 degrees of forward lean to the steady sprint's over the first second and
  a half, and the foot lands behind the hips in the first steps and ahead of them later (Nagahara 2014;
  Mero 1988).

The numbers are the model's defaults, not a claim about any one athlete; tests use them to check that the
events, the step figures and the honesty checks hold while a run accelerates.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field, replace

import numpy as np

from .body import Body
from .camera import Artefacts, Camera, film
from .sprinter import (
    SIDES,
    Array,
    Plan,
    SprinterModel,
    SprintTruth,
    Stance,
    Synthetic,
    athlete_points,
    touchdown_geometry,
)


@dataclass(frozen=True)
class BlockStartModel:
    body: Body = field(default_factory=Body)
    set_s: float = 0.5  # still in the set position before the first push
    top_speed_mps: float = 9.0
    tau_s: float = 1.2
    first_step_hz: float = 3.6
    top_step_hz: float = 4.3
    step_rate_tau_s: float = 0.5
    first_contact_s: float = 0.19
    top_contact_s: float = 0.11
    contact_tau_s: float = 0.7
    set_lean_deg: float = 50.0
    top_lean_deg: float = 8.0
    lean_tau_s: float = 0.7
    first_touchdown_distance_m: float = -0.10  # foot centre behind the hips at the first touchdowns
    top_touchdown_distance_m: float = 0.30
    touchdown_distance_tau_s: float = 0.8
    set_hip_height_m: float = 0.62
    hip_rise_tau_s: float = 0.3
    #: the swing: the thigh's peak and the knee's bend at heel recovery rise over the first steps (a low,
    #: quick recovery out of the blocks; Mero 1988) to the steady sprint's, with this time constant
    first_thigh_peak_deg: float = 60.0
    first_heel_recovery_deg: float = 110.0
    first_shank_at_peak_deg: float = -30.0
    swing_tau_s: float = 0.6
    #: the blocks: front and rear toe behind the hips in the set position (m), and how long each foot
    #: pushes after the set (s)
    front_block_m: float = -0.15
    rear_block_m: float = -0.45
    front_push_s: float = 0.30
    rear_push_s: float = 0.15
    #: the flight from the front block to the first step's touchdown (s)
    first_flight_s: float = 0.04

    def speed_mps(self, t: Array) -> Array:
        moving = np.maximum(np.asarray(t, dtype=np.float64) - self.set_s, 0.0)
        return np.asarray(self.top_speed_mps * (1.0 - np.exp(-moving / self.tau_s)))

    def hip_x_m(self, t: Array) -> Array:
        """Distance the hips travelled since the set (the integral of speed_mps)."""
        moving = np.maximum(np.asarray(t, dtype=np.float64) - self.set_s, 0.0)
        return np.asarray(self.top_speed_mps * (moving - self.tau_s * (1.0 - np.exp(-moving / self.tau_s))))

    @property
    def first_touchdown_s(self) -> float:
        return self.set_s + self.front_push_s + self.first_flight_s

    def towards_top(self, first: float, top: float, tau_s: float, t: float) -> float:
        """A figure at time t: its first step's value at the first touchdown (and before), nearing the steady
        sprint's with time constant tau_s."""
        return top + (first - top) * float(np.exp(-max(t - self.first_touchdown_s, 0.0) / tau_s))


def plan_start(model: BlockStartModel, sprinter: SprinterModel, t: Array) -> Plan:
    """The stances of a start: both feet on the blocks through the set, the rear foot's push, the front
    foot's, then alternating steps to the clip's end."""
    end = float(t[-1]) + 1.0
    stances: dict[str, list[Stance]] = {"left": [], "right": []}
    rear, front = "left", "right"
    # (the feet are on the blocks from before the clip: their stances start before it and are not events)
    stances[rear].append(Stance(-1.0, 1.0 + model.set_s + model.rear_push_s, model.rear_block_m))
    stances[front].append(Stance(-1.0, 1.0 + model.set_s + model.front_push_s, model.front_block_m))
    # the rear leg swings through to the first step; its flight starts when the front foot leaves
    when = model.first_touchdown_s
    side = rear
    while when < end:
        contact = model.towards_top(model.first_contact_s, model.top_contact_s, model.contact_tau_s, when)
        distance = model.towards_top(
            model.first_touchdown_distance_m, model.top_touchdown_distance_m, model.touchdown_distance_tau_s, when
        )
        toe_x = (
            float(model.hip_x_m(np.array(when)))
            + touchdown_geometry(replace(sprinter, touchdown_distance_m=distance), -8.0)[1]
        )
        peak = model.towards_top(model.first_thigh_peak_deg, sprinter.thigh_angle_peak_deg, model.swing_tau_s, when)
        recovery = model.towards_top(
            model.first_heel_recovery_deg, sprinter.heel_recovery_knee_flexion_deg, model.swing_tau_s, when
        )
        shank = model.towards_top(
            model.first_shank_at_peak_deg, sprinter.shank_angle_knee_lift_deg, model.swing_tau_s, when
        )
        stances[side].append(
            Stance(when, contact, toe_x, thigh_peak_deg=peak, heel_recovery_deg=recovery, shank_at_peak_deg=shank)
        )
        rate = model.towards_top(model.first_step_hz, model.top_step_hz, model.step_rate_tau_s, when)
        when += 1.0 / rate
        side = front if side == rear else rear
    hip_y = _hip_height(model, sprinter, t, stances)
    lean = np.array([model.towards_top(model.set_lean_deg, model.top_lean_deg, model.lean_tau_s, float(x)) for x in t])
    return Plan(stances=stances, hip_x_at=model.hip_x_m, hip_y_m=hip_y, trunk_lean_deg=lean)


def _hip_height(model: BlockStartModel, sprinter: SprinterModel, t: Array, stances: dict[str, list[Stance]]) -> Array:
    """Rising from the set position's to a steady sprint's (the legs' reach lowers it where they need), with a
    ballistic rise in every flight (g f^2 / 8 for a flight of f s)."""
    top = touchdown_geometry(sprinter, -8.0)[0]
    moving = np.maximum(t - model.set_s, 0.0)
    height = top - (top - model.set_hip_height_m) * np.exp(-moving / model.hip_rise_tau_s)
    contacts = sorted((s.touchdown_s, s.touchdown_s + s.contact_s) for side in SIDES for s in stances[side])
    for (_, off), (on, _) in itertools.pairwise(contacts):
        flight = on - off
        if flight <= 0:
            continue
        inside = (t > off) & (t < on)
        u = (t[inside] - off) / flight
        height[inside] += 9.81 * flight**2 / 2.0 * u * (1.0 - u)
    return np.asarray(height)


def _when(stance: Stance) -> float:
    return stance.touchdown_s


def synthesize_start(
    model: BlockStartModel = BlockStartModel(),
    *,
    fps_hz: float = 240.0,
    duration_s: float = 3.0,
    camera: Camera = Camera(),  # noqa: B008
    artefacts: Artefacts = Artefacts(),  # noqa: B008
    seed: int = 0,
) -> tuple[Synthetic, Plan]:
    """Keypoints of a start filmed from the side by a still camera, and its plan (each stance's truth). The
    truth's step figures are medians over the clip's steps and its speed the hips' over them, as the summary's
    are (the run accelerates: the plan has each step's)."""
    sprinter = SprinterModel(body=model.body, trunk_lean_deg=model.top_lean_deg)
    t = np.arange(round(duration_s * fps_hz)) / fps_hz
    plan = plan_start(model, sprinter, t)
    points, events, knee_td = athlete_points(sprinter, plan, t)
    seq = film(t, points, camera, artefacts, seed=seed, source="<synthetic block start>")
    inside = sorted((s for side in SIDES for s in plan.stances[side] if 0 < s.touchdown_s < t[-1]), key=_when)
    step_s = np.diff([s.touchdown_s for s in inside])
    step_m = np.diff([s.toe_x_m for s in inside])
    nan = float("nan")
    step = float(np.median(step_s)) if len(step_s) else nan
    truth = SprintTruth(
        events=tuple(events),
        # the mid-hip over the whole steps, as the summary's speed
        speed_mps=float(np.ptp(model.hip_x_m(np.array([inside[0].touchdown_s, inside[-1].touchdown_s]))))
        / (inside[-1].touchdown_s - inside[0].touchdown_s)
        if len(step_s)
        else nan,
        step_frequency_hz=1.0 / step,
        cadence_spm=60.0 / step,
        contact_time_s={
            side: float(np.median([s.contact_s for s in inside if s in plan.stances[side]])) for side in SIDES
        },
        flight_time_s=float(np.median(step_s - [s.contact_s for s in inside[:-1]])) if len(step_s) else nan,
        step_length_m=float(np.median(step_m)) if len(step_m) else nan,
        thigh_angle_peak_deg=sprinter.thigh_angle_peak_deg,
        knee_flexion_touchdown_deg=float(np.median(knee_td)) if knee_td else nan,
        trunk_lean_deg=float(np.median(plan.trunk_lean_deg)),
        ankle_dorsiflexion_knee_lift_deg=sprinter.ankle_dorsiflexion_knee_lift_deg,
        leg_length_m=model.body.leg_m,
    )
    return Synthetic(sequence=seq, truth=truth, points_m=points), plan

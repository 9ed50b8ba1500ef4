"""The synthetic generator's keyframe model of each drill, and the sessions it synthesizes.

What a drill is (id, name, pattern, arm use) is the drill table's (`drills.table`), which a model
reads; the model adds how the body moves, for the generator. A model is a set of keyframes over
one cycle of the working leg (phase 0..1): thigh angle, knee flexion and ankle dorsiflexion,
interpolated periodically (PCHIP, no overshoot), plus what the rest of the body does. The
keyframes are read off the seed articles' descriptions (DOMAIN.md) and typical drill footage;
they are models to test the analysis with, not measurements.
"""

from __future__ import annotations

from dataclasses import dataclass

from .table import DrillSpec, drill_spec


@dataclass(frozen=True)
class Keyframes:
    phase: tuple[float, ...]
    thigh_deg: tuple[float, ...]
    knee_flexion_deg: tuple[float, ...]
    dorsiflexion_deg: tuple[float, ...]


@dataclass(frozen=True)
class Flight:
    """Both feet leave their support between these phases of the (right) working leg's cycle."""

    start_phase: float
    end_phase: float
    height_m: float | None = None  # None: ballistic height from the flight time


@dataclass(frozen=True)
class DrillModel:
    drill_id: str
    cycle_rate_hz: float  # cycles of one leg per second
    working: Keyframes
    trunk_lean_deg: float
    #: the other leg: a fixed pose (thigh, knee, dorsiflexion) or its own keyframes (step-up)
    stance_pose: tuple[float, float, float] = (0.0, 5.0, 0.0)
    support_keyframes: Keyframes | None = None
    box_height_m: float = 0.0
    flights: tuple[Flight, ...] = ()
    rep_cycles: int = 10
    hold_s: float = 0.0

    @property
    def spec(self) -> DrillSpec:
        """The drill this models, as the drill table describes it."""
        return drill_spec(self.drill_id)

    @property
    def pattern(self) -> str:
        return self.spec.pattern

    @property
    def arms(self) -> str:
        return self.spec.arms


LEAN_STANCE = (-45.0, 0.0, 25.0)  # stance leg in line with a 45-degree body, on the ball of the foot

#: The piston run's leg action, shared by the pocket run (which differs in the arms).
_PISTON = Keyframes((0, 0.35, 0.55, 0.72, 0.9), (6, -10, 35, 85, 35), (12, 25, 115, 100, 35), (0, -20, 10, 12, 5))
_RUN_FLIGHTS = (Flight(0.35, 0.5, 0.04), Flight(0.85, 1.0, 0.04))
_SKIP_FLIGHTS = (Flight(0.12, 0.3, 0.07), Flight(0.62, 0.8, 0.07))

MODELS: dict[str, DrillModel] = {
    m.drill_id: m
    for m in (
        DrillModel(
            "single_leg_drive_through",
            1.6,
            Keyframes((0, 0.3, 0.55, 0.8), (-40, -15, 92, 30), (15, 125, 95, 45), (-25, 0, 15, -20)),
            trunk_lean_deg=45.0,
            stance_pose=LEAN_STANCE,
            rep_cycles=14,
        ),
        DrillModel(
            "wall_drill",
            0.9,
            Keyframes((0, 0.3, 0.6), (-45, 92, 92), (0, 95, 95), (25, 15, 15)),
            trunk_lean_deg=45.0,
            stance_pose=LEAN_STANCE,
            rep_cycles=8,
        ),
        DrillModel(
            "isometric_hip_flexion_hold",
            0.0,
            Keyframes((0.0,), (92,), (90,), (15,)),
            trunk_lean_deg=3.0,
            hold_s=12.0,
        ),
        DrillModel(
            "high_knees",
            2.0,
            Keyframes((0, 0.35, 0.55, 0.72, 0.9), (2, -2, 40, 92, 40), (10, 13, 110, 100, 40), (0, -20, 10, 15, 5)),
            trunk_lean_deg=5.0,
            flights=_RUN_FLIGHTS,
            rep_cycles=14,
        ),
        DrillModel(
            "piston_run",
            1.9,
            _PISTON,
            trunk_lean_deg=8.0,
            flights=_RUN_FLIGHTS,
            rep_cycles=14,
        ),
        DrillModel(
            "pocket_run",
            1.9,
            _PISTON,
            trunk_lean_deg=8.0,
            flights=_RUN_FLIGHTS,
            rep_cycles=14,
        ),
        DrillModel(
            "butt_kicks",
            2.2,
            Keyframes((0, 0.35, 0.6, 0.8), (3, -5, 15, 22), (10, 18, 140, 70), (0, -20, -10, 0)),
            trunk_lean_deg=4.0,
            flights=(Flight(0.35, 0.5, 0.03), Flight(0.85, 1.0, 0.03)),
            rep_cycles=16,
        ),
        DrillModel(
            "a_skip",
            1.3,
            Keyframes((0, 0.2, 0.45, 0.7, 0.9), (5, -5, -12, 92, 30), (10, 15, 25, 100, 30), (0, -5, -20, 15, 5)),
            trunk_lean_deg=4.0,
            flights=_SKIP_FLIGHTS,
            rep_cycles=10,
        ),
        DrillModel(
            "b_skip",
            1.2,
            Keyframes(
                (0, 0.2, 0.45, 0.65, 0.8, 0.92),
                (5, -5, -12, 88, 70, 20),
                (10, 15, 25, 105, 20, 15),
                (0, -5, -20, 15, 0, 0),
            ),
            trunk_lean_deg=4.0,
            flights=_SKIP_FLIGHTS,
            rep_cycles=10,
        ),
        DrillModel(
            "single_leg_knee_drive",
            0.7,
            Keyframes((0, 0.18, 0.35, 0.85), (0, 95, 95, 0), (5, 95, 95, 5), (0, 15, 15, 0)),
            trunk_lean_deg=3.0,
            rep_cycles=8,
        ),
        DrillModel(
            "step_up_knee_drive",
            0.5,
            Keyframes((0, 0.4, 0.6, 0.95), (-10, 95, 95, -10), (10, 95, 95, 10), (0, 15, 15, 0)),
            trunk_lean_deg=8.0,
            support_keyframes=Keyframes((0, 0.4, 0.6, 0.95), (70, 0, 0, 70), (95, 3, 3, 95), (20, 0, 0, 20)),
            box_height_m=0.35,
            rep_cycles=6,
        ),
        DrillModel(
            "tuck_jump",
            0.9,
            Keyframes(
                (0, 0.2, 0.35, 0.6, 0.85, 0.93),
                (25, 55, 5, 100, 5, 30),
                (40, 95, 10, 125, 10, 50),
                (0, 15, -30, 10, -10, 10),
            ),
            trunk_lean_deg=10.0,
            flights=(Flight(0.35, 0.85),),
            rep_cycles=6,
        ),
    )
}


@dataclass(frozen=True)
class DrillSession:
    """What the athlete does in front of the camera: the drill, its dose and its faults."""

    drill_id: str
    height_m: float = 1.80
    reps: int = 2
    cycles_per_rep: int | None = None  # None: the model's
    hold_s: float | None = None
    rest_s: float = 4.0
    rate_scale: float = 1.0
    rate_decay_pct: float = 0.0  # the cycle rate drops linearly by this much across a rep
    thigh_peak_scale: float = 1.0  # < 1: the knee does not reach the model's height
    dorsiflexion_top_offset_deg: float = 0.0  # < 0: soggy foot at the top
    heel_recovery_scale: float = 1.0  # < 1: the heel does not come up to the buttocks
    trunk_lean_offset_deg: float = 0.0
    sway_m: float = 0.0  # hold drills: slow sway of the pelvis
    first_side: str = "right"
    lead_in_s: float = 1.0
    speed_scale: float = 1.0
    weaker_side: str | None = None  # one-legged drills: this leg's knee drive is lower...
    weaker_side_thigh_scale: float = 1.0  # ...by this factor (an imbalance single-leg work exposes)


#: Named technique faults for the demo and tests: each changes the session's parameters.
DRILL_FAULTS: dict[str, dict[str, float]] = {
    "low_knee": {"thigh_peak_scale": 0.7},
    "soggy_foot": {"dorsiflexion_top_offset_deg": -30.0},
    "no_heel_recovery": {"heel_recovery_scale": 0.45},
    "hunched": {"trunk_lean_offset_deg": 15.0},
    "rate_decay": {"rate_decay_pct": 25.0},
}

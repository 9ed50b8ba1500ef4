"""Front-view figures: knee valgus (FPPA), contralateral pelvic drop, trunk lateral lean, step width and
crossover, arm crossing. Definitions, signs and sources: README, "Front view".

All are taken between points of one frame, so the athlete's growing size as they approach does not matter
(lengths are divided by that frame's leg length). "Own side" and "medial" follow the athlete's left and
right (`FrontKinematics.lateral`), whichever way they face the camera.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Mapping
from dataclasses import asdict, dataclass, fields, replace
from itertools import pairwise
from types import MappingProxyType
from typing import Any, TypeVar

import numpy as np
from scipy.signal import find_peaks

from ..events.front import FrontStance, FrontStanceDetector
from ..kinematics.frontal import FrontKinematics
from .honesty import MIN_ALTERNATION, Withheld
from .registry import registry

SIDES = ("left", "right")
T = TypeVar("T", "FrontStep", "FrontRep", "ArmSwing")
#: Dingenen et al. (2018): 2D pelvic drop and knee angles from video are reliable (about 2.7 deg) when
#: averaged over at least this many steps per side.
RELIABLE_STEPS_PER_SIDE = 7
#: A wrist's swing: its highest point relative to the shoulders, at least this prominent (leg lengths).
ARM_PEAK_PROMINENCE_LEGS = 0.05


@dataclass(frozen=True)
class FrontStep:
    """One running stance seen from the front; `side` is the stance foot."""

    side: str
    touchdown_frame: int
    touchdown_time_s: float
    midstance_frame: int  # the stance knee's deepest point
    midstance_time_s: float
    knee_fppa_deg: float | None
    pelvic_drop_deg: float | None
    trunk_lateral_lean_deg: float | None
    foot_to_midline_legs: float | None
    step_width_legs: float | None
    step_width_m: float | None


@dataclass(frozen=True)
class FrontRep:
    """The deepest point of one rep of single-leg work; `side` is the standing leg."""

    side: str
    frame: int
    time_s: float
    knee_fppa_deg: float | None
    pelvic_drop_deg: float | None
    trunk_lateral_lean_deg: float | None


@dataclass(frozen=True)
class ArmSwing:
    """A wrist at the front (top) of its swing."""

    side: str
    frame: int
    time_s: float
    arm_crossing_legs: float | None


@dataclass(frozen=True)
class KeyFrame:
    """The worst frame of a figure on one side (the report's front-view stills)."""

    metric: str
    side: str
    frame: int
    time_s: float
    value: float


@dataclass(frozen=True)
class FrontFigures:
    facing: str  # "toward" | "away" (the camera)
    steps: tuple[FrontStep, ...]
    reps: tuple[FrontRep, ...]
    arms: tuple[ArmSwing, ...]
    sides: Mapping[str, Mapping[str, float | None]]  # per side: the median of each figure
    key_frames: tuple[KeyFrame, ...]

    def __post_init__(self) -> None:
        sides = {k: MappingProxyType(dict(v)) for k, v in self.sides.items()}
        object.__setattr__(self, "sides", MappingProxyType(sides))

    def to_dict(self) -> dict[str, Any]:
        return {
            "facing": self.facing,
            "steps": [asdict(s) for s in self.steps],
            "reps": [asdict(r) for r in self.reps],
            "arms": [asdict(a) for a in self.arms],
            "sides": {k: dict(v) for k, v in self.sides.items()},
            "key_frames": [asdict(k) for k in self.key_frames],
        }

    @classmethod
    def from_dict(cls, doc: Mapping[str, Any]) -> FrontFigures:
        return cls(
            facing=str(doc["facing"]),
            steps=tuple(FrontStep(**s) for s in doc["steps"]),
            reps=tuple(FrontRep(**r) for r in doc["reps"]),
            arms=tuple(ArmSwing(**a) for a in doc["arms"]),
            sides={k: dict(v) for k, v in doc["sides"].items()},
            key_frames=tuple(KeyFrame(**k) for k in doc["key_frames"]),
        )

    def observations(self, metric: str) -> list[tuple[str, int, float, float]]:
        """(side, frame, time_s, value) of every step, rep or arm swing that has `metric`."""
        out: list[tuple[str, int, float, float]] = []
        for s in self.steps:
            v = getattr(s, metric, None)
            if v is not None:
                t = s.touchdown_time_s if metric in TOUCHDOWN_FIGURES else s.midstance_time_s
                f = s.touchdown_frame if metric in TOUCHDOWN_FIGURES else s.midstance_frame
                out.append((s.side, f, t, float(v)))
        items: tuple[FrontRep | ArmSwing, ...] = (*self.reps, *self.arms)
        for item in items:
            w = getattr(item, metric, None)
            if w is not None:
                out.append((item.side, item.frame, item.time_s, float(w)))
        return out


TOUCHDOWN_FIGURES = frozenset({"foot_to_midline_legs", "step_width_legs", "step_width_m"})
#: Fields that say when or which, not how much.
NOT_FIGURES = frozenset(
    {"side", "frame", "time_s", "touchdown_frame", "touchdown_time_s", "midstance_frame", "midstance_time_s"}
)
#: The front-view figures, in the order of their dataclasses (each has a "front" row in the registry).
FRONT_FIELDS: tuple[str, ...] = tuple(
    dict.fromkeys(f.name for cls in (FrontStep, FrontRep, ArmSwing) for f in fields(cls) if f.name not in NOT_FIGURES)
)


def _deg(v: float) -> float:
    return math.degrees(v)


def knee_fppa_deg(kin: FrontKinematics, side: str, i: int) -> float | None:
    """180 deg minus the hip-knee-ankle angle in the image; positive = the knee medial of the hip-ankle
    line (valgus), negative = lateral (varus)."""
    hip, knee, ankle = (kin.points[f"{side}_{j}"][i] for j in ("hip", "knee", "ankle"))
    medial = -kin.outward(side)
    thigh = math.atan2(medial * (knee[0] - hip[0]), hip[1] - knee[1])
    shank = math.atan2(medial * (ankle[0] - knee[0]), knee[1] - ankle[1])
    return _deg(thigh - shank)


def pelvic_drop_deg(kin: FrontKinematics, stance: str, i: int) -> float:
    """Tilt of the hip line from horizontal; positive = the swing (contralateral) hip lower."""
    swing = "right" if stance == "left" else "left"
    a, b = kin.points[f"{stance}_hip"][i], kin.points[f"{swing}_hip"][i]
    return _deg(math.atan2(a[1] - b[1], abs(a[0] - b[0])))


def trunk_lateral_lean_deg(kin: FrontKinematics, stance: str, i: int) -> float | None:
    """Mid-hip -> mid-shoulder from vertical; positive = toward the stance side."""
    if not (kin.has("left_shoulder") and kin.has("right_shoulder")):
        return None
    hip, shoulder = kin.mid("hip")[i], kin.mid("shoulder")[i]
    return _deg(math.atan2(kin.outward(stance) * (shoulder[0] - hip[0]), shoulder[1] - hip[1]))


def foot_to_midline_legs(kin: FrontKinematics, side: str, i: int) -> float:
    """The foot's distance from the pelvis' midline at touchdown, positive on its own side (negative:
    across the midline, a crossover)."""
    return float(kin.outward(side) * (kin.foot(side)[i, 0] - kin.mid("hip")[i, 0]) / kin.scale_units[i])


def measure_front(
    kin: FrontKinematics, *, facing: str, detector: FrontStanceDetector | None = None
) -> tuple[FrontFigures, list[Withheld], list[str]]:
    """The front-view figures, the ones withheld as implausible, and warnings."""
    detector = detector or FrontStanceDetector()
    running, single = detector.detect(kin)
    warnings = []
    unfound = ""
    if detector.in_place(kin) and not single:
        running, unfound = _stances_in_place(kin, detector, running)
    if unfound:
        warnings.append(
            f"front view, in place (treadmill): {unfound}, so the stances were not found: no step figure (knee FPPA, "
            "pelvic drop, lean, step width) is reported (in the image the belt moves the planted foot too fast for a "
            "still foot and too slowly to follow: film from nearer or further; at 3.5 m/s from 1 m up, 4 m or 8 m)"
        )
        running = []
    steps = _steps(kin, running)
    reps = tuple(
        FrontRep(
            s.side,
            i,
            float(kin.time_s[i]),
            knee_fppa_deg(kin, s.side, i),
            pelvic_drop_deg(kin, s.side, i),
            trunk_lateral_lean_deg(kin, s.side, i),
        )
        for s in single
        for i in s.deepest_frames
    )
    arms = _arm_swings(kin)
    steps, reps, arms, withheld = _plausible(steps, reps, arms)
    figures = FrontFigures(facing, steps, reps, arms, {}, ())
    sides = {
        side: {m: _median([v for s, _, _, v in figures.observations(m) if s == side]) for m in FRONT_FIELDS}
        for side in SIDES
    }
    keys = _worst(figures)
    per_side = [sum(1 for s in steps if s.side == side) for side in SIDES]
    if steps and min(per_side) < RELIABLE_STEPS_PER_SIDE:
        warnings.append(
            f"front view: {min(per_side)} steps on one side; pelvic drop and knee angles from video are reliable "
            f"to about 2.7 deg over at least {RELIABLE_STEPS_PER_SIDE} steps per side (Dingenen et al. 2018)"
        )
    if not steps and not reps:
        warnings.append("front view: no stance found (a still camera and a planted foot are needed)")
    return replace(figures, sides=sides, key_frames=tuple(keys)), withheld, warnings


#: In place, a running stance (the foot seen still) covers at least this fraction of the step: a treadmill
#: runner's contact is half to four fifths of a step (duty factor 0.25-0.4); less is a glimpse of a still foot.
MIN_STANCE_PER_STEP_IN_PLACE = 0.35


def _stances_in_place(
    kin: FrontKinematics, detector: FrontStanceDetector, still: list[FrontStance]
) -> tuple[list[FrontStance], str]:
    """The running stances of an athlete in place (a treadmill), and why none are trusted ("" when they are).
    A still foot (`still`, right when the belt's motion is small in the image), else a foot the belt visibly
    carries backward (a close camera, `detect(belt=True)`): either must have successive stances change foot
    and cover a treadmill contact's share of a step."""
    why, _ = _in_place_doubt(kin.time_s, still)
    if not why:
        return still, ""
    carried = detector.detect(kin, belt=True)[0]
    if carried and not _in_place_doubt(kin.time_s, carried)[0]:
        return carried, ""
    return [], why


def _in_place_doubt(t: np.ndarray, running: list[FrontStance]) -> tuple[str, float]:
    """(why these stances are not to be trusted, "" when they are; their median share of a step)."""
    if len(running) < 3:
        return f"{len(running)} stances found", 0.0
    turns = sum(a.side != b.side for a, b in pairwise(running))
    share = float(
        statistics.median(
            (t[a.toe_off_frame] - t[a.touchdown_frame]) / (t[b.touchdown_frame] - t[a.touchdown_frame])
            for a, b in pairwise(running)
        )
    )
    if turns < MIN_ALTERNATION * (len(running) - 1):
        return f"only {turns} of {len(running) - 1} successive stances change foot", share
    if share < MIN_STANCE_PER_STEP_IN_PLACE:
        return f"the foot is seen planted for {share:.0%} of a step (a treadmill contact is 50-80 %)", share
    return "", share


def _worst(figures: FrontFigures) -> list[KeyFrame]:
    out = []
    for metric in ("knee_fppa_deg", "pelvic_drop_deg"):
        for side in SIDES:
            obs = [o for o in figures.observations(metric) if o[0] == side]
            if obs:
                _, frame, t, v = max(obs, key=lambda o: o[3])
                out.append(KeyFrame(metric, side, frame, t, v))
    return out


def _steps(kin: FrontKinematics, stances: list[FrontStance]) -> tuple[FrontStep, ...]:
    out: list[FrontStep] = []
    previous: FrontStep | None = None
    for st in stances:
        td, mid = st.touchdown_frame, st.deepest_frames[0]
        placement = foot_to_midline_legs(kin, st.side, td)
        width = None
        if previous is not None and previous.side != st.side and previous.foot_to_midline_legs is not None:
            width = placement + previous.foot_to_midline_legs
        step = FrontStep(
            side=st.side,
            touchdown_frame=td,
            touchdown_time_s=float(kin.time_s[td]),
            midstance_frame=mid,
            midstance_time_s=float(kin.time_s[mid]),
            knee_fppa_deg=knee_fppa_deg(kin, st.side, mid),
            pelvic_drop_deg=pelvic_drop_deg(kin, st.side, mid),
            trunk_lateral_lean_deg=trunk_lateral_lean_deg(kin, st.side, mid),
            foot_to_midline_legs=placement,
            step_width_legs=width,
            step_width_m=None if width is None or kin.leg_length_m is None else width * kin.leg_length_m,
        )
        out.append(step)
        previous = step
    return tuple(out)


def _arm_swings(kin: FrontKinematics) -> tuple[ArmSwing, ...]:
    if not all(kin.has(f"{s}_{j}") for s in SIDES for j in ("shoulder", "wrist")):
        return ()
    hip, shoulder = kin.mid("hip"), kin.mid("shoulder")
    dt = float(np.median(np.diff(kin.time_s)))
    out = []
    for side in SIDES:
        wrist = kin.points[f"{side}_wrist"]
        rise = (wrist[:, 1] - shoulder[:, 1]) / kin.scale_units
        rise = np.where(np.isfinite(rise), rise, np.nanmin(rise))
        peaks, _ = find_peaks(rise, prominence=ARM_PEAK_PROMINENCE_LEGS, distance=max(1, round(0.2 / dt)))
        for i in peaks:
            frac = (wrist[i, 1] - hip[i, 1]) / (shoulder[i, 1] - hip[i, 1])
            midline_x = hip[i, 0] + frac * (shoulder[i, 0] - hip[i, 0])
            crossing = -kin.outward(side) * (wrist[i, 0] - midline_x) / kin.scale_units[i]
            out.append(ArmSwing(side, int(i), float(kin.time_s[i]), float(crossing)))
    return tuple(sorted(out, key=lambda a: a.frame))


def _plausible(
    steps: tuple[FrontStep, ...], reps: tuple[FrontRep, ...], arms: tuple[ArmSwing, ...]
) -> tuple[tuple[FrontStep, ...], tuple[FrontRep, ...], tuple[ArmSwing, ...], list[Withheld]]:
    """Values no human produces (a measurement failure) are withheld, by the registry's ranges."""
    withheld: list[Withheld] = []
    return (
        _within_range(steps, "step", withheld),
        _within_range(reps, "rep", withheld),
        _within_range(arms, "arm swing", withheld),
        withheld,
    )


def _within_range(items: tuple[T, ...], scope: str, withheld: list[Withheld]) -> tuple[T, ...]:
    reg = registry()
    for name in FRONT_FIELDS:
        row = reg[name]
        bad = {i for i, it in enumerate(items) if (v := getattr(it, name, None)) is not None and not row.plausible(v)}
        if bad:
            withheld.append(Withheld(name, scope, len(bad), len(items), "outside what a human produces"))
            cleared: dict[str, Any] = {name: None}
            items = tuple(replace(it, **cleared) if k in bad else it for k, it in enumerate(items))
    return items


def _median(values: list[float]) -> float | None:
    return float(statistics.median(values)) if values else None

"""Kinematics -> the drill: its name, its reps and their cycles, per-rep figures, left vs right."""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace
from typing import Any

import numpy as np

from ..errors import InputError
from ..events.contacts import lowest_point
from ..events.ground import fit_ground
from ..kinematics import Kinematics
from .catalogue import DRILL_IDS, DRILL_NAMES, MODELS
from .cycles import DECAY_FLAG_PCT, interval_decay_pct
from .features import DrillFeatures, clip_features
from .recognize import recognize
from .rep_metrics import Rep, compare_sides, measure_rep
from .reps import RepWindow, find_reps

AUTO = "auto"
#: Below this confidence the name is given with a warning to check it (or to force it with --drill).
LOW_CONFIDENCE = 0.6


@dataclass(frozen=True)
class DrillResult:
    drill_id: str
    confidence: float
    decided_by: str  # "auto" (recognized) or "given" (--drill)
    ranking: tuple[tuple[str, float], ...]
    features: DrillFeatures
    reps: tuple[Rep, ...]
    sides: dict[str, dict[str, float | None]]
    asymmetry_pct: dict[str, float | None]
    warnings: tuple[str, ...]

    @property
    def name(self) -> str:
        return DRILL_NAMES[self.drill_id]

    @property
    def one_legged(self) -> bool:
        model = MODELS.get(self.drill_id)
        return model is not None and model.pattern in ("unilateral", "hold")

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.drill_id,
            "name": self.name,
            "confidence": self.confidence,
            "decided_by": self.decided_by,
            "alternatives": [{"id": d, "confidence": c} for d, c in self.ranking[1:4]],
            "features": self.features.as_dict(),
            "reps": [asdict(r) for r in self.reps],
            "sides": self.sides if self.one_legged else None,
            "asymmetry_pct": self.asymmetry_pct if self.one_legged else None,
        }


def check_drill_id(drill: str) -> str:
    if drill != AUTO and drill not in DRILL_IDS:
        raise InputError(f"unknown drill {drill!r}; use auto or one of: {', '.join(DRILL_IDS)}")
    return drill


def analyze_drill(kin: Kinematics, drill: str = AUTO) -> DrillResult:
    """Segment reps, name the drill (unless given) and measure every rep."""
    check_drill_id(drill)
    kin = _levelled(kin)
    windows = find_reps(kin)
    warnings = []
    if not windows:
        # A short clip of continuous running has no rest to frame it: take the whole clip.
        windows = [RepWindow(0, kin.n_frames, "both", 1.0)]
    features = clip_features(kin, windows)
    recognition = recognize(features)
    if drill == AUTO:
        drill_id, confidence, decided_by = recognition.drill_id, recognition.confidence, "auto"
        if confidence < LOW_CONFIDENCE:
            runner_up = recognition.ranking[1][0]
            warnings.append(
                f"the drill looks like {DRILL_NAMES[drill_id]} but could be {DRILL_NAMES[runner_up]} "
                f"(confidence {confidence:.2f}): check it, or name it with --drill"
            )
    else:
        drill_id, decided_by = drill, "given"
        confidence = dict(recognition.ranking)[drill]
    reps = [measure_rep(kin, w, i + 1, drill_id) for i, w in enumerate(windows)]
    sides, asym = compare_sides(reps)
    if drill_id != "sprint":  # a run's rate comes from its touchdowns, once the events are known
        warnings += decay_warnings(reps)
    return DrillResult(
        drill_id=drill_id,
        confidence=confidence,
        decided_by=decided_by,
        ranking=recognition.ranking,
        features=features,
        reps=tuple(reps),
        sides=sides,
        asymmetry_pct=asym,
        warnings=tuple(warnings),
    )


def _levelled(kin: Kinematics) -> Kinematics:
    """Heights measured from the ground line, so that a tilted camera or floor does not read as the
    hips rising (a step-up) or the feet leaving the ground (a jump)."""
    ground = fit_ground([lowest_point(kin, side) for side in ("left", "right")])
    if ground.slope == 0.0:
        return kin
    points = {
        n: p - np.stack([np.zeros(len(p)), ground.at(p[:, 0]) - ground.height_legs], axis=1)
        for n, p in kin.points.items()
    }
    return replace(kin, points=points)


def decay_warnings(reps: list[Rep]) -> list[str]:
    return [
        f"rep {rep.index} ({rep.side}): the cycle rate dropped {rep.rate_decay_pct:.0f}% from the first "
        "to the last third: stop the rep when the speed lags"
        for rep in reps
        if rep.decayed and rep.rate_decay_pct is not None
    ]


def with_step_rate(drill: DrillResult, touchdowns: dict[str, list[float]]) -> DrillResult:
    """A run's reps timed by its touchdowns instead of its knee drives: cycles are steps, the rate is
    one foot's strides per second, and the decay is each foot's own (median of the feet, strides within
    0.7-1.4x the typical one), so that a far foot the pose model loses does not read as slowing down."""
    reps = []
    for rep in drill.reps:
        inside = {s: [t for t in ts if rep.start_s <= t <= rep.end_s] for s, ts in touchdowns.items()}
        per_foot = {s: np.diff(ts) for s, ts in inside.items()}
        strides = [float(x) for iv in per_foot.values() for x in iv]
        typical = float(np.median(strides)) if strides else 0.0
        # a missed touchdown doubles an interval, a phantom one halves it: neither is a change of pace
        plausible = {s: iv[(iv > 0.7 * typical) & (iv < 1.4 * typical)] for s, iv in per_foot.items()}
        decays = [d for iv in plausible.values() if (d := interval_decay_pct(iv)) is not None]
        rate = float(1.0 / np.median(strides)) if strides else None
        decay = float(np.median(decays)) if decays else None
        reps.append(
            replace(
                rep,
                cycles=sum(len(ts) for ts in inside.values()),
                cycles_left=len(inside.get("left", [])),
                cycles_right=len(inside.get("right", [])),
                cycle_rate_hz=rate,
                cadence_spm=None if rate is None else 120.0 * rate,
                rate_decay_pct=decay,
                decayed=bool(decay is not None and decay > DECAY_FLAG_PCT),
            )
        )
    return replace(drill, reps=tuple(reps), warnings=drill.warnings + tuple(decay_warnings(reps)))

"""Kinematics -> the drill: its name, its reps and their cycles, per-rep figures, left vs right."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, replace
from types import MappingProxyType
from typing import Any

import numpy as np

from ..errors import InputError
from ..events.ground import fit_ground, lowest_point
from ..kinematics import Kinematics
from ..kinematics.timebase import too_few_frames_per_step
from .catalogue import DrillCatalogue, load_catalogue
from .cycles import DECAY_FLAG_PCT, interval_decay_pct
from .features import DrillFeatures, clip_features
from .recognize import Recognition, recognize
from .rep_metrics import Rep, compare_sides, measure_rep
from .reps import RepWindow, find_reps
from .table import DrillSpec, drill_ids

AUTO = "auto"
#: How the drill was decided (DrillResult.decided_by): recognized, given with --drill, or not decided
#: because the clip fits no drill well, or two about as well (see DrillResult.unsure).
DECIDED_BY = ("auto", "given", "unsure")


@dataclass(frozen=True)
class DrillResult:
    drill_id: str
    confidence: float
    #: "auto" (recognized), "given" (--drill) or "unsure": then drill_id is only the best guess (the
    #: reps and cycles are measured as it), `guesses` are the two best, and no drill-specific
    #: criterion should judge the clip
    decided_by: str
    ranking: tuple[tuple[str, float], ...]
    features: DrillFeatures
    reps: tuple[Rep, ...]
    sides: Mapping[str, Mapping[str, float | None]]
    asymmetry_pct: Mapping[str, float | None]
    warnings: tuple[str, ...]
    spec: DrillSpec  # the drill table's row for drill_id

    def __post_init__(self) -> None:
        """Results are immutable: the per-side mappings are read-only views."""
        sides = {k: MappingProxyType(dict(v)) for k, v in self.sides.items()}
        object.__setattr__(self, "sides", MappingProxyType(sides))
        object.__setattr__(self, "asymmetry_pct", MappingProxyType(dict(self.asymmetry_pct)))

    @property
    def name(self) -> str:
        return self.spec.name

    @property
    def unsure(self) -> bool:
        """The clip fits no drill well (or two about as well): drill_id is a guess, not a finding."""
        return self.decided_by == "unsure"

    @property
    def guesses(self) -> tuple[tuple[str, float], ...]:
        """The two best guesses (id, confidence), best first: what to show when unsure."""
        return self.ranking[:2]

    @property
    def one_legged(self) -> bool:
        return self.spec.one_legged

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


def check_drill_id(drill: str, known: tuple[str, ...] | None = None) -> str:
    """`drill` if it is "auto" or one of `known` (None: the shipped drill table's ids)."""
    known = drill_ids() if known is None else known
    if drill != AUTO and drill not in known:
        raise InputError(f"unknown drill {drill!r}; use auto or one of: {', '.join(known)}")
    return drill


def analyze_drill(
    kin: Kinematics,
    drill: str = AUTO,
    *,
    catalogue: DrillCatalogue | None = None,
    ground_known: bool = True,
    real_time: bool = True,
) -> DrillResult:
    """Segment reps, name the drill (unless given) and measure every rep. `catalogue`: the drills
    to choose from (None: the shipped ones; see kneedrive.drills.catalogue.load_catalogue). `ground_known`:
    False when the camera moved and its motion could not be measured; `real_time`: False for slowed footage
    of unknown capture rate (drills.recognize)."""
    catalogue = load_catalogue() if catalogue is None else catalogue
    names = catalogue.table.names
    check_drill_id(drill, catalogue.table.ids)
    kin = _levelled(kin)
    windows = find_reps(kin)
    warnings = []
    if not windows:
        # A short clip of continuous running has no rest to frame it: take the whole clip.
        windows = [RepWindow(0, kin.n_frames, "both", 1.0)]
    features = clip_features(kin, windows)
    recognition = recognize(features, catalogue.rules, ground_known=ground_known, real_time=real_time)
    sparse = too_few_frames_per_step(kin.step_frequency_estimate_hz, kin.fps_hz)
    if drill == AUTO and sparse is not None:  # the legs' cycle is sampled too coarsely to tell drills apart
        drill_id, confidence, decided_by = recognition.drill_id, recognition.confidence, "unsure"
        runner_up, second = recognition.ranking[1]
        warnings.append(
            f"unsure what the athlete is doing: {sparse}; best guesses {names[drill_id]} ({confidence:.2f}) or "
            f"{names[runner_up]} ({second:.2f}); figures are measured as {names[drill_id]} but not judged as it: "
            "name the drill with --drill"
        )
    elif drill == AUTO:
        drill_id, confidence = recognition.drill_id, recognition.confidence
        decided_by = "unsure" if recognition.unsure else "auto"
        if recognition.unsure:
            runner_up, second = recognition.ranking[1]
            poor = recognition.penalty > catalogue.rules.unsure_above_penalty
            why = "fits no drill well" if poor else "fits two drills about as well"
            warnings.append(
                f"unsure what the athlete is doing: the clip {why}; best guesses {names[drill_id]} "
                f"({confidence:.2f}) or {names[runner_up]} ({second:.2f}); figures are measured as "
                f"{names[drill_id]} but not judged as it: name the drill with --drill"
            )
    else:
        drill_id, decided_by = drill, "given"
        confidence = dict(recognition.ranking)[drill]
    spec = catalogue.table.spec(drill_id)
    reps = [measure_rep(kin, w, i + 1, spec) for i, w in enumerate(windows)]
    if drill == AUTO and not spec.gait and not any(r.cycles for r in reps):
        found = _next_guess_with_cycles(kin, windows, recognition, catalogue, drill_id)
        if found is not None:  # the best guess's defining cycle is not in the clip: it was the wrong guess
            guess, spec, reps = found
            warnings = [w for w in warnings if not w.startswith("unsure what the athlete is doing")]
            warnings.append(
                f"unsure what the athlete is doing: the clip looks most like {names[drill_id]} ({confidence:.2f}) "
                f"but no complete {names[drill_id]} cycle is in it; measured as the next guess, {names[guess]} "
                f"({dict(recognition.ranking)[guess]:.2f}), and not judged: name the drill with --drill"
            )
            drill_id, confidence, decided_by = guess, dict(recognition.ranking)[guess], "unsure"
    sides, asym = compare_sides(reps)
    if not spec.gait:  # a run's or a walk's rate comes from its touchdowns, once the events are known
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
        spec=spec,
    )


#: After a best guess with no complete cycle, this many next guesses of the ranking are tried.
NEXT_GUESSES = 3


def _next_guess_with_cycles(
    kin: Kinematics,
    windows: list[RepWindow],
    recognition: Recognition,
    catalogue: DrillCatalogue,
    best: str,
) -> tuple[str, DrillSpec, list[Rep]] | None:
    """The first of the ranking's next guesses whose cycles the clip holds (a gait's are its steps, found
    later, so it is taken as it is), with its spec and reps; None when none does."""
    for guess, _ in [r for r in recognition.ranking if r[0] != best][:NEXT_GUESSES]:
        spec = catalogue.table.spec(guess)
        reps = [measure_rep(kin, w, i + 1, spec) for i, w in enumerate(windows)]
        if spec.gait or any(r.cycles for r in reps):
            return guess, spec, reps
    return None


def remeasured(result: DrillResult, kin: Kinematics) -> DrillResult:
    """The same drill, its reps measured again on `kin`: the same clip with some rows' legs relabelled
    (events.alternation). What the athlete is doing does not depend on which leg is called left, so it is
    not recognized again (on the panning race, before the ground-line features were left out for a camera
    moving unmeasured, a relabelling of 35 frames moved the recognizer from sprint to butt kicks)."""
    kin = _levelled(kin)
    windows = find_reps(kin) or [RepWindow(0, kin.n_frames, "both", 1.0)]
    reps = [measure_rep(kin, w, i + 1, result.spec) for i, w in enumerate(windows)]
    sides, asym = compare_sides(reps)
    return replace(result, reps=tuple(reps), sides=sides, asymmetry_pct=asym)


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


def with_step_rate(drill: DrillResult, touchdowns: dict[str, list[float]], *, real_time: bool = True) -> DrillResult:
    """A run's reps timed by its touchdowns instead of its knee drives: cycles are steps, the rate is
    one foot's strides per second, and the decay (rate_decay_pct) is that of the stride times, each
    foot's own (median of the feet, strides within 0.7-1.4x the typical one), so that a far foot the
    pose model loses does not read as slowing down; the warnings say it is the stride time (none when the
    clip's time is not real time: the decay is then withheld, kneedrive.metrics.honesty)."""
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
    said = tuple(stride_decay_warnings(reps)) if real_time else ()
    return replace(drill, reps=tuple(reps), warnings=drill.warnings + said)


def stride_decay_warnings(reps: list[Rep]) -> list[str]:
    """A run's slowing, said as what it was measured from: its stride times (with_step_rate)."""
    out = []
    for rep in reps:
        if rep.decayed and rep.rate_decay_pct is not None:
            longer = 100.0 / (1.0 - rep.rate_decay_pct / 100.0) - 100.0
            out.append(
                f"rep {rep.index}: the stride time (touchdown to touchdown of the same foot) grew {longer:.0f}% "
                f"from the first to the last third of the run (step rate -{rep.rate_decay_pct:.0f}%): "
                "stop the rep when the speed lags"
            )
    return out

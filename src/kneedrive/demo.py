"""The built-in demo: a synthetic sprinter (or drill session) with known truth, analyzed end to end.

`run_demo` builds the clip from the project's own models (`drills/sprinter.py`, `drills/generator.py`) with
camera artefacts (jitter, left/right swaps, dropouts), analyzes it like any keypoint file, and keeps the truth
next to the result so the two can be compared (`Demo.truth_line`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from .drills.catalogue import DRILL_IDS
from .drills.keyframes import DRILL_FAULTS, DrillSession
from .errors import InputError

if TYPE_CHECKING:
    from .analysis import Analysis
    from .drills.generator import DrillTruth
    from .drills.sprinter import SprintTruth
    from .sequence import PoseSequence

SPRINT = "sprint"
#: The demo's start from the blocks (drills/block_start.py): a sprint, accelerating.
START = "start"
#: Seconds of synthetic sprinting.
SPRINT_DURATION_S = 3.0
#: One seed for every demo: the same clip each time.
SEED = 1


@dataclass(frozen=True)
class Demo:
    """A synthetic clip, its analysis and the truth it was made from."""

    drill: str
    faults: tuple[str, ...]
    sequence: PoseSequence
    analysis: Analysis
    truth: SprintTruth | DrillTruth

    @property
    def title(self) -> str:
        who = {SPRINT: "sprinter", START: "start from the blocks"}.get(self.drill, self.drill)
        return f"synthetic {who}, faults: {', '.join(self.faults) or 'none'}"

    def truth_line(self) -> str:
        """The truth (and, for the sprint, the measured figures next to it) in one line."""
        from .drills.sprinter import SprintTruth

        truth = self.truth
        if isinstance(truth, SprintTruth):
            s = self.analysis.summary
            nan = float("nan")
            return (
                f"truth: speed {truth.speed_mps:.2f} m/s, cadence {truth.cadence_spm:.0f} spm, contact "
                f"{1000 * truth.contact_time_s['right']:.0f} ms, thigh peak {truth.thigh_angle_peak_deg:.0f} deg; "
                f"measured: {s.speed_mps or nan:.2f} m/s, {s.cadence_spm or nan:.0f} spm, "
                f"{1000 * (s.contact_time_s or nan):.0f} ms, {s.thigh_angle_peak_deg or nan:.0f} deg"
            )
        return "truth: " + "; ".join(
            f"rep {i + 1} {r.side} {r.start_s:.1f}-{r.end_s:.1f} s, {r.cycles} cycles"
            + (f", decay {r.rate_decay_pct:.0f}%" if r.rate_decay_pct is not None else "")
            for i, r in enumerate(truth.reps)
        )


def run_demo(drill: str = SPRINT, faults: Sequence[str] = (), *, fps_hz: float = 240.0) -> Demo:
    """Synthesize and analyze the demo clip: `drill` is "sprint", "start" (from the blocks) or a drill id,
    `faults` injected technique faults (the sprinter's `drills.sprinter.FAULTS`, a drill's
    `drills.catalogue.DRILL_FAULTS`)."""
    from .analysis import analyze
    from .drills.camera import Artefacts

    if fps_hz <= 0:
        raise InputError(f"the frame rate must be positive, got {fps_hz:g} fps")
    if drill == SPRINT:
        from .drills.sprinter import FAULTS, SprinterModel, synthesize, with_faults

        unknown = [f for f in faults if f not in FAULTS]
        if unknown:
            raise InputError(f"unknown fault {unknown[0]!r}; known: {', '.join(FAULTS)}")
        model = with_faults(SprinterModel(), *faults)
        sprint = synthesize(
            model,
            fps_hz=fps_hz,
            duration_s=SPRINT_DURATION_S,
            seed=SEED,
            artefacts=Artefacts(jitter_px=1.0, swap_fraction=0.05, dropout_fraction=0.02),
        )
        result = analyze(sprint.sequence, athlete_height_m=model.body.height_m)
        return Demo(SPRINT, tuple(faults), sprint.sequence, result, sprint.truth)

    if drill == START:
        from .drills.block_start import BlockStartModel, synthesize_start

        if faults:
            raise InputError("the start from the blocks takes no injected faults")
        start_model = BlockStartModel()
        start, _ = synthesize_start(
            start_model,
            fps_hz=fps_hz,
            duration_s=SPRINT_DURATION_S,
            seed=SEED,
            artefacts=Artefacts(jitter_px=1.0, swap_fraction=0.05, dropout_fraction=0.02),
        )
        result = analyze(start.sequence, athlete_height_m=start_model.body.height_m)
        return Demo(START, (), start.sequence, result, start.truth)

    from .drills.generator import synthesize_drill
    from .drills.keyframes import MODELS

    if drill not in DRILL_IDS:
        raise InputError(f"unknown drill {drill!r}; known: {', '.join(DRILL_IDS)}")
    if drill not in MODELS:  # named and measured from real clips, but the demo has no synthetic model of it
        raise InputError(f"the demo has no synthetic {drill!r}; it shows: {', '.join((SPRINT, *MODELS))}")
    session = DrillSession(drill)
    for name in faults:
        if name not in DRILL_FAULTS:
            raise InputError(f"unknown drill fault {name!r}; known: {', '.join(DRILL_FAULTS)}")
        session = replace(session, **DRILL_FAULTS[name])  # type: ignore[arg-type]
    session_clip = synthesize_drill(
        session,
        fps_hz=fps_hz,
        seed=SEED,
        artefacts=Artefacts(jitter_px=1.0, swap_fraction=0.03, dropout_fraction=0.02),
    )
    result = analyze(session_clip.sequence, athlete_height_m=session.height_m)
    return Demo(drill, tuple(faults), session_clip.sequence, result, session_clip.truth)

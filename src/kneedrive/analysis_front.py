"""The analysis of a front (or oblique) view: no sagittal figure, the front-view figures instead.

A front view shows neither the thigh angle nor how far ahead of the hips a foot lands: every sagittal
figure is withheld with one warning. A front view gets the frontal figures (metrics.frontal) and their
criteria; an oblique view gets neither (its angles are neither sagittal nor frontal). Both get their
touchdowns and the step rate: a planted foot is still in the image of a still camera (or in the ground frame
of a measured one) from any angle (events.front), and a rhythm needs no plane.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from .coaching.faults import NOT_JUDGED, Coaching, Judged, find_faults
from .drills.analyze import AUTO, DrillResult, analyze_drill
from .drills.recognize import load_rules
from .events.front import FrontStanceDetector
from .events.model import GaitEvent
from .io.video_record import frozen_map
from .kinematics import Kinematics
from .kinematics.frontal import front_kinematics
from .kinematics.view import ViewEstimate
from .metrics import summarize
from .metrics.frontal import FrontFigures, measure_front
from .metrics.honesty import Withheld
from .metrics.registry import registry
from .sequence import PoseSequence

#: Drills measured in a front view when the stances alone decide (the front view cannot tell a knee drive
#: from a step-up: both stand on one leg).
RUN, WALK, SINGLE_LEG = "sprint", "walk", "single_leg_knee_drive"


@dataclass(frozen=True)
class FrontParts:
    figures: FrontFigures | None
    drill: DrillResult
    coaching: Coaching
    unavailable: dict[str, str]
    warnings: list[str]
    withheld: list[Withheld]
    #: The running stances' touchdowns (front or oblique view), in time order.
    touchdowns: tuple[GaitEvent, ...] = ()


def sagittal_withheld(view: ViewEstimate) -> tuple[dict[str, str], str]:
    """Every sagittal figure as unavailable, and the one warning that says why."""
    why = f"{'an' if view.view == 'oblique' else 'a'} {view.view} view shows no sagittal plane ({view.evidence})"
    reg = registry()
    names = [*reg.names("summary"), *reg.names("step")]
    unavailable = dict.fromkeys(names, f"withheld: {why}")
    return unavailable, (
        f"{why}: thigh angles, knee lift, touchdown distance, contacts, step length and every other side-view "
        "figure are withheld" + ("; front-view figures instead" if view.view == "front" else "")
    )


def analyze_front(
    seq: PoseSequence,
    kin: Kinematics,
    view: ViewEstimate,
    drill: str,
    leg_length_m: float | None,
    *,
    real_time: bool = True,
) -> FrontParts:
    """The front-view stage, from the sequence (the front frame) and the sagittal kinematics (for the
    drill row only). `real_time=False`: the clip looks slowed, its step rate is not the real one."""
    unavailable, warning = sagittal_withheld(view)
    warnings = [warning]
    figures, withheld = None, []
    lateral = 1 if view.facing == "toward" else -1
    fk = front_kinematics(seq, lateral=lateral, leg_length_m=leg_length_m, cutoff_hz=kin.cutoff_hz)
    if view.view == "front":
        figures, front_withheld, front_warnings = measure_front(fk, facing=view.facing)
        withheld += front_withheld
        warnings += front_warnings
        found = [(st.side, st.touchdown_frame, st.touchdown_time_s) for st in figures.steps]
    else:  # oblique: no frontal figure, but the stances still show where the feet are still
        running, _ = FrontStanceDetector().detect(fk)
        found = [(st.side, st.touchdown_frame, float(fk.time_s[st.touchdown_frame])) for st in running]
    touchdowns = tuple(GaitEvent("left" if side == "left" else "right", "touchdown", i, t) for side, i, t in found)
    guess, decided_by, confidence = _activity(figures, drill)
    ranking: tuple[tuple[str, float], ...] = ((guess, confidence),)
    if guess == RUN and decided_by == "auto" and _steps_at_a_walks_rate(touchdowns, real_time):
        decided_by, confidence, ranking = "unsure", 0.5, ((RUN, 0.5), (WALK, 0.5))
        warnings.append(
            "unsure what the athlete is doing: the feet take turns at a walk's step rate, and from the front a "
            "walk and a slow run look alike (the hips' rise and fall against the legs' spread, which tells them "
            "apart from the side, is not seen): name it with --drill"
        )
    base = analyze_drill(kin, guess)
    drill_result = replace(
        base,
        decided_by=decided_by,
        confidence=confidence,
        ranking=ranking,
        reps=(),
        sides={},
        asymmetry_pct={},
        warnings=(),
    )
    if figures is None:
        coaching = Coaching(guess, (), ())
    elif decided_by == "unsure":  # as from the side: what is not known to be a run is not judged as one
        coaching = Coaching(guess, (), ())
        warnings.append(f"what the athlete is doing is unsure: {NOT_JUDGED}")
    else:
        empty = summarize([], fps_hz=kin.fps_hz, time_contacts=False, overall_speed=(None, None))
        coaching = find_faults(
            Judged(
                drill_id=guess,
                steps=(),
                reps=(),
                summary=empty,
                asymmetry_pct=frozen_map({}),
                fps_hz=kin.fps_hz,
                time_base_s=np.asarray(seq.time_s),
                front=figures,
            )
        )
    # the side-view criteria's "not judged without the figure" lines say nothing new after the warning above
    return FrontParts(
        figures, drill_result, replace(coaching, not_judged=()), unavailable, warnings, withheld, touchdowns
    )


def _steps_at_a_walks_rate(touchdowns: tuple[GaitEvent, ...], real_time: bool) -> bool:
    """The touchdowns come slower than a run's strides start (recognition.toml's sprint band): a walk, or a
    jog so slow that it could be one. Slowed footage of unknown capture rate says nothing (file time)."""
    if not real_time or len(touchdowns) < 3:
        return False
    step_s = float(np.median(np.diff([e.time_s for e in touchdowns])))
    slowest_run_stride_hz = load_rules().bands[RUN]["cycle_rate_hz"][0]
    return step_s > 0 and 1.0 / (2.0 * step_s) < slowest_run_stride_hz


def _activity(figures: FrontFigures | None, drill: str) -> tuple[str, str, float]:
    """(drill id, decided_by, confidence): given, or running when the feet take turns, single-leg work when
    one foot stays planted through dips of the hips."""
    if drill != AUTO:
        return drill, "given", 1.0
    if figures is not None and len(figures.steps) >= 2:
        turns = sum(a.side != b.side for a, b in zip(figures.steps, figures.steps[1:], strict=False))
        return RUN, "auto", turns / (len(figures.steps) - 1)
    if figures is not None and figures.reps:
        return SINGLE_LEG, "unsure", 0.5
    return RUN, "unsure", 0.0

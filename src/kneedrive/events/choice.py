"""Which event detector a clip's touchdowns come from.

The contact detector (feet on the ground: height and speed over the floor) is the default; it is the one
validated on lab data. On some phone clips it finds too few touchdowns, or the wrong feet: a far foot
hidden behind a treadmill console, a low frame rate (25 fps) where a contact is five frames. The feet's reach
ahead of and behind the hips (Zeni et al. 2008, `reach.py`) is then often still clean, since it needs no
floor. So both run, and each set of touchdowns is scored by how well it fits the step rhythm of the clip
(the rate from the ankles' own swing, `Kinematics.step_frequency_estimate_hz`): the share of the
touchdowns that rhythm implies that were found, times the share of successive touchdowns that change
foot. The foot-reach events are used only when the contact detector's fit is too poor to judge from (below
MIN_RHYTHM_FIT, the share under which technique is not judged) and theirs is better by MIN_GAIN, or when
the contacts' step rate is more than LEGS_RHYTHM_AGREEMENT off the legs' rhythm and the reach's is not
(touchdowns in pairs can fit the first score well and still double the steps); contact and flight times
are then not reported (on the synthetic sprinter the reach's toe-off made 110 ms contacts read 203 ms).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from ..kinematics import Kinematics
from .alternation import alternation_share
from .contacts import ContactDetector
from .ground import GroundLine
from .model import GaitEvent
from .reach import ReachDetector

#: Below this fit to the step rhythm the contact detector's touchdowns are not used when the foot-reach
#: ones fit better (metrics.honesty.MIN_TOUCHDOWN_COVERAGE: below 0.6 of the touchdowns nothing is judged).
MIN_RHYTHM_FIT = 0.6
#: ... by at least this much.
MIN_GAIN = 0.15
#: The step rate from a set of touchdowns may differ from the legs' own rhythm (the ankles' swing, which
#: needs no touchdown) by this share. Measured on the clips in the README's tables: within 1.6 % on the Dorn
#: lab trials, 0.2 % on the GaitLab treadmill, 1.1 % on the panning race, 4.5 % on the Sports2D walker, 6 %
#: on the synthetic sprints. The GaitLab treadmill mirrored at 25 fps, whose foot contacts come in pairs a
#: frame apart around gaps of 2 s (found share 0.91 times alternating share 0.76: a fit of 0.69), read 204
#: steps/min where the legs swing at 169 (+21 %).
LEGS_RHYTHM_AGREEMENT = 0.15


@dataclass(frozen=True)
class ChosenEvents:
    events: list[GaitEvent]
    ground: GroundLine
    #: Why the foot-reach events were used instead of the contacts (None: the contact detector's).
    note: str | None = None


def rhythm_fit(events: Sequence[GaitEvent], step_hz: float | None) -> float:
    """Found share of the touchdowns `step_hz` implies between the first and the last, times the share of
    successive touchdowns made by the other foot (0 to 1)."""
    touchdowns = sorted((e for e in events if e.kind == "touchdown"), key=lambda e: e.time_s)
    if step_hz is None or step_hz <= 0 or len(touchdowns) < 3:
        return 0.0
    expected = (touchdowns[-1].time_s - touchdowns[0].time_s) * step_hz + 1.0
    coverage = min(1.0, len(touchdowns) / expected)
    return coverage * alternation_share(touchdowns)


def off_the_legs(steps_hz: float | None, legs_hz: float | None) -> bool:
    """A step rate from touchdowns more than LEGS_RHYTHM_AGREEMENT away from the legs' rhythm (False when
    either is unknown: None, not finite or not positive)."""
    if steps_hz is None or legs_hz is None or not (steps_hz > 0 < legs_hz and math.isfinite(steps_hz + legs_hz)):
        return False
    return abs(steps_hz / legs_hz - 1.0) > LEGS_RHYTHM_AGREEMENT


def choose_events(kin: Kinematics, step_rate_hz: Callable[[Sequence[GaitEvent]], float | None]) -> ChosenEvents:
    """The contact detector's events, or the foot-reach detector's when they fit the rhythm much better, or
    when the contacts' step rate (`step_rate_hz` of a set of events: the summary's, metrics.summary, which
    comes after the events in the pipeline) is off the legs' rhythm and the reach's is not."""
    events, ground = ContactDetector().detect(kin)
    step_hz = kin.step_frequency_estimate_hz
    contact_fit = rhythm_fit(events, step_hz)
    off = off_the_legs(step_rate_hz(events), step_hz)
    if contact_fit >= MIN_RHYTHM_FIT and not off:
        return ChosenEvents(events, ground)
    reach_events, _ = ReachDetector().detect(kin)
    reach_fit = rhythm_fit(reach_events, step_hz)
    if contact_fit < MIN_RHYTHM_FIT and reach_fit >= contact_fit + MIN_GAIN:
        why = (
            f"the foot contacts fit the step rhythm poorly ({100 * contact_fit:.0f} % of the touchdowns it implies, "
            f"on alternating feet), the foot reach well ({100 * reach_fit:.0f} %)"
        )
    elif off and reach_fit >= MIN_RHYTHM_FIT and not off_the_legs(step_rate_hz(reach_events), step_hz):
        why = (
            f"the foot contacts give {60 * (step_rate_hz(events) or 0.0):.0f} steps/min where the legs swing at "
            f"{60 * (step_hz or 0.0):.0f}, the foot reach agrees with the legs"
        )
    else:
        return ChosenEvents(events, ground)
    note = (
        f"touchdowns and toe-offs are timed by how far each foot reaches ahead of and behind the hips (Zeni et "
        f"al. 2008): {why}; contact and flight times are not reported (a toe-off from the reach is approximate: "
        "in a sprint the foot keeps moving back after it leaves the ground)"
    )
    return ChosenEvents(reach_events, ground, note)

"""Which event detector a clip's touchdowns come from.

The contact detector (feet on the ground: height and speed over the floor) is the default; it is the one
validated on lab data. On some phone clips it finds too few touchdowns, or the wrong feet: a far foot
hidden behind a treadmill console, a low frame rate (25 fps) where a contact is five frames. The feet's reach
ahead of and behind the hips (Zeni et al. 2008, `reach.py`) is then often still clean, since it needs no
floor. So both run, and each set of touchdowns is scored by how well it fits the step rhythm of the clip
(the rate from the ankles' own swing, `Kinematics.step_frequency_estimate_hz`): the share of the
touchdowns that rhythm implies that were found, times the share of successive touchdowns that change
foot. The foot-reach events are used only when the contact detector's fit is too poor to judge from (below
MIN_RHYTHM_FIT, the share under which technique is not judged) and theirs is better by MIN_GAIN; contact
and flight times are then not reported (on the synthetic sprinter the reach's toe-off made 110 ms contacts
read 203 ms).
"""

from __future__ import annotations

from collections.abc import Sequence
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


def choose_events(kin: Kinematics) -> ChosenEvents:
    """The contact detector's events, or the foot-reach detector's when they fit the rhythm much better."""
    events, ground = ContactDetector().detect(kin)
    step_hz = kin.step_frequency_estimate_hz
    contact_fit = rhythm_fit(events, step_hz)
    if contact_fit >= MIN_RHYTHM_FIT:
        return ChosenEvents(events, ground)
    reach_events, _ = ReachDetector().detect(kin)
    reach_fit = rhythm_fit(reach_events, step_hz)
    if reach_fit < contact_fit + MIN_GAIN:
        return ChosenEvents(events, ground)
    note = (
        f"touchdowns and toe-offs are timed by how far each foot reaches ahead of and behind the hips (Zeni et "
        f"al. 2008): the foot contacts fit the step rhythm poorly ({100 * contact_fit:.0f} % of the touchdowns "
        f"it implies, on alternating feet), the foot reach well ({100 * reach_fit:.0f} %); contact and flight "
        "times are not reported (a toe-off from the reach is approximate: in a sprint the foot keeps moving "
        "back after it leaves the ground)"
    )
    return ChosenEvents(reach_events, ground, note)

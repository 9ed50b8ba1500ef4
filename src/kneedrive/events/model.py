"""Events: touchdown and toe-off of each foot."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

Side = Literal["left", "right"]
EventKind = Literal["touchdown", "toe_off"]
SIDES: tuple[Side, Side] = ("left", "right")


@dataclass(frozen=True)
class GaitEvent:
    """One foot event. `frame` is the nearest frame; `time_s` is sub-frame (interpolated)."""

    side: Side
    kind: EventKind
    frame: int
    time_s: float


@dataclass(frozen=True)
class ContactPhase:
    side: Side
    start: int  # first frame in contact
    end: int  # last frame in contact


#: Step rates a runner can have (Hz): the foot-reach detector looks for the stride period within them, and a
#: "swing" shorter than a share of the quickest stride (2 / 5.5 Hz = 0.36 s) is none (events.hand_over).
STEP_RATE_HZ = (1.2, 5.5)


def other(side: Side) -> Side:
    return "right" if side == "left" else "left"


#: Two touchdowns (of either foot) closer than this share of the typical step are one landing seen twice:
#: where runners cross, both feet seem to land a frame apart. The one that keeps the feet alternating stays.
#: (A runner's step varies by a few % from step to step; 0.4 of a step is no real step.) Used by the
#: foot-reach detector; tried on the contact detector too, where the hidden far foot of the GaitLab
#: treadmill runner lands with the near one: at 30 fps alternation rose from 0.83 to 0.91, but at 25 fps
#: and at 240 px wide the cadence moved from +0.1 to +2.6 % and too few touchdowns were left to judge.
MIN_STEP_SHARE = 0.4
#: Up to this share of the typical step, two touchdowns are one landing when one foot is clearly higher than
#: the other (LOWER_BY_LEGS): it is in the air. The mirrored panning race: the model's labels change places as
#: the right foot lands, and both the right foot at its reach (still 0.2 legs up) and the left label on the
#: landing foot make a touchdown, 0.46 of a step apart. (0.5 for all touchdowns merged real ones of the GaitLab
#: runner at 25 fps, whose hidden far foot is timed 0.45 of a step from the near one: 31 of 33 found.)
RAISED_STEP_SHARE = 0.6


#: Of two sightings of one landing, the foot lower by this much (leg lengths, against the hips) is the one on
#: the ground (keypoint jitter on a 110 px runner is a few hundredths).
LOWER_BY_LEGS = 0.1


def one_landing_each(
    events: list[GaitEvent],
    min_gap_s: float,
    *,
    with_toe_offs: bool = False,
    foot_height: Callable[[GaitEvent], float] | None = None,
    raised_gap_s: float = 0.0,
) -> list[GaitEvent]:
    """`events` (in time order) without the second sighting of each landing: of two touchdowns closer than
    `min_gap_s`, the one whose foot is lower by LOWER_BY_LEGS (`foot_height`: the touchdown's foot against
    the hips, leg lengths) stays; else the one whose foot differs from the touchdown before them (the earlier
    one when that does not decide either). Two closer than `raised_gap_s` are one landing only when one
    foot is clearly lower: it stays. `with_toe_offs`: a dropped touchdown's toe-off (the same foot's next)
    goes too."""
    touchdowns = [e for e in events if e.kind == "touchdown"]
    dropped: set[int] = set()
    kept: list[GaitEvent] = []
    for event in touchdowns:
        gap_s = event.time_s - kept[-1].time_s if kept else math.inf
        lower = _lower(kept[-1], event, foot_height) if gap_s < max(min_gap_s, raised_gap_s) else None
        if gap_s < min_gap_s or lower is not None:
            before = kept[-2].side if len(kept) >= 2 else None
            if lower is event or (
                lower is None and before is not None and kept[-1].side == before and event.side != before
            ):
                dropped.add(id(kept[-1]))
                kept[-1] = event
            else:
                dropped.add(id(event))
            continue
        kept.append(event)
    if with_toe_offs:
        for touchdown in [e for e in touchdowns if id(e) in dropped]:
            toe_off = next(
                (e for e in events if e.kind == "toe_off" and e.side == touchdown.side and e.time_s > touchdown.time_s),
                None,
            )
            later = [e for e in touchdowns if e.side == touchdown.side and e.time_s > touchdown.time_s]
            if toe_off is not None and (not later or toe_off.time_s < later[0].time_s):
                dropped.add(id(toe_off))
    return [e for e in events if id(e) not in dropped]


def _lower(first: GaitEvent, second: GaitEvent, foot_height: Callable[[GaitEvent], float] | None) -> GaitEvent | None:
    """Of two touchdowns, the one whose foot is clearly lower (None: neither, or no heights)."""
    if foot_height is None:
        return None
    a, b = foot_height(first), foot_height(second)
    if not (math.isfinite(a) and math.isfinite(b)) or abs(a - b) < LOWER_BY_LEGS:
        return None
    return first if a < b else second

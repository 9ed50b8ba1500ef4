"""Events: touchdown and toe-off of each foot."""

from __future__ import annotations

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


def other(side: Side) -> Side:
    return "right" if side == "left" else "left"

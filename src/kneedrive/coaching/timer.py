"""Session timer: a drill's dose as a schedule of work/switch/rest intervals, and a runner with an
injectable clock and sleep so it can be tested instantly."""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass

from ..errors import InputError
from .library import Exercise

SIDES = ("both", "left", "right", "none")
#: Seconds to get ready before the first interval, and to change legs between sides.
GET_READY_S = 5.0
SWITCH_S = 5.0


@dataclass(frozen=True)
class Interval:
    kind: str  # get_ready | work | switch | rest
    seconds: float
    set_index: int  # 1-based
    side: str | None = None

    def label(self) -> str:
        side = f" {self.side}" if self.side else ""
        return f"{self.kind}{side} {self.seconds:g} s"


def build_schedule(
    *, work_s: float, rest_s: float, sets: int, sides: str = "none", get_ready_s: float = GET_READY_S,
    switch_s: float = SWITCH_S,
) -> tuple[Interval, ...]:  # fmt: skip
    """Sets of work (per side: left then right, with a switch between) separated by rest."""
    for name, value in (("--work", work_s), ("--rest", rest_s), ("get-ready", get_ready_s), ("switch", switch_s)):
        if not math.isfinite(value) or value < 0:
            raise InputError(f"{name} must be a non-negative number of seconds, got {value}")
    if work_s <= 0:
        raise InputError(f"--work must be positive, got {work_s}")
    if sets < 1:
        raise InputError(f"--sets must be at least 1, got {sets}")
    if sides not in SIDES:
        raise InputError(f"--sides must be one of {', '.join(SIDES)}, got {sides!r}")
    order: tuple[str | None, ...] = {"both": ("left", "right"), "left": ("left",), "right": ("right",)}.get(
        sides, (None,)
    )
    out = [Interval("get_ready", get_ready_s, 1)] if get_ready_s > 0 else []
    for s in range(1, sets + 1):
        for i, side in enumerate(order):
            if i > 0 and switch_s > 0:
                out.append(Interval("switch", switch_s, s, side))
            out.append(Interval("work", work_s, s, side))
        if s < sets and rest_s > 0:
            out.append(Interval("rest", rest_s, s))
    return tuple(out)


def schedule_for(exercise: Exercise, *, sides: str | None = None, sets: int | None = None) -> tuple[Interval, ...]:
    """The library dose of a timed exercise as a schedule."""
    dose = exercise.dose
    if dose.time_s is None:
        raise InputError(
            f"{exercise.id} is dosed in {'reps' if dose.reps else 'distance'} ({dose.describe()}), not time; "
            "give --work/--rest/--sets"
        )
    chosen = sides or ("both" if dose.per_side else "none")
    return build_schedule(work_s=dose.time_s, rest_s=dose.rest_s, sets=sets or dose.sets, sides=chosen)


def total_s(schedule: tuple[Interval, ...]) -> float:
    return sum(i.seconds for i in schedule)


@dataclass(frozen=True)
class Tick:
    interval: Interval
    number: int  # 0-based index in the schedule
    remaining_s: float


def run_schedule(
    schedule: tuple[Interval, ...],
    *,
    on_tick: Callable[[Tick], None],
    on_start: Callable[[Interval], None],
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
    tick_s: float = 0.1,
) -> int:
    """Run the intervals against `clock`, calling `on_start` at each interval's start (cues) and
    `on_tick` about every `tick_s`. Deadlines are absolute, so time does not drift across intervals.
    Returns the number of completed intervals. KeyboardInterrupt propagates to the caller."""
    deadline = clock()
    for n, interval in enumerate(schedule):
        deadline += interval.seconds
        on_start(interval)
        while (remaining := deadline - clock()) > 0:
            on_tick(Tick(interval, n, remaining))
            sleep(min(tick_s, remaining))
        on_tick(Tick(interval, n, 0.0))
    return len(schedule)

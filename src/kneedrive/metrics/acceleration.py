"""Is the clip an acceleration? The hips' speed over the clip's last steps against its first ones."""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass

from .steps import Step


@dataclass(frozen=True)
class SpeedRise:
    """Per-step speed (step length / step time, leg lengths per second) at the start and at the end of
    the clip (the median of its first and of its last two steps), and the rise between them."""

    first_legs_per_s: float
    last_legs_per_s: float
    steps: int

    @property
    def rise(self) -> float:
        return self.last_legs_per_s / self.first_legs_per_s - 1.0

    def describe(self) -> str:
        return (
            f"the hips' speed rose {self.rise * 100:.0f} % over {self.steps} steps "
            f"({self.first_legs_per_s:.2f} to {self.last_legs_per_s:.2f} leg lengths/s)"
        )


def speed_rise(steps: Sequence[Step], *, min_steps: int = 4) -> SpeedRise | None:
    """None: fewer than `min_steps` steps with a length and a time (nothing to tell)."""
    speeds = [
        s.step_length_legs / s.step_time_s
        for s in sorted(steps, key=lambda s: s.touchdown_time_s)
        if s.step_length_legs is not None and s.step_time_s
    ]
    if len(speeds) < max(min_steps, 2):
        return None
    first, last = statistics.median(speeds[:2]), statistics.median(speeds[-2:])
    if first <= 0:
        return None
    return SpeedRise(first, last, len(speeds))


def speed_rise_pct(steps: Sequence[Step], *, min_steps: int = 4) -> float | None:
    """The summary's speed_rise_pct (None: see speed_rise)."""
    rise = speed_rise(steps, min_steps=min_steps)
    return None if rise is None else 100.0 * rise.rise

"""Which frames a kinogram shows: the positions of each stride per side (kneedrive.events.phases), the
stride shown (the most typical, or one the coach chose) and the kind of kinogram (maximal velocity, or
acceleration when the clip is one). Picked once by the analysis and stored in the record, so that a
loaded analysis draws the same frames.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, Literal

from ..errors import InputError
from .model import SIDES, GaitEvent
from .phases import ACCELERATION_POSITIONS, POSITIONS, Motion, StridePhases, acceleration_phases, stride_phases
from .phases import typical_stride as most_typical

KinogramKind = Literal["max_velocity", "acceleration"]
#: One stride's positions: position -> (input frame, time) or None where it was not found.
StridePositions = Mapping[str, tuple[int, float] | None]


@dataclass(frozen=True)
class Kinogram:
    """`strides[side]`: every stride of the side (one per touch-down, in time order); `shown[side]`: the
    index of the stride drawn; `typical[side]`: of the most typical one; `chosen`: the stride number
    (1-based) the coach asked for, None for the default."""

    kind: KinogramKind
    positions: tuple[str, ...]
    strides: Mapping[str, tuple[StridePositions, ...]]
    typical: Mapping[str, int | None]
    shown: Mapping[str, int | None]
    chosen: int | None = None
    why: str = ""  # the evidence for an acceleration

    def shown_positions(self, side: str) -> StridePositions | None:
        index = self.shown.get(side)
        return None if index is None else self.strides[side][index]

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "positions": list(self.positions),
            "why": self.why,
            "chosen": self.chosen,
            "typical": dict(self.typical),
            "shown": dict(self.shown),
            "strides": {
                side: [
                    {p: None if v is None else {"frame": v[0], "time_s": v[1]} for p, v in stride.items()}
                    for stride in self.strides[side]
                ]
                for side in SIDES
            },
        }

    @classmethod
    def from_dict(cls, doc: Mapping[str, Any]) -> Kinogram:
        def stride(raw: Mapping[str, Any]) -> StridePositions:
            return MappingProxyType(
                {p: None if v is None else (int(v["frame"]), float(v["time_s"])) for p, v in raw.items()}
            )

        return cls(
            kind=doc["kind"],
            positions=tuple(doc["positions"]),
            strides=MappingProxyType({s: tuple(stride(x) for x in doc["strides"][s]) for s in SIDES}),
            typical=MappingProxyType(dict(doc["typical"])),
            shown=MappingProxyType(dict(doc["shown"])),
            chosen=doc.get("chosen"),
            why=str(doc.get("why", "")),
        )


def _positions(stride: StridePhases) -> StridePositions:
    out: dict[str, tuple[int, float] | None] = {}
    for p, frame in stride.frames.items():
        t = stride.times_s[p]
        out[p] = None if frame is None or t is None else (frame, t)
    return MappingProxyType(out)


def stride_count(strides: Mapping[str, Sequence[Any]]) -> int:
    """How many strides a coach can choose from: the number both sides have."""
    counts = [len(strides[s]) for s in SIDES if strides[s]]
    return min(counts) if counts else 0


def plan_kinogram(
    motion: Motion,
    events: Sequence[GaitEvent],
    *,
    acceleration: bool = False,
    why: str = "",
    stride: int | None = None,
) -> Kinogram:
    """The kinogram of a sprint (`acceleration`: of an acceleration, whose default stride is each side's
    first complete one: the start, which the coach films it for). `stride` (1-based, the same number for
    both sides) replaces the default; out of range, an InputError names the valid range."""
    phases = acceleration_phases(motion, events) if acceleration else stride_phases(motion, events)
    n = stride_count(phases)
    if stride is not None and not 1 <= stride <= n:
        valid = "none (no complete stride)" if n == 0 else f"1 to {n}"
        raise InputError(f"--kinogram-stride must be {valid} for this clip ({n} strides per side), got {stride}")
    typical: dict[str, int | None] = {}
    for side in SIDES:
        complete = [i for i, s in enumerate(phases[side]) if s.complete]
        typical[side] = (complete[0] if complete else None) if acceleration else most_typical(phases[side])
    shown: dict[str, int | None] = dict(typical) if stride is None else {side: stride - 1 for side in SIDES}
    return Kinogram(
        kind="acceleration" if acceleration else "max_velocity",
        positions=ACCELERATION_POSITIONS if acceleration else POSITIONS,
        strides=MappingProxyType({s: tuple(_positions(x) for x in phases[s]) for s in SIDES}),
        typical=MappingProxyType(typical),
        shown=MappingProxyType(shown),
        chosen=stride,
        why=why,
    )

"""Which unit a summary row is shown in."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..metrics.registry import registry

if TYPE_CHECKING:
    from ..record import AnalysisRecord


def in_legs_without_scale(record: AnalysisRecord, name: str) -> str:
    """A distance or speed row in metres, or its leg-length twin when only the twin was measured (no scale
    given): "-" in metres next to a left/right difference would hide figures that passed."""
    if name.endswith("_mps"):
        twin = name.removesuffix("_mps") + "_legs_per_s"
    elif name.endswith("_m"):
        twin = name.removesuffix("_m") + "_legs"
    else:
        return name
    if twin not in registry():
        return name
    values = (getattr(record.summary, name, None), *(record.sides[side].get(name) for side in ("left", "right")))
    twins = (getattr(record.summary, twin, None), *(record.sides[side].get(twin) for side in ("left", "right")))
    return twin if all(v is None for v in values) and any(v is not None for v in twins) else name

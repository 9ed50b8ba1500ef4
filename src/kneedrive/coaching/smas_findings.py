"""The S-MAS items that fired, as coaching findings beside the criteria's faults.

Built from the score alone (its calls are made on figures that passed the honesty checks; an analysis
that is not judged has no score), with the item's cue and drills from the data file, or its criterion's
when it has one (one target, one cue). An item that reports what a criterion fault already reports
(forward lean and `hunched_sprint`, foot ahead of the centre of mass and `overstride_sprint`) points at
that fault (`same_as`) instead of making a second one.
"""

from __future__ import annotations

from collections.abc import Sequence
from types import MappingProxyType

from ..events.model import SIDES
from .criteria import load_criteria
from .faults import Fault
from .smas import ItemResult, Smas, SmasFinding, SmasRules, load_smas


def _frames(item: ItemResult, side: str) -> list[int]:
    call = item.sides[side]
    return [f for f, bad in zip(call.frames, call.stride_faults, strict=False) if bad]


def finding(item: ItemResult, rules: SmasRules, faults: Sequence[Fault]) -> SmasFinding:
    rule = next(r for r in rules.items if r.id == item.id)
    cue, drills = rule.cue, rule.prescribe
    if rule.criterion is not None:
        criterion = next(c for c in load_criteria() if c.id == rule.criterion)
        cue, drills = criterion.cue, criterion.prescribe
    same = next((f.id for f in faults if rule.criterion is not None and f.criterion == rule.criterion), "")
    sides = tuple(s for s in SIDES if item.sides[s].fault)
    frames = sorted({f for s in sides for f in _frames(item, s)} or {f for s in sides for f in item.sides[s].frames})
    return SmasFinding(
        id=item.id,
        name=item.name,
        phase=item.phase,
        sides=sides,
        values=MappingProxyType({s: item.sides[s].value for s in sides}),
        threshold=item.threshold,
        fault_when=item.fault_when,
        frames=tuple(frames),
        cue=cue,
        drills=tuple(drills),
        source=rule.source,
        criterion=rule.criterion or "",
        same_as=same,
    )


def smas_findings(smas: Smas, faults: Sequence[Fault], *, rules: SmasRules | None = None) -> tuple[SmasFinding, ...]:
    """One finding per fired item, in the paper's order."""
    rules = load_smas() if rules is None else rules
    return tuple(finding(item, rules, faults) for item in smas.fired())

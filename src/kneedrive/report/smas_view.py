"""The report's S-MAS section: the 12 items per side with the frames, the value against the threshold,
the total with its band, the items that fired as findings (cue and drills from the library), and the
two kinograms. From the record alone (and the shipped rules for the cues)."""

from __future__ import annotations

import base64
from collections.abc import Mapping
from typing import Any

from ..coaching.criteria import load_criteria
from ..coaching.smas import ItemResult, SideCall, load_smas
from ..events.phases import POSITION_LABELS
from ..metrics.registry import registry
from ..record import AnalysisRecord

#: Frames listed per cell before "..." (the JSON has them all).
FRAMES_SHOWN = 4


def _shown(figure: str | None, value: float | None) -> str:
    if figure is None or value is None:
        return "–"
    metric = registry()[figure]
    unit = metric.display
    text = metric.shown(value)
    return f"{text}{unit}" if unit == "°" else f"{text} {unit}".strip()


def _cell(item: ItemResult, call: SideCall) -> dict[str, str]:
    frames = ", ".join(str(f) for f in call.frames[:FRAMES_SHOWN]) + (" ..." if len(call.frames) > FRAMES_SHOWN else "")
    verdict = "not scored" if call.fault is None else "fault" if call.fault else "ok"
    return {"verdict": verdict, "value": _shown(item.figure, call.value), "frames": frames}


def _finding(item: ItemResult, library: Mapping[str, Mapping[str, str]]) -> dict[str, Any]:
    rule = next(r for r in load_smas().items if r.id == item.id)
    cue, prescribe = rule.cue, rule.prescribe
    if rule.criterion is not None:  # one target, one cue: the criterion's
        criterion = next(c for c in load_criteria() if c.id == rule.criterion)
        cue, prescribe = criterion.cue, criterion.prescribe
    sides = [s for s in ("left", "right") if item.sides[s].fault]
    return {
        "id": item.id,
        "name": item.name,
        "sides": " and ".join(sides),
        "cue": cue,
        "criterion": rule.criterion or "",
        "drills": [
            {
                "name": (library.get(d) or {}).get("name", d.replace("_", " ")),
                "dose": (library.get(d) or {}).get("dose", ""),
            }
            for d in prescribe
        ],
    }


def smas_context(
    record: AnalysisRecord, library: Mapping[str, Mapping[str, str]], kinograms: Mapping[str, bytes]
) -> dict[str, Any] | None:
    """The template's `smas` (None: the analysis has no S-MAS)."""
    smas = record.smas
    if smas is None:
        return None
    rows = []
    for item in smas.items:
        fault_when = {"above": "fault above", "below": "fault below"}.get(item.fault_when, "")
        rows.append(
            {
                "id": item.id,
                "name": item.name,
                "phase": POSITION_LABELS[item.phase],
                "threshold": "" if item.threshold is None else f"{fault_when} {_shown(item.figure, item.threshold)}",
                "label": "" if item.figure is None else registry()[item.figure].label,
                "not_scored": item.not_scored,
                "left": _cell(item, item.sides["left"]),
                "right": _cell(item, item.sides["right"]),
            }
        )
    rules = load_smas()
    low, high = smas.total_range
    return {
        "total": smas.total,
        "scored": smas.scored,
        "out_of": len(smas.items),
        "band": smas.band,
        "sides": {s: smas.sides[s] for s in ("left", "right")},
        "range": "" if low == high else f"{low}-{high}",
        "norms": "; ".join(f"{who} {m:.1f} ± {sd:.1f}" for who, (m, sd) in rules.norms.items()),
        "source": rules.source,
        "rows": rows,
        "findings": [_finding(i, library) for i in smas.fired()],
        "kinograms": [
            {"side": side, "uri": "data:image/png;base64," + base64.b64encode(png).decode("ascii")}
            for side, png in kinograms.items()
        ],
    }

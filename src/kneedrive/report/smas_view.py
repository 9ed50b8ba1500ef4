"""The report's S-MAS section: the 12 items per side with the frames, the value against the threshold,
the total with its band, the items that fired as findings (cue and drills from the library), and the
two kinograms. From the record alone (and the shipped rules for the cues)."""

from __future__ import annotations

import base64
from collections.abc import Mapping
from typing import Any

from ..coaching.smas import ItemResult, SideCall, SmasFinding, load_smas
from ..events.phases import POSITION_LABELS, POSITIONS
from ..metrics.registry import registry
from ..record import AnalysisRecord

#: Frames listed per cell before "..." (the JSON has them all).
FRAMES_SHOWN = 4


def _shown(figure: str | None, value: float | None) -> str:
    if figure is None or value is None:
        return "–"
    metric = registry().metrics.get(figure)
    if metric is None:  # an analysis saved by an older version, with a figure since renamed
        return f"{value:.3g}"
    unit = metric.display
    text = metric.shown(value)
    return f"{text}{unit}" if unit == "°" else f"{text} {unit}".strip()


def _cell(item: ItemResult, call: SideCall) -> dict[str, str]:
    frames = ", ".join(str(f) for f in call.frames[:FRAMES_SHOWN]) + (" ..." if len(call.frames) > FRAMES_SHOWN else "")
    verdict = "not scored" if call.fault is None else "fault" if call.fault else "ok"
    return {"verdict": verdict, "value": _shown(item.figure, call.value), "frames": frames}


def _finding(f: SmasFinding, library: Mapping[str, Mapping[str, str]], faults: Mapping[str, str]) -> dict[str, Any]:
    """A fired item (the record's typed finding) for the template; `faults`: fault id -> title."""
    when = {"above": "fault above", "below": "fault below"}.get(f.fault_when, "")
    figure = next((i.figure for i in load_smas().items if i.id == f.id), None)
    values = ", ".join(f"{side} {_shown(figure, f.values.get(side))}" for side in f.sides)
    frames = ", ".join(str(x) for x in f.frames[: FRAMES_SHOWN * 2]) + (
        " ..." if len(f.frames) > FRAMES_SHOWN * 2 else ""
    )
    return {
        "id": f.id,
        "name": f.name,
        "phase": POSITION_LABELS.get(f.phase, f.phase),
        "sides": " and ".join(f.sides),
        "measured": f"{values} ({when} {_shown(figure, f.threshold)})" if f.threshold is not None else values,
        "frames": frames,
        "cue": f.cue,
        "criterion": f.criterion,
        "same_as": f.same_as,
        "same_as_title": faults.get(f.same_as, ""),
        "drills": [
            {
                "name": (library.get(d) or {}).get("name", d.replace("_", " ")),
                "dose": (library.get(d) or {}).get("dose", ""),
            }
            for d in f.drills
        ],
    }


def kinogram_figures(record: AnalysisRecord, kinograms: Mapping[str, bytes]) -> list[dict[str, str]]:
    """The kinogram images for the template, each with its positions as alt text."""
    plan = record.kinogram
    names = POSITIONS if plan is None else plan.positions
    kind = "Acceleration kinogram" if plan is not None and plan.kind == "acceleration" else "Kinogram"
    return [
        {
            "side": side,
            "title": f"{kind}, {side} leg",
            "alt": f"{kind}, {side} leg: " + ", ".join(POSITION_LABELS[p].lower() for p in names),
            "uri": "data:image/png;base64," + base64.b64encode(png).decode("ascii"),
        }
        for side, png in kinograms.items()
    ]


def smas_context(
    record: AnalysisRecord, library: Mapping[str, Mapping[str, str]], kinograms: Mapping[str, bytes]
) -> dict[str, Any] | None:
    """The template's `smas` (None: the analysis has no S-MAS)."""
    smas = record.smas
    if smas is None:
        return None
    rows = []
    rules = {r.id: r for r in load_smas().items}
    for item in smas.items:
        fault_when = {"above": "fault above", "below": "fault below"}.get(item.fault_when, "")
        rule = rules.get(item.id)
        also = ""
        if rule is not None and rule.and_figure is not None and rule.and_max is not None:
            also = f", with {registry()[rule.and_figure].label.lower()} at most {_shown(rule.and_figure, rule.and_max)}"
        rows.append(
            {
                "id": item.id,
                "name": item.name,
                "definition": "" if rule is None else rule.definition,
                "phase": POSITION_LABELS[item.phase],
                "threshold": ""
                if item.threshold is None
                else f"{fault_when} {_shown(item.figure, item.threshold)}{also}",
                "label": ""
                if item.figure is None or item.figure not in registry().metrics
                else registry()[item.figure].label,
                "not_scored": item.not_scored,
                "left": _cell(item, item.sides["left"]),
                "right": _cell(item, item.sides["right"]),
            }
        )
    low, high = smas.total_range
    return {
        "total": smas.total,
        "scored": smas.scored,
        "out_of": len(smas.items),
        "band": smas.band,
        "sides": {s: smas.sides[s] for s in ("left", "right")},
        "range": "" if low == high else f"{low}-{high}",
        "norms": "; ".join(f"{who} {m:.1f} ± {sd:.1f}" for who, (m, sd) in load_smas().norms.items()),
        "source": load_smas().source,
        "rows": rows,
        "findings": [_finding(f, library, {x.id: x.title for x in record.coaching.faults}) for f in smas.findings],
        "kinograms": kinogram_figures(record, kinograms),
    }

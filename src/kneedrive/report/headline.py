"""The headline's "three most important findings": the coaching faults when there are any, else the
figures against the targets and reference values of coaching/data/references.toml."""

from __future__ import annotations

from ..coaching.faults import NOT_JUDGED
from ..coaching.references import load_references
from ..record import AnalysisRecord
from .drill_view import drill_findings
from .findings import (
    SEVERITY_RANK,
    Finding,
    asymmetry_findings,
    fault_finding,
    is_sprinting,
    reference_finding,
    weaker_side,
)


def top_findings(record: AnalysisRecord, count: int = 3) -> list[Finding]:
    """The `count` most important findings: coaching faults when present, else reference deviations
    (the closest-to-target figures fill up the list when fewer deviate)."""
    faults = record.coaching.faults
    if not faults and any(w.endswith(NOT_JUDGED) for w in record.warnings):
        return []  # slowed, unsure or too incomplete: no reference comparison passes for a finding either
    if faults:
        ranked = sorted(faults, key=lambda f: SEVERITY_RANK.get(f.severity, 3))
        return [fault_finding(f) for f in ranked[:count]]
    if record.is_drill:
        return sorted(drill_findings(record), key=lambda f: -f.importance)[:count]
    sprinting = is_sprinting(record)
    candidates = []
    for ref in load_references().for_drill("sprint"):
        value = getattr(record.summary, ref.metric.name) if ref.scope == "summary" else weaker_side(record, ref)
        if value is not None and (sprinting or not ref.sprint_only):
            candidates.append(reference_finding(ref, float(value)))
    candidates += asymmetry_findings(record)
    return sorted(candidates, key=lambda f: -f.importance)[:count]

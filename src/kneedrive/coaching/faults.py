"""Faults and praise from an analysis JSON document (live or a saved analysis.json).

Robust by design: a criterion is judged on the median over steps (or reps), and a fault also needs
at least `min_evidence` steps/reps that breach the target, so one noisy step never invents a
fault. Missing (null) metrics give neither a fault nor praise.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from typing import Any

from .criteria import SEVERITIES, Criterion, load_criteria
from .library import SEED_FILES

#: Step metrics measured at the top of the knee lift are timed there, the rest at touchdown.
KNEE_LIFT_METRICS = frozenset(
    {"thigh_angle_peak_deg", "hip_flexion_peak_deg", "ankle_dorsiflexion_knee_lift_deg", "foot_under_knee_shanks",
     "foot_angle_knee_lift_deg", "heel_recovery_height_legs", "heel_recovery_height_m"}
)  # fmt: skip


@dataclass(frozen=True)
class Observation:
    """One step's or rep's value, with where it happened."""

    index: int
    value: float
    time_s: float | None
    frame: int | None


@dataclass(frozen=True)
class Evidence:
    unit: str  # "steps" | "reps"
    indices: tuple[int, ...]
    times_s: tuple[float, ...]
    frames: tuple[int, ...]
    values: tuple[float, ...]


@dataclass(frozen=True)
class Fault:
    id: str
    criterion: str
    title: str
    severity: str
    metric: str
    value: float
    target_min: float | None
    target_max: float | None
    units: str
    evidence: Evidence
    cue: str
    drills: tuple[str, ...]
    sources: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "criterion": self.criterion,
            "title": self.title,
            "severity": self.severity,
            "metric": self.metric,
            "value": self.value,
            "target": {"min": self.target_min, "max": self.target_max, "units": self.units},
            "evidence": {
                self.evidence.unit: list(self.evidence.indices),
                "times_s": list(self.evidence.times_s),
                "frames": list(self.evidence.frames),
                "values": list(self.evidence.values),
            },
            "cue": self.cue,
            "drills": list(self.drills),
            "source": SEED_FILES[self.sources[0]],
            "sources": [SEED_FILES[s] for s in self.sources],
        }


@dataclass(frozen=True)
class Praise:
    criterion: str
    metric: str
    value: float
    message: str

    def to_dict(self) -> dict[str, Any]:
        return {"criterion": self.criterion, "metric": self.metric, "value": self.value, "message": self.message}


@dataclass(frozen=True)
class Coaching:
    drill: str
    faults: tuple[Fault, ...]
    praise: tuple[Praise, ...]


def drill_of(doc: dict[str, Any]) -> str:
    drill = doc.get("drill") or {}
    return str(drill.get("id") or "sprint")


def _frame_origin_s(doc: dict[str, Any]) -> float:
    for event in doc.get("events") or []:
        fps = (doc.get("input") or {}).get("fps_hz")
        if fps and event.get("frame") is not None:
            return float(event["time_s"]) - float(event["frame"]) / float(fps)
    return 0.0


def _frame(doc: dict[str, Any], t: float | None) -> int | None:
    fps = (doc.get("input") or {}).get("fps_hz")
    if t is None or not fps:
        return None
    return round((t - _frame_origin_s(doc)) * float(fps))


def _step_observations(doc: dict[str, Any], metric: str) -> list[Observation]:
    time_field = "knee_lift_time_s" if metric in KNEE_LIFT_METRICS else "touchdown_time_s"
    out = []
    for i, step in enumerate(doc.get("steps") or []):
        value = step.get(metric)
        if value is None:
            continue
        t = step.get(time_field)
        out.append(Observation(i, float(value), t, _frame(doc, t)))
    return out


def _rep_value(rep: dict[str, Any], metric: str) -> float | None:
    if metric == "rep_duration_s":
        start, end = rep.get("start_s"), rep.get("end_s")
        return None if start is None or end is None else float(end) - float(start)
    if metric == "descent_to_ascent_ratio":
        up, down = rep.get("ascent_time_s"), rep.get("descent_time_s")
        return None if not up or down is None else float(down) / float(up)
    value = rep.get(metric)
    if value is not None:
        return float(value)
    cycles = [c.get(metric) for c in rep.get("cycles_detail") or [] if c.get(metric) is not None]
    return float(statistics.median(cycles)) if cycles else None


def _rep_observations(doc: dict[str, Any], metric: str) -> list[Observation]:
    out = []
    for i, rep in enumerate((doc.get("drill") or {}).get("reps") or []):
        value = _rep_value(rep, metric)
        if value is None:
            continue
        t = rep.get("start_s")
        out.append(Observation(int(rep.get("index", i)), value, t, _frame(doc, t)))
    return out


def _asymmetry_observations(doc: dict[str, Any], metric: str) -> tuple[float | None, list[Observation]]:
    """The clip's asymmetry figure and the steps behind it (both sides)."""
    value = (doc.get("asymmetry_pct") or {}).get(metric)
    stem = metric.removesuffix("_pct")
    steps = doc.get("steps") or []
    fields = [f for f in (steps[0] if steps else {}) if f.rsplit("_", 1)[0] == stem]
    field = next((f for f in fields if f.endswith("_legs")), fields[0] if fields else None)
    return value, ([] if field is None else _step_observations(doc, field))


def _judge(criterion: Criterion, doc: dict[str, Any]) -> Fault | Praise | None:
    if not all(cond.holds(doc) for cond in criterion.when):
        return None
    if criterion.scope == "asymmetry":
        value, observations = _asymmetry_observations(doc, criterion.metric)
        per_side = {
            s: sum(1 for o in observations if doc["steps"][o.index].get("side") == s) for s in ("left", "right")
        }
        if value is None or min(per_side.values()) < criterion.min_evidence:
            return None
        breaching = observations if criterion.breached(value) else []
    else:
        observations = (_step_observations if criterion.scope == "steps" else _rep_observations)(doc, criterion.metric)
        if not observations:
            return None
        value = float(statistics.median(o.value for o in observations))
        breaching = [o for o in observations if criterion.breached(o.value)]
    severity = criterion.severity(value)
    if severity is None:
        if len(observations) < criterion.min_evidence:
            return None
        return Praise(criterion.id, criterion.metric, value, criterion.praise)
    if len(breaching) < criterion.min_evidence:
        return None
    evidence = Evidence(
        unit="reps" if criterion.scope == "reps" else "steps",
        indices=tuple(o.index for o in breaching),
        times_s=tuple(o.time_s for o in breaching if o.time_s is not None),
        frames=tuple(o.frame for o in breaching if o.frame is not None),
        values=tuple(o.value for o in breaching),
    )
    return Fault(
        id=criterion.fault,
        criterion=criterion.id,
        title=criterion.title,
        severity=severity,
        metric=criterion.metric,
        value=value,
        target_min=criterion.min,
        target_max=criterion.max,
        units=criterion.units,
        evidence=evidence,
        cue=criterion.cue,
        drills=criterion.prescribe,
        sources=criterion.sources,
    )


def find_faults(analysis_doc: dict[str, Any]) -> Coaching:
    """Faults (worst first) and praise for the drill in `analysis_doc` ("sprint" without a drill block)."""
    drill = drill_of(analysis_doc)
    faults: list[Fault] = []
    praise: list[Praise] = []
    for criterion in load_criteria():
        if drill not in criterion.drills:
            continue
        verdict = _judge(criterion, analysis_doc)
        if isinstance(verdict, Fault):
            faults.append(verdict)
        elif isinstance(verdict, Praise):
            praise.append(verdict)
    faults.sort(key=lambda f: -SEVERITIES.index(f.severity))
    return Coaching(drill=drill, faults=tuple(faults), praise=tuple(praise))


def attach_coaching(doc: dict[str, Any]) -> dict[str, Any]:
    """A copy of the analysis document with `faults` and `praise` added."""
    coaching = find_faults(doc)
    return {**doc, "faults": [f.to_dict() for f in coaching.faults], "praise": [p.to_dict() for p in coaching.praise]}

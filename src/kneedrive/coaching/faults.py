"""Faults and praise from the analysis' typed figures (steps, reps, summary, asymmetry).

Robust by design: a criterion is judged on the median over steps (or reps), and a fault also needs
at least `min_evidence` steps/reps that breach the target, so one noisy step never invents a
fault. Missing (null) metrics give neither a fault nor praise.
"""

from __future__ import annotations

import statistics
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..drills.rep_metrics import Rep
from ..metrics import Step, Summary
from ..metrics.frontal import FrontFigures
from ..metrics.registry import registry
from .criteria import SEVERITIES, Condition, Criterion, load_criteria
from .library import SEED_FILES


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

    @classmethod
    def from_dict(cls, doc: Mapping[str, Any]) -> Fault:
        ev, target = doc["evidence"], doc["target"]
        unit = "reps" if "reps" in ev else "steps"
        by_file = {f: i for i, f in SEED_FILES.items()}
        return cls(
            id=doc["id"],
            criterion=doc["criterion"],
            title=doc["title"],
            severity=doc["severity"],
            metric=doc["metric"],
            value=float(doc["value"]),
            target_min=target.get("min"),
            target_max=target.get("max"),
            units=target.get("units", ""),
            evidence=Evidence(
                unit=unit,
                indices=tuple(ev[unit]),
                times_s=tuple(ev["times_s"]),
                frames=tuple(ev["frames"]),
                values=tuple(ev["values"]),
            ),
            cue=doc["cue"],
            drills=tuple(doc["drills"]),
            sources=tuple(by_file.get(f, f) for f in doc["sources"]),
        )


@dataclass(frozen=True)
class Praise:
    criterion: str
    metric: str
    value: float
    message: str

    def to_dict(self) -> dict[str, Any]:
        return {"criterion": self.criterion, "metric": self.metric, "value": self.value, "message": self.message}

    @classmethod
    def from_dict(cls, doc: Mapping[str, Any]) -> Praise:
        return cls(doc["criterion"], doc["metric"], float(doc["value"]), doc["message"])


#: How a warning ends when the clip's technique is not judged at all (slowed, unsure, steps missing): the
#: report then shows no finding either, not even a comparison with a reference value.
NOT_JUDGED = "technique is not judged (no fault, no praise)"


@dataclass(frozen=True)
class Coaching:
    drill: str
    faults: tuple[Fault, ...]
    praise: tuple[Praise, ...]
    #: Criteria of this drill left unjudged because a condition did not hold, one line per condition.
    not_judged: tuple[str, ...] = field(default=(), compare=False)  # in the analysis' warnings

    @classmethod
    def from_dict(cls, drill: str, doc: Mapping[str, Any]) -> Coaching:
        """The coaching saved in an analysis document's `faults` and `praise`."""
        return cls(
            drill=drill,
            faults=tuple(Fault.from_dict(f) for f in doc.get("faults") or ()),
            praise=tuple(Praise.from_dict(p) for p in doc.get("praise") or ()),
        )


@dataclass(frozen=True)
class Judged:
    """What the coaching judges: the clip's typed figures, and its time base so that evidence frames are
    the sequence's own frames (`time_base_s[i]` is the time of frame `frame_numbers[i]`, or of frame i)."""

    drill_id: str
    steps: tuple[Step, ...]
    reps: tuple[Rep, ...]
    summary: Summary
    asymmetry_pct: Mapping[str, float | None]
    fps_hz: float
    time_base_s: np.ndarray | None = None
    frame_numbers: np.ndarray | None = None
    front: FrontFigures | None = None  # a front view's figures (criteria of scope "front")

    def frame_at(self, t: float | None) -> int | None:
        """The frame nearest to time `t` (None without a time base)."""
        times = self.time_base_s
        if t is None or times is None or len(times) == 0:
            return None
        i = int(np.clip(np.searchsorted(times, t), 1, len(times) - 1)) if len(times) > 1 else 0
        if i > 0 and abs(times[i - 1] - t) <= abs(times[i] - t):
            i -= 1
        return int(i if self.frame_numbers is None else self.frame_numbers[i])

    def field(self, name: str) -> float | None:
        """A condition's field: `summary.<metric>` or `input.fps_hz`."""
        block, metric = name.split(".", 1)
        value = self.fps_hz if name == "input.fps_hz" else getattr(self.summary, metric) if block == "summary" else None
        return None if value is None else float(value)


def _holds(cond: Condition, judged: Judged) -> bool:
    value = judged.field(cond.field)
    if value is None:
        return cond.if_unknown == "judge"
    return (cond.min is None or value >= cond.min) and (cond.max is None or value <= cond.max)


def _step_observations(judged: Judged, metric: str) -> list[Observation]:
    timed_at_knee_lift = registry()[metric].measured_at in ("knee_lift", "swing")
    out = []
    for i, step in enumerate(judged.steps):
        value = getattr(step, metric)
        if value is None:
            continue
        t = step.knee_lift_time_s if timed_at_knee_lift else step.touchdown_time_s
        frame = step.touchdown_frame if not timed_at_knee_lift else judged.frame_at(t)
        out.append(Observation(i, float(value), t, frame))
    return out


def _rep_value(rep: Rep, metric: str) -> float | None:
    if metric == "rep_duration_s":
        start, end = rep.start_s, rep.end_s
        return None if start is None or end is None else float(end) - float(start)
    if metric == "descent_to_ascent_ratio":
        up, down = rep.ascent_time_s, rep.descent_time_s
        return None if not up or down is None else float(down) / float(up)
    value = getattr(rep, metric, None)
    if value is not None:
        return float(value)
    cycles = [v for c in rep.cycles_detail if (v := getattr(c, metric, None)) is not None]
    return float(statistics.median(cycles)) if cycles else None


def _rep_observations(judged: Judged, metric: str) -> list[Observation]:
    out = []
    for rep in judged.reps:
        value = _rep_value(rep, metric)
        if value is None:
            continue
        out.append(Observation(rep.index, value, rep.start_s, judged.frame_at(rep.start_s)))
    return out


def _asymmetry_observations(judged: Judged, metric: str) -> tuple[float | None, list[Observation]]:
    """The clip's asymmetry figure and the steps behind it (both sides)."""
    side_metric = registry()[metric].of
    value = judged.asymmetry_pct.get(metric)
    return value, ([] if side_metric is None else _step_observations(judged, side_metric))


def _front_observations(judged: Judged, criterion: Criterion) -> tuple[float | None, list[Observation]]:
    """The worse side's median and that side's observations (one side's fault is not diluted by the
    other's good steps)."""
    if judged.front is None:
        return None, []
    by_side: dict[str, list[Observation]] = {}
    for k, (side, frame, t, v) in enumerate(judged.front.observations(criterion.metric)):
        by_side.setdefault(side, []).append(Observation(k, v, t, judged.frame_at(t) if frame is None else frame))
    ranked = sorted(
        ((criterion.excess(statistics.median(o.value for o in obs)), side) for side, obs in by_side.items()),
        reverse=True,
    )
    if not ranked:
        return None, []
    worst = by_side[ranked[0][1]]
    return float(statistics.median(o.value for o in worst)), worst


def _judge(criterion: Criterion, judged: Judged) -> Fault | Praise | None:
    if not all(_holds(cond, judged) for cond in criterion.when):
        return None
    if criterion.scope == "front":
        value, observations = _front_observations(judged, criterion)
        if value is None:
            return None
        breaching = [o for o in observations if criterion.breached(o.value)]
    elif criterion.scope == "asymmetry":
        value, observations = _asymmetry_observations(judged, criterion.metric)
        per_side = {s: sum(1 for o in observations if judged.steps[o.index].side == s) for s in ("left", "right")}
        if value is None or min(per_side.values()) < criterion.min_evidence:
            return None
        breaching = observations if criterion.breached(value) else []
    else:
        observations = (_step_observations if criterion.scope == "steps" else _rep_observations)(
            judged, criterion.metric
        )
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
        unit="reps" if criterion.scope == "reps" else "steps",  # front: the front view's steps, reps, swings
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


def find_faults(judged: Judged) -> Coaching:
    """Faults (worst first) and praise for the clip's drill ("sprint" for running)."""
    drill = judged.drill_id
    faults: list[Fault] = []
    praise: list[Praise] = []
    skipped: dict[str, list[str]] = {}
    for criterion in load_criteria():
        if drill not in criterion.drills:
            continue
        failing = next((c for c in criterion.when if not _holds(c, judged)), None)
        if failing is not None:
            skipped.setdefault(_describe(failing, judged), []).append(criterion.title.lower())
            continue
        verdict = _judge(criterion, judged)
        if isinstance(verdict, Fault):
            faults.append(verdict)
        elif isinstance(verdict, Praise):
            praise.append(verdict)
    faults.sort(key=lambda f: -SEVERITIES.index(f.severity))
    not_judged = tuple(f"not judged {why}: {', '.join(titles)}" for why, titles in skipped.items())
    return Coaching(drill=drill, faults=tuple(faults), praise=tuple(praise), not_judged=not_judged)


#: The summary figure saying how far a frame moves the touchdown distance (criteria.toml limits it).
TOUCHDOWN_RESOLUTION = "summary.touchdown_distance_uncertainty_legs"
#: The summary figure saying the clip is an acceleration (criteria.toml keeps top-speed targets off it).
SPEED_RISE = "summary.speed_rise_pct"


def _coarse_touchdown(resolution_legs: float | None, limit_legs: float) -> str:
    if resolution_legs is None:
        return "without the running speed (how far a frame moves the touchdown distance is not known)"
    return (
        f"a frame moves the touchdown distance {resolution_legs:.2f} leg lengths (needs at most "
        f"{limit_legs:.2f}: film at a higher frame rate)"
    )


def touchdown_distance_unjudged(resolution_legs: float | None) -> str | None:
    """Why the touchdown distance cannot be judged at this clip's resolution (the strictest limit the
    criteria set on TOUCHDOWN_RESOLUTION), or None: for what reads it outside the criteria (the S-MAS)."""
    limits = [c.max for criterion in load_criteria() for c in criterion.when if c.field == TOUCHDOWN_RESOLUTION]
    limit = min((v for v in limits if v is not None), default=None)
    if limit is None or (resolution_legs is not None and resolution_legs <= limit):
        return None
    return _coarse_touchdown(resolution_legs, limit)


def _describe(cond: Condition, judged: Judged) -> str:
    """Why a condition fails, for a coach: "at 94 steps/min (needs at least 132)"."""
    have = judged.field(cond.field)
    if cond.field == "input.fps_hz":
        unit, factor = "fps", 1.0
    elif cond.field == "summary.step_frequency_hz":
        unit, factor = "steps/min", 60.0
    elif cond.field == TOUCHDOWN_RESOLUTION:
        why = _coarse_touchdown(have, cond.max or 0.0)
        return why if have is None else f"where {why}"
    elif cond.field == SPEED_RISE and have is not None:
        return (
            f"in an acceleration (the hips' speed rose {have:.1f} % over the clip, more than {cond.max or 0.0:.1f} %;"
            " these are judged at steady speed: while speed builds the trunk leans, contacts are long and the heel"
            " recovers low by design, and each step is longer than the last)"
        )
    else:
        row = registry()[cond.field.split(".", 1)[1]]
        unit, factor = row.display, row.factor
    bound = (
        f"at least {cond.min * factor:.0f}"
        if cond.min is not None and (have is None or have < cond.min)
        else f"at most {(cond.max or 0.0) * factor:.0f}"
    )
    shown = "without the figure" if have is None else f"at {have * factor:.0f} {unit}"
    return f"{shown} (needs {bound})"

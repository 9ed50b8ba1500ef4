"""Self-assessment of the barriers to knee drive, and the athlete's ranked limiting factors.

Scoring (documented in the README): each barrier scores its self-assessment answer (0-3) plus the
worst video fault that points to it (criteria.toml `barriers`; minor 1, moderate 2, major 3), so
0-6. Barriers are ranked by score, then by the video part; a barrier scoring 2 or more is a
limiting factor (a clear "yes" in the questionnaire, or one moderate fault on video).
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from ..errors import InputError
from .criteria import SEVERITIES, load_criteria
from .data_files import load_validated

LIMITING_SCORE = 2


@dataclass(frozen=True)
class BarrierQuestion:
    id: str
    name: str
    question: str
    choices: tuple[str, ...]
    sources: tuple[str, ...]


@dataclass(frozen=True)
class ConditionQuestion:
    id: str
    name: str
    question: str
    sources: tuple[str, ...]


@dataclass(frozen=True)
class Questionnaire:
    barriers: tuple[BarrierQuestion, ...]
    conditions: tuple[ConditionQuestion, ...]


@cache
def load_questionnaire() -> Questionnaire:
    raw = load_validated("assessment")
    return Questionnaire(
        barriers=tuple(
            BarrierQuestion(b["id"], b["name"], b["question"], tuple(b["choices"]), tuple(b["sources"]))
            for b in raw["barrier"]
        ),
        conditions=tuple(
            ConditionQuestion(c["id"], c["name"], c["question"], tuple(c["sources"])) for c in raw["condition"]
        ),
    )


@dataclass(frozen=True)
class Answers:
    """Barrier scores 0-3 (0 = no problem; unanswered = 0) and current conditions."""

    scores: tuple[tuple[str, int], ...]
    conditions: frozenset[str]

    def score(self, barrier: str) -> int:
        return dict(self.scores).get(barrier, 0)

    def to_dict(self) -> dict[str, Any]:
        return {"barriers": dict(self.scores), "conditions": sorted(self.conditions)}


def _known(kind: str, value: str, known: Iterable[str]) -> str:
    names = list(known)
    if value in names:
        return value
    close = difflib.get_close_matches(value, names, n=1)
    hint = f"; did you mean {close[0]}?" if close else f"; known: {', '.join(names)}"
    raise InputError(f"unknown {kind} {value!r}{hint}")


def parse_answers(raw: dict[str, Any]) -> Answers:
    """From {"barriers": {id: 0-3}, "conditions": [id, ...]} (the `--answers` file / `--json` output)."""
    if not isinstance(raw, dict) or set(raw) - {"barriers", "conditions"}:
        raise InputError('answers must be a JSON object with "barriers" {id: 0-3} and "conditions" [ids]')
    q = load_questionnaire()
    scores: dict[str, int] = {}
    for key, value in (raw.get("barriers") or {}).items():
        barrier = _known("barrier", str(key), (b.id for b in q.barriers))
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 3:
            raise InputError(f"answer for {barrier} must be an integer 0-3, got {value!r}")
        scores[barrier] = value
    conditions = frozenset(
        _known("condition", str(c), (x.id for x in q.conditions)) for c in raw.get("conditions") or []
    )
    return Answers(tuple(sorted(scores.items())), conditions)


def interview(
    ask_barrier: Callable[[BarrierQuestion], int], ask_condition: Callable[[ConditionQuestion], bool]
) -> Answers:
    """Ask every question through the given callables (the CLI passes terminal prompts)."""
    q = load_questionnaire()
    scores = tuple((b.id, ask_barrier(b)) for b in q.barriers)
    for barrier, score in scores:
        if not 0 <= score <= 3:
            raise InputError(f"answer for {barrier} must be 0-3, got {score}")
    return Answers(scores, frozenset(c.id for c in q.conditions if ask_condition(c)))


@dataclass(frozen=True)
class LimitingFactor:
    barrier: str
    name: str
    score: int
    self_report: int
    video: int
    faults: tuple[str, ...]

    @property
    def limiting(self) -> bool:
        return self.score >= LIMITING_SCORE

    def to_dict(self) -> dict[str, Any]:
        return {
            "barrier": self.barrier,
            "name": self.name,
            "score": self.score,
            "self_report": self.self_report,
            "video": self.video,
            "faults": list(self.faults),
            "limiting": self.limiting,
        }


def rank_limiting_factors(answers: Answers | None, faults: Iterable[dict[str, Any]] = ()) -> tuple[LimitingFactor, ...]:
    """Barriers with a non-zero score, highest first (see the module doc for the scoring)."""
    by_criterion = {c.id: c for c in load_criteria()}
    video: dict[str, int] = {}
    named: dict[str, list[str]] = {}
    for fault in faults:
        criterion = by_criterion.get(str(fault.get("criterion")))
        if criterion is None or fault.get("severity") not in SEVERITIES:
            continue
        points = SEVERITIES.index(str(fault["severity"])) + 1
        for barrier in criterion.barriers:
            video[barrier] = max(video.get(barrier, 0), points)
            named.setdefault(barrier, []).append(str(fault["id"]))
    out = []
    for order, b in enumerate(load_questionnaire().barriers):
        own = answers.score(b.id) if answers is not None else 0
        seen = video.get(b.id, 0)
        if own + seen > 0:
            out.append(
                (
                    -(own + seen),
                    -seen,
                    order,
                    LimitingFactor(b.id, b.name, own + seen, own, seen, tuple(named.get(b.id, []))),
                )
            )
    return tuple(item[-1] for item in sorted(out, key=lambda x: x[:3]))


def load_answers(
    path: Path | None = None, *, barriers: Mapping[str, int] | None = None, conditions: Iterable[str] = ()
) -> Answers | None:
    """Self-assessment answers from a file (`kneedrive assess --json` output or a bare answers object) and
    from single answers given on the command line, which add to the file's (and win over it for a barrier).
    None when nothing is given."""
    from ..io.coaching_files import read_json_object

    extra = parse_answers({"barriers": dict(barriers or {}), "conditions": list(conditions)})
    if path is None:
        return extra if extra.scores or extra.conditions else None
    doc = read_json_object(path)
    saved = parse_answers(doc.get("answers", doc))
    scores = {**dict(saved.scores), **dict(extra.scores)}
    return Answers(tuple(sorted(scores.items())), saved.conditions | extra.conditions)

"""Coaching inputs from files: self-assessment answers and the faults of a saved analysis.json."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import InputError

if TYPE_CHECKING:
    from ..coaching.assess import Answers


def read_json_object(path: Path) -> dict[str, Any]:
    """A JSON file holding one object; anything else is an InputError naming the file."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise InputError(f"{path}: {exc.strerror}") from exc
    except UnicodeDecodeError:
        raise InputError(f"{path}: not a text file") from None
    except json.JSONDecodeError as exc:
        raise InputError(f"{path}: not valid JSON ({exc.msg}, line {exc.lineno})") from exc
    if not isinstance(data, dict):
        raise InputError(f"{path}: expected a JSON object")
    return data


def load_answers(
    path: Path | None = None, *, barriers: Mapping[str, int] | None = None, conditions: Iterable[str] = ()
) -> Answers | None:
    """Self-assessment answers from a file (`kneedrive assess --json` output or a bare answers object) and
    from single answers given on the command line, which add to the file's (and win over it for a barrier).
    None when nothing is given."""
    from ..coaching.assess import Answers, parse_answers

    extra = parse_answers({"barriers": dict(barriers or {}), "conditions": list(conditions)})
    if path is None:
        return extra if extra.scores or extra.conditions else None
    doc = read_json_object(path)
    saved = parse_answers(doc.get("answers", doc))
    scores = {**dict(saved.scores), **dict(extra.scores)}
    return Answers(tuple(sorted(scores.items())), saved.conditions | extra.conditions)


def load_video_faults(path: Path | None) -> list[dict[str, Any]]:
    """The coaching faults of a saved analysis.json (judged now when the file predates coaching)."""
    if path is None:
        return []
    doc = read_json_object(path)
    if "faults" in doc:
        return list(doc["faults"])
    from ..coaching import find_faults

    return [f.to_dict() for f in find_faults(doc).faults]

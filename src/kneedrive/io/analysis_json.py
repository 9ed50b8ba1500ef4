"""The analysis JSON as a file: written for people (the long series on one line), read back with
validation against the schema (for `kneedrive report`)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema

from ..errors import InputError


def analysis_json_text(doc: Mapping[str, Any]) -> str:
    """The analysis JSON, indented for people, with the (long) series block on one compact line."""
    head = {k: v for k, v in doc.items() if k != "series"}
    text = json.dumps(head, indent=2)
    if "series" not in doc:
        return text + "\n"
    series = json.dumps(doc["series"], separators=(",", ":"))
    return text[: text.rindex("}")].rstrip() + f',\n  "series": {series}\n}}\n'


def _schema() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(
        resources.files("kneedrive").joinpath("schema/analysis-v1.schema.json").read_text(encoding="utf-8")
    )
    return loaded


def load_analysis(path: Path) -> dict[str, Any]:
    """A saved analysis.json, validated against the schema (InputError with one line otherwise)."""
    path = Path(path)
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError(f"{path}: no such file") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InputError(f"{path}: not a JSON file ({exc.__class__.__name__})") from None
    except RecursionError:
        raise InputError(f"{path}: not a kneedrive analysis (nested too deeply to read)") from None
    if not isinstance(doc, dict) or "schema_version" not in doc:
        raise InputError(f"{path}: not a kneedrive analysis (no schema_version)")
    error = jsonschema.exceptions.best_match(jsonschema.Draft202012Validator(_schema()).iter_errors(doc))
    if error is not None:
        where = "/".join(str(p) for p in error.absolute_path) or "top level"
        raise InputError(f"{path}: not a valid kneedrive analysis at {where}: {error.message[:200]}")
    return doc

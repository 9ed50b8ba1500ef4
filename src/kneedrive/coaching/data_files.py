"""Read the coaching data files (TOML in the package) and validate each against its JSON Schema."""

from __future__ import annotations

import json
import tomllib
from functools import cache
from importlib import resources
from typing import Any

import jsonschema

from ..errors import KneedriveError


class CoachingDataError(KneedriveError):
    """A shipped coaching data file does not match its schema or points at something missing."""


@cache
def load_validated(name: str) -> dict[str, Any]:
    """`data/<name>.toml`, validated by `schema/<name>.schema.json` (read once, on first use)."""
    package = resources.files("kneedrive.coaching")
    data: dict[str, Any] = tomllib.loads(package.joinpath("data", f"{name}.toml").read_text(encoding="utf-8"))
    schema = json.loads(package.joinpath("schema", f"{name}.schema.json").read_text(encoding="utf-8"))
    try:
        jsonschema.validate(data, schema)
    except jsonschema.ValidationError as exc:
        where = "/".join(str(p) for p in exc.absolute_path)
        raise CoachingDataError(f"coaching data {name}.toml at {where}: {exc.message}") from exc
    return data


def schema(name: str) -> dict[str, Any]:
    text = resources.files("kneedrive.coaching").joinpath("schema", f"{name}.schema.json").read_text(encoding="utf-8")
    loaded: dict[str, Any] = json.loads(text)
    return loaded

"""The drill catalogue: the drill table and the recognition bands, loaded from one data directory.

The shipped catalogue is `kneedrive/drills/data/` (drills.toml, recognition.toml). Adding a drill
means a row in drills.toml, its bands in recognition.toml and its entry in the coaching library;
no Python changes. `load_catalogue(directory)` reads another directory laid out the same way (a
drill being tried out, or a test's copy) and checks the two files against each other;
`kneedrive.drills.analyze.analyze_drill(..., catalogue=...)` then names and measures with it.

`DRILL_IDS` and `DRILL_NAMES` (the shipped table's) are kept here for the modules importing them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from importlib.resources.abc import Traversable
from typing import Any

from . import table
from .recognize import DrillRules, load_rules, read_rules
from .rep_metrics import Rep
from .table import DrillDataError, DrillTable, drill_table, load_drill_table


@dataclass(frozen=True)
class DrillCatalogue:
    """The drills the analysis knows (the table) and how it tells them apart (the bands)."""

    table: DrillTable
    rules: DrillRules


def load_catalogue(directory: Traversable | None = None) -> DrillCatalogue:
    """drills.toml and recognition.toml from `directory` (None: the shipped ones), cross-checked:
    bands for exactly the table's drills, and figures that are rep figures."""
    if directory is None:
        return shipped_catalogue()
    return _load(directory)


@cache
def shipped_catalogue() -> DrillCatalogue:
    return DrillCatalogue(_with_rep_figures(drill_table()), load_rules())


def _load(directory: Traversable) -> DrillCatalogue:
    drills = _with_rep_figures(load_drill_table(directory))
    return DrillCatalogue(drills, read_rules(directory, drills.ids))


def _with_rep_figures(drills: DrillTable) -> DrillTable:
    """`drills`, once every figure it shows is checked to be a rep figure."""
    rep_fields = set(Rep.__dataclass_fields__)
    for drill in drills.drills:
        unknown = [f for f in drill.figures if f not in rep_fields]
        if unknown:
            raise DrillDataError(f"drills.toml: {drill.id} shows {unknown}, which are not rep figures (Rep fields)")
    return drills


# Read from the shipped table when first asked for (see kneedrive.drills.table).
DRILL_IDS: tuple[str, ...]
DRILL_NAMES: Mapping[str, str]


def __getattr__(name: str) -> Any:
    if name in ("DRILL_IDS", "DRILL_NAMES"):
        return getattr(table, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

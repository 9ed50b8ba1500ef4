"""The drill table (data/drills.toml): what each drill is, apart from any synthetic model of it.

One row per drill: its id and name, how the legs share the work (`pattern`), what the arms do,
which rep figures it reports, and which coaching criteria and report references apply. The
analysis reads a drill's pattern and arm use from here; the synthetic generator reads them from
here too (never the other way round).

`drill_table()` is the shipped table, read and validated against schema/drills.schema.json on
first use; `load_drill_table(directory)` reads another data directory's `drills.toml` (see
`kneedrive.drills.catalogue.load_catalogue`, which loads a table with its recognition bands).
"""

from __future__ import annotations

import json
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from importlib.resources.abc import Traversable
from types import MappingProxyType
from typing import Any

from ..errors import KneedriveError

#: How the legs share the work: one leg at a time (reps per side), alternating legs, both legs
#: together, or one leg held still at the top.
PATTERNS = ("unilateral", "alternating", "bilateral", "hold")
#: What the arms do (the schema's `arms` enum): a wall drill's hands rest on the wall.
ARM_USES = ("swing", "opposite", "pocket", "jump", "wall")
#: What marks a cycle (the schema's `cycle` enum): the top of the thigh's swing, or the top of the
#: knee's bend (the heel at the buttocks) when the thigh hardly moves.
CYCLE_MARKS = ("knee_drive", "heel_kick")


class DrillDataError(KneedriveError):
    """A drill data file does not match its schema or contradicts another drill data file."""


@dataclass(frozen=True)
class DrillSpec:
    """One drill as the analysis sees it (a row of data/drills.toml)."""

    id: str
    name: str
    pattern: str  # one of PATTERNS
    arms: str  # one of ARM_USES
    balance: bool  # on one leg without support: the sway is measured
    figures: tuple[str, ...]  # rep figures shown for it (fields of rep_metrics.Rep)
    criteria: tuple[str, ...]  # coaching criteria ids that judge it
    references: tuple[str, ...]  # report reference target ids shown for it
    cycle: str = "knee_drive"  # one of CYCLE_MARKS
    gait: bool = False  # measured by its steps (touchdowns and toe-offs), as a run is, not by reps and cycles

    @property
    def one_legged(self) -> bool:
        """Reps are done one leg at a time, so left and right are compared."""
        return self.pattern in ("unilateral", "hold")

    @property
    def hands_on_wall(self) -> bool:
        return self.arms == "wall"

    @property
    def coached(self) -> bool:
        """Some coaching criterion judges it, so the coaching library must say how it is done (a walk is
        named and measured, but the seed articles do not coach it)."""
        return bool(self.criteria)


@dataclass(frozen=True)
class DrillTable:
    drills: tuple[DrillSpec, ...]

    @property
    def ids(self) -> tuple[str, ...]:
        return tuple(d.id for d in self.drills)

    @property
    def names(self) -> Mapping[str, str]:
        return MappingProxyType({d.id: d.name for d in self.drills})

    def spec(self, drill_id: str) -> DrillSpec:
        for drill in self.drills:
            if drill.id == drill_id:
                return drill
        raise KeyError(f"unknown drill {drill_id!r}; known: {', '.join(self.ids)}")


def _data_directory() -> Traversable:
    return resources.files("kneedrive.drills").joinpath("data")


def _schema() -> dict[str, Any]:
    text = resources.files("kneedrive.drills").joinpath("schema", "drills.schema.json").read_text(encoding="utf-8")
    loaded: dict[str, Any] = json.loads(text)
    return loaded


def _spec(raw: dict[str, Any]) -> DrillSpec:
    return DrillSpec(
        id=raw["id"],
        name=raw["name"],
        pattern=raw["pattern"],
        arms=raw["arms"],
        balance=raw.get("balance", False),
        figures=tuple(raw["figures"]),
        criteria=tuple(raw["criteria"]),
        references=tuple(raw["references"]),
        cycle=raw.get("cycle", "knee_drive"),
        gait=raw.get("gait", False),
    )


def load_drill_table(directory: Traversable | None = None) -> DrillTable:
    """`drills.toml` from `directory` (None: the shipped data), validated against the schema."""
    import jsonschema  # only when a table is read: it is slow to import

    where = directory if directory is not None else _data_directory()
    raw = tomllib.loads(where.joinpath("drills.toml").read_text(encoding="utf-8"))
    try:
        jsonschema.validate(raw, _schema())
    except jsonschema.ValidationError as exc:
        path = "/".join(str(p) for p in exc.absolute_path)
        raise DrillDataError(f"drills.toml at {path}: {exc.message}") from exc
    table = DrillTable(tuple(_spec(row) for row in raw["drill"]))
    seen: set[str] = set()
    for drill in table.drills:
        if drill.id in seen:
            raise DrillDataError(f"drills.toml: duplicate drill id {drill.id!r}")
        seen.add(drill.id)
    if "sprint" not in seen:
        raise DrillDataError("drills.toml: the sprint row is missing (a run is the drill every clip may be)")
    if not table.spec("sprint").gait:
        raise DrillDataError("drills.toml: the sprint row must say gait = true (a run is measured by its steps)")
    return table


@cache
def drill_table() -> DrillTable:
    """The shipped drill table (read once, on first use)."""
    return load_drill_table()


def drill_spec(drill_id: str) -> DrillSpec:
    return drill_table().spec(drill_id)


def drill_name(drill_id: str) -> str:
    return drill_spec(drill_id).name


@cache
def listed_drill_ids() -> tuple[str, ...]:
    """The shipped table's drill ids, read without validating it (for the command line's help, which must
    not wait for the schema library; the analysis validates the table when it loads it)."""
    raw = tomllib.loads(_data_directory().joinpath("drills.toml").read_text(encoding="utf-8"))
    return tuple(str(row["id"]) for row in raw["drill"])


def drill_ids() -> tuple[str, ...]:
    return drill_table().ids


# DRILL_IDS and DRILL_NAMES are read from the table when first asked for (PEP 562), so that
# importing the package reads no file; the annotations tell the type checker they exist.
DRILL_IDS: tuple[str, ...]
DRILL_NAMES: Mapping[str, str]


def __getattr__(name: str) -> Any:
    if name == "DRILL_IDS":
        return drill_table().ids
    if name == "DRILL_NAMES":
        return drill_table().names
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

"""Name the drill in a clip from its features, with the bands in data/recognition.toml."""

from __future__ import annotations

import math
import tomllib
from dataclasses import dataclass
from functools import cache
from importlib import resources
from importlib.resources.abc import Traversable

from .features import DrillFeatures
from .table import drill_table


@dataclass(frozen=True)
class DrillRules:
    scale: dict[str, float]
    bands: dict[str, dict[str, tuple[float, float]]]
    #: "unsure" below this confidence (two drills fit about as well) ...
    unsure_below_confidence: float = 0.6
    #: ... or when even the winner's penalty is above this (it fits no drill well)
    unsure_above_penalty: float = 9.0
    #: winners the penalty rule does not apply to (running is running however poor the technique)
    penalty_exempt: tuple[str, ...] = ()
    #: features measured against the ground: left out when the ground is not known (an unmeasured camera)
    needs_ground: tuple[str, ...] = ()
    #: features in seconds: left out when the clip's time is not real time (slowed, capture rate unknown)
    needs_real_time: tuple[str, ...] = ()


@dataclass(frozen=True)
class Recognition:
    drill_id: str
    confidence: float
    #: every drill's confidence, best first
    ranking: tuple[tuple[str, float], ...]
    #: per feature, how far outside the winner's band the clip was (0 = inside)
    misfit: dict[str, float]
    #: the winner's penalty (sum of squared misfits in scales): how badly even the best drill fits
    penalty: float = 0.0
    #: the clip fits no drill well, or two about as well: no drill should be picked
    unsure: bool = False


@cache
def load_rules() -> DrillRules:
    """Read and check the recognition rules shipped with the package (once, on first use)."""
    return read_rules(resources.files("kneedrive.drills").joinpath("data"), drill_table().ids)


def read_rules(directory: Traversable, drill_ids: tuple[str, ...]) -> DrillRules:
    """`directory`'s recognition.toml, with bands for exactly the drills `drill_ids`."""
    raw = tomllib.loads(directory.joinpath("recognition.toml").read_text(encoding="utf-8"))
    features = set(DrillFeatures.__dataclass_fields__)
    scale = {str(k): float(v) for k, v in raw["scale"].items()}
    if set(scale) != features:
        raise ValueError(f"recognition.toml: [scale] must list exactly {sorted(features)}")
    bands: dict[str, dict[str, tuple[float, float]]] = {}
    for drill, table in raw["drill"].items():
        if drill not in drill_ids:
            raise ValueError(f"recognition.toml: unknown drill {drill!r}")
        bands[drill] = {}
        for name, band in table.items():
            if name not in features or len(band) != 2 or not band[0] <= band[1]:
                raise ValueError(f"recognition.toml: bad band {drill}.{name} = {band}")
            bands[drill][name] = (float(band[0]), float(band[1]))
    missing = set(drill_ids) - set(bands)
    if missing:
        raise ValueError(f"recognition.toml: no rules for {sorted(missing)}")
    decision = raw.get("decision", {})
    known = {"unsure_below_confidence", "unsure_above_penalty", "penalty_exempt", "needs_ground", "needs_real_time"}
    unknown = set(decision) - known
    if unknown:
        raise ValueError(f"recognition.toml: unknown [decision] keys {sorted(unknown)}")
    needs = {key: tuple(decision.get(key, ())) for key in ("needs_ground", "needs_real_time")}
    for key, names in needs.items():
        if not set(names) <= features:
            raise ValueError(f"recognition.toml: {key} names unknown features {sorted(set(names) - features)}")
    return DrillRules(
        scale,
        bands,
        unsure_below_confidence=float(decision.get("unsure_below_confidence", 0.6)),
        unsure_above_penalty=float(decision.get("unsure_above_penalty", 9.0)),
        penalty_exempt=tuple(decision.get("penalty_exempt", ())),
        needs_ground=needs["needs_ground"],
        needs_real_time=needs["needs_real_time"],
    )


#: A feature this many scales outside its band counts as this many: no finite value overflows the penalty.
MISFIT_CAP = 1e6


def _outside(value: float, band: tuple[float, float]) -> float:
    lo, hi = band
    return lo - value if value < lo else (value - hi if value > hi else 0.0)


def recognize(
    features: DrillFeatures, rules: DrillRules | None = None, *, ground_known: bool = True, real_time: bool = True
) -> Recognition:
    """The drill whose bands the features fit best. `ground_known=False` (a camera that moved unmeasured):
    the rules' `needs_ground` features are left out; `real_time=False` (slowed footage of unknown capture
    rate): its `needs_real_time` features."""
    rules = rules or load_rules()
    left_out = (() if ground_known else rules.needs_ground) + (() if real_time else rules.needs_real_time)
    values = {k: v for k, v in features.as_dict().items() if v is not None and math.isfinite(v) and k not in left_out}
    penalty = {}
    for drill, bands in rules.bands.items():
        penalty[drill] = sum(
            min(abs(_outside(values[name], band) / rules.scale[name]), MISFIT_CAP) ** 2
            for name, band in bands.items()
            if name in values
        )
    best = min(penalty.values())
    weights = {d: math.exp(-(p - best) / 2.0) for d, p in penalty.items()}
    total = sum(weights.values())
    ranking = tuple(sorted(((d, w / total) for d, w in weights.items()), key=lambda x: -x[1]))
    winner = ranking[0][0]
    misfit = {name: _outside(values[name], band) for name, band in rules.bands[winner].items() if name in values}
    confidence = ranking[0][1]
    misfits = penalty[winner] > rules.unsure_above_penalty and winner not in rules.penalty_exempt
    unsure = confidence < rules.unsure_below_confidence or misfits
    return Recognition(winner, confidence, ranking, misfit, penalty=penalty[winner], unsure=unsure)

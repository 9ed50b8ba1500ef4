"""The drill and exercise library (data/library.toml): typed, read-only records and look-ups."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from functools import cache
from typing import Any

from ..errors import InputError
from .data_files import load_validated

#: The seed articles, by the short number used in the data files.
SEED_FILES = {
    "000": "000_27d7facf02970776.txt",
    "001": "001_23d786644cb2c736.txt",
    "002": "002_5fb3e91c6921a92c.txt",
    "003": "003_c990c04542f3434c.txt",
    "004": "004_cf001b25dbd66b18.txt",
}
#: Their titles, as a coach would look them up (../shared/DOMAIN.md).
SEED_TITLES = {
    "000": "Single Leg Drive Through (running form drill, Kbands)",
    "001": "Drills to improve knee drive for sprinting and acceleration",
    "002": "How to master the leg drive for athletic power",
    "003": "Strategies to improve knee drive for speed and efficiency",
    "004": "The hip flexors and knee drive in sprinting",
}


def cite(seed: str) -> str:
    """A seed article as a reader finds it: its title and number ("... (seed 004)")."""
    return f"“{SEED_TITLES[seed]}” (seed {seed})"


#: "seed 004", "seeds 000, 001, 004", "seeds 000 and 001" in the data files' text.
_SEED_NUMBERS = re.compile(r"\bseeds? (\d{3}(?:(?:, | and )\d{3})*)")


def with_titles(text: str) -> str:
    """Text from the data files with its seed numbers as a reader finds the articles: "(seeds 003, 004)"
    becomes "(“Strategies to ...” (seed 003), “The hip flexors ...” (seed 004))". Unknown numbers stay."""

    def titled(match: re.Match[str]) -> str:
        numbers = re.findall(r"\d{3}", match.group(1))
        if not all(n in SEED_TITLES for n in numbers):
            return match.group(0)
        return ", ".join(cite(n) for n in numbers)

    return _SEED_NUMBERS.sub(titled, text)


@dataclass(frozen=True)
class Dose:
    sets: int
    rest_s: float
    per_side: bool
    reps: int | None = None
    time_s: float | None = None
    distance_m: float | None = None
    note: str = ""

    def describe(self) -> str:
        if self.reps is not None:
            work = f"{self.reps} reps"
        elif self.time_s is not None:
            work = f"{self.time_s:g} s"
        else:
            work = f"{self.distance_m:g} m"
        side = " per side" if self.per_side else ""
        rest = f", rest {self.rest_s:g} s" if self.rest_s else ""
        return f"{self.sets} x {work}{side}{rest}"


@dataclass(frozen=True)
class Contraindication:
    condition: str
    rule: str  # avoid | after_pain_free | modify
    note: str


@dataclass(frozen=True)
class Exercise:
    id: str
    name: str
    category: str
    purpose: str
    muscles: tuple[str, ...]
    equipment: tuple[str, ...]
    setup: str
    steps: tuple[str, ...]
    cues: tuple[str, ...]
    mistakes: tuple[str, ...]
    dose: Dose
    min_per_week: int
    max_per_week: int
    contraindications: tuple[Contraindication, ...]
    progressions: tuple[str, ...]
    regressions: tuple[str, ...]
    level: int
    addresses: tuple[str, ...]
    sources: tuple[str, ...]

    def needs(self) -> frozenset[str]:
        """Equipment beyond bare floor space."""
        return frozenset(self.equipment) - {"none"}

    def excluded_by(self, conditions: frozenset[str]) -> tuple[Contraindication, ...]:
        """Contraindications that rule this exercise out for an athlete with `conditions` now."""
        return tuple(c for c in self.contraindications if c.condition in conditions and c.rule != "modify")

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "category": self.category,
            "purpose": self.purpose,
            "muscles": list(self.muscles),
            "equipment": list(self.equipment),
            "setup": self.setup,
            "steps": list(self.steps),
            "cues": list(self.cues),
            "mistakes": list(self.mistakes),
            "dose": {k: v for k, v in vars(self.dose).items() if v is not None and v != ""},
            "frequency": {"min_per_week": self.min_per_week, "max_per_week": self.max_per_week},
            "contraindications": [vars(c) for c in self.contraindications],
            "progressions": list(self.progressions),
            "regressions": list(self.regressions),
            "level": self.level,
            "addresses": list(self.addresses),
            "sources": [SEED_FILES[s] for s in self.sources],
        }


def _exercise(raw: dict[str, Any]) -> Exercise:
    return Exercise(
        id=raw["id"],
        name=raw["name"],
        category=raw["category"],
        purpose=raw["purpose"],
        muscles=tuple(raw["muscles"]),
        equipment=tuple(raw["equipment"]),
        setup=raw["setup"],
        steps=tuple(raw["steps"]),
        cues=tuple(raw["cues"]),
        mistakes=tuple(raw["mistakes"]),
        dose=Dose(**raw["dose"]),
        min_per_week=raw["frequency"]["min_per_week"],
        max_per_week=raw["frequency"]["max_per_week"],
        contraindications=tuple(Contraindication(**c) for c in raw["contraindications"]),
        progressions=tuple(raw["progressions"]),
        regressions=tuple(raw["regressions"]),
        level=raw["level"],
        addresses=tuple(raw["addresses"]),
        sources=tuple(raw["sources"]),
    )


@dataclass(frozen=True)
class Library:
    exercises: tuple[Exercise, ...]

    @property
    def ids(self) -> tuple[str, ...]:
        return tuple(e.id for e in self.exercises)

    def get(self, exercise_id: str) -> Exercise:
        """The exercise, or InputError naming the closest ids."""
        for e in self.exercises:
            if e.id == exercise_id:
                return e
        close = difflib.get_close_matches(exercise_id, self.ids, n=3, cutoff=0.5)
        hint = f"; did you mean {', '.join(close)}?" if close else "; `kneedrive drills` lists them"
        raise InputError(f"unknown drill or exercise {exercise_id!r}{hint}")

    def select(self, *, category: str | None = None, equipment: str | None = None) -> tuple[Exercise, ...]:
        """Filter by category and by one piece of equipment the exercise uses."""
        categories = sorted({e.category for e in self.exercises})
        if category is not None and category not in categories:
            raise InputError(f"unknown category {category!r}; known: {', '.join(categories)}")
        kinds = sorted({k for e in self.exercises for k in e.equipment})
        if equipment is not None and equipment not in kinds:
            raise InputError(f"unknown equipment {equipment!r}; known: {', '.join(kinds)}")
        return tuple(
            e
            for e in self.exercises
            if (category is None or e.category == category) and (equipment is None or equipment in e.equipment)
        )


@cache
def load_library() -> Library:
    """The shipped library, validated; every cross-reference checked."""
    library = Library(tuple(_exercise(raw) for raw in load_validated("library")["exercise"]))
    _check_references(library)
    return library


def _check_references(library: Library) -> None:
    from .data_files import CoachingDataError

    ids = library.ids
    if len(set(ids)) != len(ids):
        raise CoachingDataError("library.toml: duplicate exercise ids")
    for e in library.exercises:
        for other in (*e.progressions, *e.regressions):
            if other not in ids:
                raise CoachingDataError(f"library.toml: {e.id} points to unknown exercise {other!r}")
        if e.min_per_week > e.max_per_week:
            raise CoachingDataError(f"library.toml: {e.id} frequency min > max")

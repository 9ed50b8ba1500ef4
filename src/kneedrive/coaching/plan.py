"""Week-by-week training plans from a goal, the days available, equipment, injuries and the
athlete's limiting factors. Rules in data/plan.toml; exercises from the library."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from ..errors import InputError
from .assess import LimitingFactor
from .data_files import CoachingDataError, load_validated
from .library import Dose, Exercise, load_library

GOALS = ("sprint_speed", "acceleration", "athletic_power", "knee_health")
MAX_WEEKS = 52
WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


@dataclass(frozen=True)
class Role:
    id: str
    what: str
    categories: tuple[str, ...]
    exercises: tuple[str, ...]
    items: int
    every: str | None  # day | training_day | sprint_day; None = weekly frequency
    min_per_week: int
    max_per_week: int
    dose: Dose | None


@dataclass(frozen=True)
class Goal:
    id: str
    what: str
    days: tuple[tuple[str, int], ...]
    prefer: tuple[str, ...]


@dataclass(frozen=True)
class PlanRules:
    training_days: tuple[tuple[int, ...], ...]
    roles: tuple[Role, ...]
    goals: tuple[Goal, ...]

    def role(self, role_id: str) -> Role:
        return next(r for r in self.roles if r.id == role_id)


@cache
def load_plan_rules() -> PlanRules:
    raw = load_validated("plan")
    library_ids = set(load_library().ids)
    roles = []
    for rid, r in raw["role"].items():
        freq = r.get("frequency", {"min_per_week": 7, "max_per_week": 7})
        if ("every" in r) == ("frequency" in r):
            raise CoachingDataError(f"plan.toml: role {rid} needs exactly one of `every` and `frequency`")
        for ex in r.get("exercises", []):
            if ex not in library_ids:
                raise CoachingDataError(f"plan.toml: role {rid} names {ex!r}, not in the library")
        roles.append(
            Role(rid, r["what"], tuple(r.get("categories", [])), tuple(r.get("exercises", [])), r["items"],
                 r.get("every"), freq["min_per_week"], freq["max_per_week"],
                 Dose(**r["dose"]) if "dose" in r else None)
        )  # fmt: skip
    role_ids = {r.id for r in roles}
    goals = []
    for gid, g in raw["goal"].items():
        for rid, n in g["days"].items():
            role = next((r for r in roles if r.id == rid), None)
            if role is None or role.every is not None or not role.min_per_week <= n <= role.max_per_week:
                raise CoachingDataError(f"plan.toml: goal {gid}: {rid} = {n} is not a weekly role within its frequency")
        if not set(g["prefer"]) <= library_ids:
            raise CoachingDataError(f"plan.toml: goal {gid} prefers exercises not in the library")
        goals.append(Goal(gid, g["what"], tuple(g["days"].items()), tuple(g["prefer"])))
    assert role_ids
    return PlanRules(tuple(tuple(d) for d in raw["training_days"]), tuple(roles), tuple(goals))


@dataclass(frozen=True)
class PlanItem:
    exercise_id: str
    name: str
    role: str
    sets: int
    reps: int | None
    time_s: float | None
    distance_m: float | None
    per_side: bool
    rest_s: float
    equipment: tuple[str, ...]
    modify: str = ""  # how to adapt it for the athlete's injury ("modify" contraindications)

    def describe(self) -> str:
        dose = Dose(self.sets, self.rest_s, self.per_side, self.reps, self.time_s, self.distance_m).describe()
        return f"{dose} ({self.modify})" if self.modify else dose


@dataclass(frozen=True)
class PlanDay:
    week: int  # 1-based
    weekday: int  # 0 = Monday
    date: dt.date | None
    training: bool
    items: tuple[PlanItem, ...]

    def roles(self) -> frozenset[str]:
        return frozenset(i.role for i in self.items)


@dataclass(frozen=True)
class Plan:
    goal: str
    weeks: int
    days_per_week: int
    equipment: frozenset[str]
    conditions: frozenset[str]
    limiting_factors: tuple[LimitingFactor, ...]
    days: tuple[PlanDay, ...]
    notes: tuple[str, ...] = field(default=())

    def week(self, n: int) -> tuple[PlanDay, ...]:
        return tuple(d for d in self.days if d.week == n)

    def to_dict(self) -> dict[str, Any]:
        return {
            "goal": self.goal,
            "weeks": self.weeks,
            "days_per_week": self.days_per_week,
            "equipment": sorted(self.equipment),
            "conditions": sorted(self.conditions),
            "limiting_factors": [f.to_dict() for f in self.limiting_factors],
            "notes": list(self.notes),
            "days": [
                {
                    "week": d.week,
                    "weekday": WEEKDAYS[d.weekday],
                    "date": None if d.date is None else d.date.isoformat(),
                    "training": d.training,
                    "items": [
                        {k: v for k, v in vars(i).items() if v is not None} | {"equipment": list(i.equipment)}
                        for i in d.items
                    ],
                }
                for d in self.days
            ],
        }


def level_cap(week: int, weeks: int) -> int:
    """Highest exercise level allowed in `week` (1-based) of a `weeks`-week plan."""
    return min(3, 1 + (3 * (week - 1)) // weeks)


def available(exercise: Exercise, equipment: frozenset[str], conditions: frozenset[str]) -> bool:
    return exercise.needs() <= equipment and not exercise.excluded_by(conditions)


def _spread(count: int, training: tuple[int, ...], offset: int) -> tuple[int, ...]:
    """`count` of the training weekdays, evenly spaced, starting `offset` days in."""
    n = len(training)
    return tuple(sorted({training[(offset + round(i * n / count)) % n] for i in range(count)}))


def _candidates(role: Role, cap: int, equipment: frozenset[str], conditions: frozenset[str]) -> list[Exercise]:
    lib = load_library()
    pool = [lib.get(x) for x in role.exercises] or [e for e in lib.exercises if e.category in role.categories]
    return [e for e in pool if e.level <= cap and available(e, equipment, conditions)]


def _pick(
    role: Role, cap: int, equipment: frozenset[str], conditions: frozenset[str], goal: Goal,
    factors: tuple[LimitingFactor, ...], taken: set[str],
) -> list[Exercise]:  # fmt: skip
    """The role's exercises for one session: those that hit the limiting factors and the goal first,
    then the most advanced the week allows (so the plan progresses as the level cap rises)."""
    weight = {f.barrier: f.score for f in factors}
    order = {x: i for i, x in enumerate(role.exercises)}

    def rank(e: Exercise) -> tuple[float, ...]:
        relevance = sum(weight.get(b, 0) for b in e.addresses) + (2 if e.id in goal.prefer else 0)
        return (-relevance, -e.level, order.get(e.id, 0))

    chosen = [e for e in sorted(_candidates(role, cap, equipment, conditions), key=rank) if e.id not in taken]
    return chosen[: role.items]


def _item(e: Exercise, role: Role, week: int, previous_sets: int, conditions: frozenset[str]) -> PlanItem:
    dose = role.dose or e.dose
    sets = dose.sets if role.dose is not None or week > 1 else max(1, dose.sets - 1)
    modify = "; ".join(
        f"{c.condition.replace('_', ' ')}: {c.note or 'go easy'}"
        for c in e.contraindications
        if c.rule == "modify" and c.condition in conditions
    )
    return PlanItem(e.id, e.name, role.id, max(sets, previous_sets), dose.reps, dose.time_s, dose.distance_m,
                    dose.per_side, dose.rest_s, e.equipment, modify)  # fmt: skip


def build_plan(
    goal: str,
    *,
    weeks: int,
    days_per_week: int,
    equipment: frozenset[str] = frozenset({"none", "wall_or_post"}),
    conditions: frozenset[str] = frozenset(),
    limiting_factors: tuple[LimitingFactor, ...] = (),
    start_date: dt.date | None = None,
) -> Plan:
    rules = load_plan_rules()
    if goal not in GOALS:
        raise InputError(f"unknown goal {goal!r}; choose one of {', '.join(GOALS)}")
    if not 1 <= weeks <= MAX_WEEKS:
        raise InputError(f"--weeks must be 1-{MAX_WEEKS}, got {weeks}")
    if not 1 <= days_per_week <= 7:
        raise InputError(f"--days-per-week must be 1-7, got {days_per_week}")
    known = {k for e in load_library().exercises for k in e.equipment}
    if unknown := sorted(set(equipment) - known):
        raise InputError(f"unknown equipment {', '.join(unknown)}; known: {', '.join(sorted(known))}")
    equipment = frozenset(equipment) | {"none"}
    the_goal = next(g for g in rules.goals if g.id == goal)
    training = rules.training_days[days_per_week - 1]
    schedule: dict[str, tuple[int, ...]] = {}
    for offset, (rid, n) in enumerate(the_goal.days):
        role = rules.role(rid)
        schedule[rid] = _spread(min(n, role.max_per_week, len(training)), training, offset)
    previous: dict[tuple[str, int, int], int] = {}  # (role, weekday, slot) -> sets: never drops
    days = []
    for week in range(1, weeks + 1):
        cap = level_cap(week, weeks)
        sprinting = bool(_candidates(rules.role("sprint"), cap, equipment, conditions))
        sprint_days = set(schedule.get("sprint", ())) if sprinting else set()  # warm-ups only before real sprints
        for weekday in range(7):
            todays = [r for r in rules.roles if _on(r, weekday, training, sprint_days, schedule)]
            items: list[PlanItem] = []
            taken: set[str] = set()
            for role in todays:
                for slot, e in enumerate(_pick(role, cap, equipment, conditions, the_goal, limiting_factors, taken)):
                    item = _item(e, role, week, previous.get((role.id, weekday, slot), 0), conditions)
                    previous[(role.id, weekday, slot)] = item.sets
                    taken.add(e.id)
                    items.append(item)
            date = None if start_date is None else start_date + dt.timedelta(days=7 * (week - 1) + weekday)
            days.append(PlanDay(week, weekday, date, weekday in training, tuple(items)))
    return Plan(goal, weeks, days_per_week, equipment, frozenset(conditions), limiting_factors, tuple(days),
                _notes(the_goal, days_per_week, conditions, schedule))  # fmt: skip


def _on(
    role: Role, weekday: int, training: tuple[int, ...], sprint_days: set[int], schedule: dict[str, tuple[int, ...]]
) -> bool:
    if role.every == "day":
        return True
    if role.every == "training_day":
        return weekday in training
    if role.every == "sprint_day":
        return weekday in sprint_days
    return weekday in schedule.get(role.id, ())


def _notes(
    goal: Goal, days_per_week: int, conditions: frozenset[str], schedule: dict[str, tuple[int, ...]]
) -> tuple[str, ...]:
    notes = [
        goal.what + ".",
        "Start gradually: level-1 exercises first; the band, the step-up and plyometrics come later (003).",
    ]
    if days_per_week < 2:
        notes.append("With 1 training day the seeds' 2-3 strength and 2 hip-flexor sessions a week cannot be met.")
    if "hip_flexor_strain" in conditions:
        notes.append(
            "Hip-flexor strain: ice 20-25 min at a time; hip-flexor and sprint work return once the pain "
            "has gone (004)."
        )
    if "achilles_problems" in conditions:
        notes.append("Achilles problems: no sprinter calves or jumps (001).")
    for other in sorted(conditions - {"hip_flexor_strain", "achilles_problems"}):
        notes.append(
            f"{other.replace('_', ' ').capitalize()}: exercises that load it are left out or adapted (see the notes)."
        )
    if "sprint" in schedule:
        notes.append("Always warm the hip flexors up before sprinting (004); stop a rep when speed fades (000).")
    return tuple(notes)

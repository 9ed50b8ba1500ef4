"""Plan rules as properties (hypothesis): frequencies from the seeds, equipment, contraindications,
gradual start and progression; the iCalendar export parses back."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import icalendar
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kneedrive.coaching import load_library
from kneedrive.coaching.assess import parse_answers, rank_limiting_factors
from kneedrive.coaching.calendar import plan_to_ics
from kneedrive.coaching.plan import GOALS, Plan, build_plan, level_cap
from kneedrive.errors import InputError

EQUIPMENT = sorted({k for e in load_library().exercises for k in e.equipment} - {"none"})
CONDITIONS = ["achilles_problems", "hip_flexor_strain", "hamstring_strain", "knee_pain", "low_back_pain"]


def _days_with(plan: Plan, week: int, role: str) -> int:
    return sum(1 for d in plan.week(week) if role in d.roles())


plans = st.builds(
    lambda goal, weeks, days, equipment, conditions: build_plan(
        goal, weeks=weeks, days_per_week=days, equipment=frozenset(equipment), conditions=frozenset(conditions)
    ),
    st.sampled_from(GOALS),
    st.integers(1, 12),
    st.integers(1, 7),
    st.sets(st.sampled_from(EQUIPMENT)),
    st.sets(st.sampled_from(CONDITIONS), max_size=2),
)


@settings(max_examples=60, deadline=None)
@given(plans)
def test_weekly_frequencies_follow_the_seeds(plan: Plan) -> None:
    for week in range(1, plan.weeks + 1):
        days = plan.week(week)
        assert len(days) == 7
        assert sum(d.training for d in days) == plan.days_per_week
        assert all("mobility" in d.roles() for d in days)  # mobility daily (003)
        assert _days_with(plan, week, "hip_flexor_strength") <= 2  # two days a week (004)
        assert _days_with(plan, week, "strength") <= 3  # 2-3 x a week (003)
        assert _days_with(plan, week, "drills") <= 2  # 1-2 x a week (003)
        assert _days_with(plan, week, "sprint") <= 2
        assert all(d.training or d.roles() == {"mobility"} for d in days)
        for d in days:
            for item in d.items:
                if item.role == "primer":
                    assert (item.sets, item.reps, item.per_side) == (2, 15, True)  # 002
                if item.role == "finisher":
                    assert (item.time_s, item.rest_s) == (30, 30)  # 002
            assert len({i.exercise_id for i in d.items}) == len(d.items)


@settings(max_examples=40, deadline=None)
@given(st.sampled_from(GOALS), st.integers(2, 7), st.integers(1, 12))
def test_with_two_or_more_days_strength_and_hip_flexor_minimums_are_met(goal: str, days: int, weeks: int) -> None:
    plan = build_plan(goal, weeks=weeks, days_per_week=days)
    for week in range(1, weeks + 1):
        assert _days_with(plan, week, "hip_flexor_strength") == 2
        assert 2 <= _days_with(plan, week, "strength") <= 3
        assert 1 <= _days_with(plan, week, "drills") <= 2


@settings(max_examples=60, deadline=None)
@given(plans)
def test_no_missing_equipment_and_no_contraindicated_exercise(plan: Plan) -> None:
    library = load_library()
    for day in plan.days:
        for item in day.items:
            exercise = library.get(item.exercise_id)
            assert exercise.needs() <= plan.equipment, (item.exercise_id, plan.equipment)
            assert not exercise.excluded_by(plan.conditions), (item.exercise_id, plan.conditions)


@settings(max_examples=60, deadline=None)
@given(plans)
def test_gradual_start_and_volume_never_drops(plan: Plan) -> None:
    library = load_library()
    volumes = [sum(i.sets for d in plan.week(w) for i in d.items) for w in range(1, plan.weeks + 1)]
    assert volumes == sorted(volumes)
    for w in range(1, plan.weeks + 1):
        assert all(library.get(i.exercise_id).level <= level_cap(w, plan.weeks) for d in plan.week(w) for i in d.items)
    assert all(library.get(i.exercise_id).level == 1 for d in plan.week(1) for i in d.items)


def test_the_plan_progresses_to_the_band_and_the_step_up() -> None:
    plan = build_plan("athletic_power", weeks=6, days_per_week=4, equipment=frozenset({"band", "box_or_step"}))
    first = {i.exercise_id for d in plan.week(1) for i in d.items}
    last = {i.exercise_id for d in plan.week(6) for i in d.items}
    assert not first & {"banded_single_leg_knee_drive", "step_up_knee_drive", "tuck_jump"}
    assert {"step_up_knee_drive"} <= last and "banded_single_leg_knee_drive" in {
        i.exercise_id for w in (3, 4) for d in plan.week(w) for i in d.items
    }


def test_limiting_factors_steer_the_choice() -> None:
    plain = build_plan("sprint_speed", weeks=4, days_per_week=3)
    core = rank_limiting_factors(parse_answers({"barriers": {"poor_core": 3}}))
    steered = build_plan("sprint_speed", weeks=4, days_per_week=3, limiting_factors=core)

    def count(plan: Plan, category: str) -> int:
        return sum(load_library().get(i.exercise_id).category == category for d in plan.days for i in d.items)

    assert count(steered, "core") >= count(plain, "core")
    drills = Counter(i.exercise_id for d in steered.days for i in d.items if i.role == "drills")
    assert any("poor_core" in load_library().get(x).addresses for x in drills)


def test_contraindications_from_the_assessment_remove_exercises() -> None:
    plan = build_plan("acceleration", weeks=8, days_per_week=4, conditions=frozenset({"achilles_problems"}))
    used = {i.exercise_id for d in plan.days for i in d.items}
    assert not used & {"sprinter_calves", "box_jump", "bounding", "tuck_jump", "power_skips"}
    strained = build_plan("sprint_speed", weeks=4, days_per_week=3, conditions=frozenset({"hip_flexor_strain"}))
    assert not any(d.roles() & {"hip_flexor_strength", "primer"} for d in strained.days)
    assert any("ice 20-25 min" in n for n in strained.notes)


def test_ics_export_parses_back_with_one_event_per_day() -> None:
    start = dt.date(2026, 11, 23)
    plan = build_plan("sprint_speed", weeks=2, days_per_week=3, start_date=start)
    cal = icalendar.Calendar.from_ical(plan_to_ics(plan, created=dt.datetime(2026, 11, 21, tzinfo=dt.UTC)))
    events = cal.walk("VEVENT")
    assert str(cal["VERSION"]) == "2.0" and cal["PRODID"]
    assert len(events) == 14 and len({str(e["UID"]) for e in events}) == 14
    first = events[0]
    assert first.decoded("DTSTART") == start and first.decoded("DTEND") == start + dt.timedelta(days=1)
    assert "W1" in str(first["SUMMARY"]) and "Single-leg knee drive: 2 x 15 reps per side" in str(first["DESCRIPTION"])


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"goal": "marathon"}, "unknown goal"),
        ({"weeks": 0}, "--weeks"),
        ({"days_per_week": 8}, "--days-per-week"),
        ({"equipment": frozenset({"rowing_machine"})}, "unknown equipment"),
    ],
)
def test_bad_plan_requests_are_one_line_errors(kwargs: dict[str, object], message: str) -> None:
    args: dict[str, object] = {"goal": "sprint_speed", "weeks": 4, "days_per_week": 3} | kwargs
    goal = args.pop("goal")
    with pytest.raises(InputError, match=message):
        build_plan(str(goal), **args)  # type: ignore[arg-type]


@settings(max_examples=30, deadline=None)
@given(st.sampled_from(["sprint_speed", "acceleration"]), st.integers(2, 7), st.integers(1, 12))
def test_drive_through_a_few_times_a_week_once_it_is_introduced(goal: str, days: int, weeks: int) -> None:
    plan = build_plan(goal, weeks=weeks, days_per_week=days)
    for week in range(1, weeks + 1):
        if level_cap(week, weeks) >= 2:
            assert 2 <= _days_with(plan, week, "drive_through") <= 3  # 000
        sprint_days = {d.weekday for d in plan.week(week) if "sprint" in d.roles()}
        warm = {d.weekday for d in plan.week(week) if "hip_flexor_warm_up" in d.roles()}
        assert sprint_days == warm  # hip flexors warmed up before every sprint session (004), only then


def test_no_sprint_warm_up_without_sprints() -> None:
    plan = build_plan("sprint_speed", weeks=3, days_per_week=3, conditions=frozenset({"hamstring_strain"}))
    assert not any(d.roles() & {"sprint", "hip_flexor_warm_up"} for d in plan.days)


def test_modify_contraindications_keep_the_exercise_with_advice() -> None:
    plan = build_plan(
        "knee_health",
        weeks=6,
        days_per_week=3,
        conditions=frozenset({"knee_pain"}),
        equipment=frozenset({"box_or_step"}),
    )
    step_ups = [i for d in plan.days for i in d.items if i.exercise_id == "step_up_knee_drive"]
    assert step_ups and all("lower step" in i.describe() for i in step_ups)
    assert not any(i.exercise_id in ("box_jump", "tuck_jump", "pigeon_pose") for d in plan.days for i in d.items)

"""Session timer (injected clock: runs instantly), self-assessment and limiting factors."""

from __future__ import annotations

import pytest

from kneedrive.coaching import load_library
from kneedrive.coaching.assess import (
    Answers,
    interview,
    load_questionnaire,
    parse_answers,
    rank_limiting_factors,
)
from kneedrive.coaching.timer import Interval, Tick, build_schedule, run_schedule, schedule_for, total_s
from kneedrive.errors import InputError


class FakeTime:
    def __init__(self) -> None:
        self.now = 100.0
        self.slept = 0.0

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        assert seconds > 0
        self.now += seconds
        self.slept += seconds


def test_drive_through_schedule_from_the_library_dose() -> None:
    schedule = schedule_for(load_library().get("single_leg_drive_through"))
    work = [i for i in schedule if i.kind == "work"]
    assert [(i.side, i.seconds) for i in work] == [("left", 10), ("right", 10)] * 3
    assert [i.seconds for i in schedule if i.kind == "rest"] == [120, 120]  # no rest after the last set
    assert schedule[0].kind == "get_ready" and schedule[-1].kind == "work"
    assert total_s(schedule) == 5 + 6 * 10 + 3 * 5 + 2 * 120


def test_custom_schedule_labels() -> None:
    schedule = build_schedule(work_s=30, rest_s=30, sets=2, sides="none", get_ready_s=0)
    assert [i.label() for i in schedule] == ["work 30 s", "rest 30 s", "work 30 s"]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [({"work_s": 0}, "--work"), ({"sets": 0}, "--sets"), ({"sides": "middle"}, "--sides"), ({"rest_s": -1}, "--rest")],
)
def test_bad_timer_requests(kwargs: dict[str, object], message: str) -> None:
    args: dict[str, object] = {"work_s": 10.0, "rest_s": 60.0, "sets": 2} | kwargs
    with pytest.raises(InputError, match=message):
        build_schedule(**args)  # type: ignore[arg-type]


def test_rep_dosed_exercises_need_explicit_times() -> None:
    with pytest.raises(InputError, match="not time"):
        schedule_for(load_library().get("a_skip"))


def test_runner_follows_the_clock_and_cues_each_interval() -> None:
    fake = FakeTime()
    started: list[Interval] = []
    ticks: list[Tick] = []
    schedule = build_schedule(work_s=10, rest_s=120, sets=3, sides="both")
    done = run_schedule(schedule, on_start=started.append, on_tick=ticks.append, clock=fake.clock, sleep=fake.sleep)
    assert done == len(schedule) and started == list(schedule)
    assert fake.slept == pytest.approx(total_s(schedule))
    finals = [t for t in ticks if t.remaining_s == 0.0]
    assert [t.number for t in finals] == list(range(len(schedule)))
    assert all(0 <= t.remaining_s <= t.interval.seconds for t in ticks)


def test_runner_stops_cleanly_on_interrupt() -> None:
    fake = FakeTime()
    started: list[Interval] = []

    def sleep(seconds: float) -> None:
        if fake.now > 112:
            raise KeyboardInterrupt
        fake.sleep(seconds)

    with pytest.raises(KeyboardInterrupt):
        run_schedule(
            build_schedule(work_s=10, rest_s=60, sets=2), on_start=started.append, on_tick=lambda t: None,
            clock=fake.clock, sleep=sleep,
        )  # fmt: skip
    assert [i.kind for i in started] == ["get_ready", "work"]


def test_questionnaire_covers_the_barriers_the_seeds_name() -> None:
    q = load_questionnaire()
    ids = {b.id for b in q.barriers}
    # 003 "Common Barriers" + 004 (tight hamstrings/glutes) + 002 (single-leg balance)
    assert {"tight_hip_flexors", "weak_hip_flexors", "weak_posterior_chain", "poor_core", "stiff_ankles",
            "overstriding", "fatigue", "tight_hamstrings_glutes", "poor_balance"} <= ids  # fmt: skip
    assert {"achilles_problems", "hip_flexor_strain"} <= {c.id for c in q.conditions}
    # every barrier the library or the criteria use can be asked about
    assert {b for e in load_library().exercises for b in e.addresses} <= ids


def test_answers_round_trip_and_bad_answers_are_one_line_errors() -> None:
    answers = parse_answers({"barriers": {"poor_core": 2}, "conditions": ["knee_pain"]})
    assert parse_answers(answers.to_dict()) == answers
    with pytest.raises(InputError, match="did you mean poor_core"):
        parse_answers({"barriers": {"poor_cor": 2}})
    with pytest.raises(InputError, match="0-3"):
        parse_answers({"barriers": {"poor_core": 5}})
    with pytest.raises(InputError, match="unknown condition"):
        parse_answers({"conditions": ["sore_toe"]})


def test_interview_asks_every_question() -> None:
    asked: list[str] = []
    answers = interview(lambda b: asked.append(b.id) or 1, lambda c: c.id == "achilles_problems")
    assert len(asked) == len(load_questionnaire().barriers)
    assert answers.conditions == {"achilles_problems"} and answers.score("fatigue") == 1


def test_limiting_factor_scoring_combines_answers_and_video() -> None:
    answers = Answers((("poor_core", 1), ("fatigue", 2)), frozenset())
    faults = [
        {"id": "hunched", "criterion": "hunched_sprint", "severity": "major"},
        {"id": "plantar_flexed_foot", "criterion": "plantar_flexed_foot_sprint", "severity": "minor"},
    ]
    ranked = {f.barrier: f for f in rank_limiting_factors(answers, faults)}
    assert (ranked["poor_core"].score, ranked["poor_core"].video) == (4, 3)  # 1 + major
    assert ranked["poor_posture"].score == 3 and ranked["fatigue"].score == 2
    assert ranked["stiff_ankles"].score == 1 and not ranked["stiff_ankles"].limiting
    order = [f.barrier for f in rank_limiting_factors(answers, faults)]
    assert order.index("poor_core") < order.index("poor_posture") < order.index("fatigue")
    assert rank_limiting_factors(None, []) == ()

"""The coaching commands end to end: drills, assess, plan (JSON, iCalendar), timer --dry-run."""

from __future__ import annotations

import json
from pathlib import Path

import icalendar
import pytest
from typer.testing import CliRunner

from kneedrive.cli import app

runner = CliRunner()


def test_drills_list_filter_detail_and_json() -> None:
    result = runner.invoke(app, ["drills", "--category", "wall_drill", "--json"])
    assert result.exit_code == 0, result.output
    ids = {e["id"] for e in json.loads(result.output)}
    assert {"wall_drill", "single_leg_drive_through", "sprinter_calves"} <= ids
    assert all(e["category"] == "wall_drill" for e in json.loads(result.output))
    banded = json.loads(runner.invoke(app, ["drills", "--equipment", "band", "--json"]).output)
    assert all("band" in e["equipment"] for e in banded) and banded
    detail = runner.invoke(app, ["drills", "sprinter_calves"])
    assert detail.exit_code == 0 and "achilles" in detail.output.lower()
    listing = runner.invoke(app, ["drills"]).output
    assert "52 drills and exercises" in listing and "banded_single_leg_drive_through" in listing


def test_unknown_drill_is_a_one_line_error_with_a_suggestion() -> None:
    result = runner.invoke(app, ["drills", "pistn_run"])
    assert result.exit_code == 2
    assert "did you mean piston_run" in result.output and len(result.output.strip().splitlines()) == 1


def test_assess_without_answers_or_terminal_fails_in_one_line() -> None:
    result = runner.invoke(app, ["assess"], input="")
    assert result.exit_code == 2 and "no answers" in result.output


def test_assess_with_flags_and_video_faults_then_plan_from_both(tmp_path: Path) -> None:
    analysis = tmp_path / "analysis.json"
    demo = runner.invoke(app, ["demo", "--fault", "hunched", "--json", str(analysis)])
    assert demo.exit_code == 0, demo.output
    assert "Run tall" in demo.output  # the terminal report shows the fault's cue
    result = runner.invoke(
        app, ["assess", "--answer", "weak_hip_flexors=2", "--condition", "achilles_problems",
              "--from", str(analysis), "--json"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    top = report["limiting_factors"][0]
    assert top["limiting"] and "hunched" in top["faults"]
    answers = tmp_path / "answers.json"
    answers.write_text(result.output)
    ics = tmp_path / "plan.ics"
    plan = runner.invoke(
        app, ["plan", "--goal", "acceleration", "--weeks", "3", "--days-per-week", "3", "--assess", str(answers),
              "--from", str(analysis), "--start-date", "2026-11-23", "--ics", str(ics), "--json"],
    )  # fmt: skip
    assert plan.exit_code == 0, plan.output
    doc = json.loads(plan.output[: plan.output.rindex("}") + 1])
    assert doc["conditions"] == ["achilles_problems"]
    assert doc["days"][0]["date"] == "2026-11-23" and len(doc["days"]) == 21
    assert {"poor_posture", "poor_core"} & {f["barrier"] for f in doc["limiting_factors"] if f["limiting"]}
    events = icalendar.Calendar.from_ical(ics.read_bytes()).walk("VEVENT")
    assert len(events) == 21


def test_plan_table_and_bad_options() -> None:
    table = runner.invoke(app, ["plan", "--goal", "knee_health", "--weeks", "2", "--days-per-week", "2"])
    assert table.exit_code == 0 and "Week 2" in table.output
    bad = runner.invoke(app, ["plan", "--goal", "knee_health", "--start-date", "next week"])
    assert bad.exit_code == 2 and "YYYY-MM-DD" in bad.output
    missing = runner.invoke(app, ["plan", "--goal", "knee_health", "--assess", "/nonexistent/answers.json"])
    assert missing.exit_code == 2 and "answers.json" in missing.output


def test_timer_dry_run_prints_each_interval_in_seconds() -> None:
    result = runner.invoke(
        app, ["timer", "--work", "10", "--rest", "120", "--sets", "3", "--sides", "both", "--dry-run"]
    )
    assert result.exit_code == 0, result.output
    lines = result.output.strip().splitlines()
    assert lines.count("set 1: work left 10 s") == 1 and sum("rest 120 s" in x for x in lines) == 2
    assert sum(" work " in x for x in lines) == 6 and lines[-1] == "total 320 s"
    drill = runner.invoke(app, ["timer", "single_leg_drive_through", "--dry-run"])
    assert drill.exit_code == 0 and "work right 10 s" in drill.output


def test_timer_errors_are_one_line() -> None:
    assert runner.invoke(app, ["timer", "a_skip"]).exit_code == 2
    assert runner.invoke(app, ["timer"]).exit_code == 2


def test_assess_asks_in_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    import kneedrive.cli

    monkeypatch.setattr(kneedrive.cli, "_can_ask", lambda: True)
    n_barriers = 11
    typed = "3\n" + "0\n" * (n_barriers - 1) + "y\n" + "n\n" * 4
    result = runner.invoke(app, ["assess", "--json"], input=typed)
    assert result.exit_code == 0, result.output
    doc = json.loads(result.output[result.output.index('{\n  "answers"') :])
    assert doc["answers"]["conditions"] == ["achilles_problems"]
    assert doc["limiting_factors"][0] == {
        "barrier": "tight_hip_flexors", "name": "Tight hip flexors", "score": 3, "self_report": 3, "video": 0,
        "faults": [], "limiting": True,
    }  # fmt: skip

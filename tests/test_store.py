"""The coach's store: migrations (a store of the previous revision opens with its sessions intact), sessions
stored from the CLI and the Python API, history, crash safety."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import text
from typer.testing import CliRunner

from kneedrive.cli import app
from kneedrive.store import AnalysisOptions, StoreLocation, analyze_and_store, open_store
from kneedrive.store.database import current_revision, head_revision, make_engine, upgrade
from kneedrive.store.progress import athlete_progress

from .appclient import demo_csv

runner = CliRunner()


@pytest.fixture(scope="module")
def clean_csv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return demo_csv(tmp_path_factory.mktemp("csv") / "monday.csv")


@pytest.fixture(scope="module")
def low_knee_csv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return demo_csv(tmp_path_factory.mktemp("csv") / "friday.csv", ("low_knee",))


def test_a_store_of_the_first_revision_opens_after_migration_with_its_sessions(tmp_path: Path) -> None:
    from kneedrive.demo import run_demo

    record_doc = run_demo("sprint", []).analysis.record.to_dict(include_series=False)
    location = StoreLocation.resolve(tmp_path)
    tmp_path.mkdir(exist_ok=True)
    engine = make_engine(location.db_url, immediate=True)
    upgrade(engine, "0001")  # the previous release's schema
    assert current_revision(engine) == "0001"
    with engine.begin() as conn:
        conn.execute(
            text("INSERT INTO athletes (id, name, height_m, notes, created_at) VALUES (7, 'Old Ana', 1.7, '', :t)"),
            {"t": dt.datetime(2026, 1, 5)},
        )
        for i, day in enumerate(("2026-01-05", "2026-02-02")):
            conn.execute(
                text(
                    "INSERT INTO sessions (id, athlete_id, recorded_on, created_at, activity, activity_label, "
                    "input_name, input_sha256, input_kind, options_json, status, record_json, outputs_json) VALUES "
                    "(:id, 7, :day, :t, 'sprint', 'Sprint / run', :name, :sha, 'keypoints', '{}', 'done', :rec, '[]')"
                ),
                {
                    "id": f"{i:032x}",
                    "day": day,
                    "t": dt.datetime(2026, 1, 5 + i),
                    "name": f"clip{i}.csv",
                    "sha": "0" * 64,
                    "rec": json.dumps(record_doc),
                },
            )
    engine.dispose()

    store = open_store(tmp_path)
    assert current_revision(store._writer) == head_revision() != "0001"
    sessions = store.sessions()
    assert [s.input_name for s in sessions] == ["clip0.csv", "clip1.csv"]
    assert [s.athlete_name for s in sessions] == ["Old Ana", "Old Ana"]
    assert all(s.status == "done" and s.progress.done == 0 for s in sessions)
    record = store.record(sessions[1].id)
    assert record.summary.thigh_angle_peak_deg == pytest.approx(record_doc["summary"]["thigh_angle_peak_deg"])
    assert store.athlete(7).sessions == 2
    store.add_plan(7, "sprint_speed", {"plan": {}}, session_id=sessions[0].id)  # the new table is there
    assert store.plans(7)[0][2] == "sprint_speed"


@pytest.mark.slow
def test_analyze_and_store_keeps_the_session_and_its_report(tmp_path: Path, clean_csv: Path) -> None:
    store = open_store(tmp_path)
    store.add_athlete("Ana", height_m=1.8)
    analysis, stored = analyze_and_store(clean_csv, "ana", store=store, recorded_on=dt.date(2026, 3, 1))
    assert stored.athlete_name == "Ana" and stored.status == "done" and stored.activity == "sprint"
    assert stored.options.athlete_height_m == 1.8  # the athlete's stored height gave the scale
    assert {"report.html", "analysis.json", "steps.csv", "keypoints.csv", "keypoints.trc"} <= set(stored.outputs)
    assert all((store.session_dir(stored.id) / name).is_file() for name in stored.outputs)
    loaded = store.record(stored.id, with_series=True)
    assert loaded.summary == analysis.record.summary and loaded.series is not None
    assert not list(store.location.sessions_dir.glob(".*"))  # no partial folder left


@pytest.mark.slow
def test_progress_follows_the_knee_drive_over_sessions(tmp_path: Path, clean_csv: Path, low_knee_csv: Path) -> None:
    store = open_store(tmp_path)
    analyze_and_store(low_knee_csv, "Ben", store=store, recorded_on=dt.date(2026, 1, 1))
    analyze_and_store(clean_csv, "Ben", store=store, recorded_on=dt.date(2026, 2, 1))
    done = store.sessions(status="done")
    progress = athlete_progress(list(zip(done, store.records(done), strict=True)))
    knee = next(s for s in progress.series if s.metric.name == "thigh_angle_peak_deg")
    assert [p.recorded_on.month for p in knee.points] == [1, 2]
    assert knee.points[1].value > knee.points[0].value + 10  # the low knee went away
    assert knee.band is not None and knee.band.low == 60.0  # criteria.toml: low_knee_sprint
    low_knee = next(r for r in progress.faults[0].rows if r.fault == "low_knee")
    assert low_knee.severities[0] is not None and low_knee.severities[1] is None and low_knee.trend == "gone"


@pytest.mark.slow
def test_cli_analyze_athlete_then_history_and_athletes(tmp_path: Path, clean_csv: Path) -> None:
    args = ["--data-dir", str(tmp_path)]
    done = runner.invoke(app, ["analyze", str(clean_csv), "--athlete", "Cara", "--date", "2026-04-02", *args])
    assert done.exit_code == 0, done.output
    assert "stored session" in done.output
    history = runner.invoke(app, ["history", "--athlete", "Cara", "--json", *args])
    assert history.exit_code == 0
    rows = json.loads(history.output)
    assert len(rows) == 1 and rows[0]["recorded_on"] == "2026-04-02"
    assert rows[0]["figures"]["thigh_angle_peak_deg"] == pytest.approx(79.7, abs=2)
    table = runner.invoke(app, ["history", *args], env={"COLUMNS": "250"})
    assert "Cara" in table.output and "2026-04-02" in table.output
    athletes = runner.invoke(app, ["athletes", "--json", *args])
    assert [a["name"] for a in json.loads(athletes.output)] == ["Cara"]


def test_the_data_dir_comes_from_the_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KNEEDRIVE_DATA_DIR", str(tmp_path / "env"))
    assert StoreLocation.resolve().data_dir == (tmp_path / "env").resolve()
    assert StoreLocation.resolve(tmp_path / "flag").db_url.endswith("flag/kneedrive.sqlite3")
    assert StoreLocation.resolve(tmp_path, "sqlite:///x.db").db_url == "sqlite:///x.db"


def test_bad_athlete_and_unknown_names_are_one_line_errors(tmp_path: Path) -> None:
    store = open_store(tmp_path)
    store.add_athlete("Dee")
    for bad, message in (
        (lambda: store.add_athlete(" dee "), "already"),
        (lambda: store.add_athlete("   "), "needs a name"),
        (lambda: store.add_athlete("E", height_m=180), "metres"),
        (lambda: store.athlete_named("nobody"), "no athlete"),
    ):
        with pytest.raises(Exception, match=message):
            bad()
    with pytest.raises(Exception, match="must be a number"):
        AnalysisOptions(capture_fps=float("nan"))
    result = runner.invoke(app, ["history", "--athlete", "nobody", "--data-dir", str(tmp_path)])
    assert result.exit_code == 2 and "no athlete called 'nobody'" in result.output
    bad = tmp_path / "hips.csv"
    bad.write_text("time_s,left_hip_x,left_hip_y\n0,1,2\n0.1,1,2\n")
    failed = runner.invoke(app, ["analyze", str(bad), "--athlete", "Newcomer", "--data-dir", str(tmp_path)])
    assert failed.exit_code == 2
    assert [a.name for a in store.athletes()] == ["Dee"]  # a failed analysis stores nothing, not even the name


WRITER = """
import sys
from pathlib import Path
from kneedrive.store import open_store
store = open_store(Path(sys.argv[1]))
print("ready", flush=True)
i = 0
while True:
    store.add_athlete(f"athlete {i:05d}", notes="x" * 2000)
    i += 1
"""


@pytest.mark.slow
def test_the_store_survives_kill_9_mid_write(tmp_path: Path) -> None:
    child = subprocess.Popen([sys.executable, "-c", WRITER, str(tmp_path)], stdout=subprocess.PIPE, text=True)
    assert child.stdout is not None and child.stdout.readline().strip() == "ready"
    time.sleep(1.5)
    child.kill()  # SIGKILL: no clean-up, transactions cut wherever they are
    child.wait()
    with sqlite3.connect(tmp_path / "kneedrive.sqlite3") as db:
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    names = [a.name for a in open_store(tmp_path).athletes()]
    assert len(names) > 10
    assert names == [f"athlete {i:05d}" for i in range(len(names))]  # every committed row whole, no gap

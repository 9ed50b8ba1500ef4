"""The store on a real PostgreSQL server (`--db postgresql://...`, a club's server): the migrations, a
session's round trip, a store of the first revision migrated, and moving a store from PostgreSQL to the
SQLite file of a laptop by archive. The server is Debian's `postgresql` package, started for these tests in
a temporary folder on loopback; they are skipped when it or the driver (the `postgres` extra) is missing.
Without a driver, the URL is one `error:` line that names the extra."""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text
from typer.testing import CliRunner

from kneedrive.cli import app
from kneedrive.record import AnalysisRecord
from kneedrive.store import AnalysisOptions, open_store
from kneedrive.store import database as database_module
from kneedrive.store.archive import export_store, import_store
from kneedrive.store.database import current_revision, head_revision, make_engine, resolve_url, upgrade

from .test_store_archive import _fill, _snapshot
from .test_store_archive import record as record  # the module's fixture

runner = CliRunner()


def test_a_plain_postgresql_url_uses_the_installed_driver(monkeypatch: pytest.MonkeyPatch) -> None:
    installed = {"psycopg"}
    monkeypatch.setattr(database_module, "_has", lambda module: module in installed)
    assert resolve_url("postgresql://coach@club/kd") == "postgresql+psycopg://coach@club/kd"
    installed.add("psycopg2")
    assert resolve_url("postgresql://coach@club/kd") == "postgresql://coach@club/kd"
    assert resolve_url("sqlite:///x.db") == "sqlite:///x.db"


def test_no_driver_is_one_error_line_naming_the_extra(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(database_module, "_has", lambda module: False)
    for url, says in (
        (
            "postgresql://coach:secret@club.local/kd",
            "no PostgreSQL driver is installed (pip install 'kneedrive[postgres]')",
        ),
        ("postgresql+psycopg://coach:secret@club.local/kd", "the psycopg driver is not installed"),
    ):
        result = runner.invoke(app, ["athletes", "--db", url, "--data-dir", str(tmp_path)])
        assert result.exit_code == 2
        (line,) = result.stderr.splitlines()
        assert line.startswith("error: cannot open the store at postgresql") and says in line
        assert "secret" not in line and "coach:***@club.local" in line  # the password is never printed


# --- a real server ------------------------------------------------------------------------------------


def _server_bin() -> Path | None:
    found = shutil.which("pg_ctl")
    if found:
        return Path(found).resolve().parent
    versions = sorted(Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"), key=lambda p: int(p.parts[-3]))
    return versions[-1].parent if versions else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@pytest.fixture(scope="module")
def postgres() -> Iterator[str]:
    """The URL of a fresh PostgreSQL server on loopback (its superuser `kd`, trust authentication)."""
    pytest.importorskip("psycopg", reason="the postgres extra (psycopg) is not installed")
    binaries = _server_bin()
    if binaries is None:
        pytest.skip("no PostgreSQL server installed (Debian: apt-get install postgresql)")
    run_as: list[str] = []
    base = Path(tempfile.mkdtemp(prefix="kneedrive-pg-"))
    if os.geteuid() == 0:  # the server refuses to run as root: as Debian's postgres user
        try:
            user = pwd.getpwnam("postgres")
        except KeyError:
            shutil.rmtree(base)
            pytest.skip("running as root and there is no postgres user to run the server")
        os.chown(base, user.pw_uid, user.pw_gid)
        run_as = ["runuser", "-u", "postgres", "--"]
    data, port = base / "data", _free_port()
    try:
        subprocess.run(
            [*run_as, str(binaries / "initdb"), "-D", str(data), "-A", "trust", "-U", "kd", "--no-sync"],
            check=True,
            capture_output=True,
        )
        options = f"-k {base} -p {port} -c listen_addresses=127.0.0.1 -c fsync=off"
        subprocess.run(
            [*run_as, str(binaries / "pg_ctl"), "-D", str(data), "-o", options, "-l", str(base / "log"), "-w", "start"],
            check=True,
            capture_output=True,
            timeout=60,
        )
    except (subprocess.CalledProcessError, subprocess.TimeoutExpired) as exc:
        shutil.rmtree(base, ignore_errors=True)
        pytest.fail(f"the PostgreSQL server did not start: {exc}")
    try:
        yield f"postgresql://kd@127.0.0.1:{port}"
    finally:
        subprocess.run(
            [*run_as, str(binaries / "pg_ctl"), "-D", str(data), "-m", "fast", "-w", "stop"],
            capture_output=True,
            timeout=60,
            check=False,
        )
        shutil.rmtree(base, ignore_errors=True)


@pytest.fixture
def database(postgres: str, request: pytest.FixtureRequest) -> str:
    """A new, empty database on the server for one test."""
    import psycopg

    name = "kd_" + request.node.name.lower().replace("[", "_").replace("]", "")[:50]
    with contextlib.closing(psycopg.connect(f"{postgres}/postgres", autocommit=True)) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')
    return f"{postgres}/{name}"


@pytest.mark.slow
def test_the_store_on_postgresql_keeps_sessions_and_their_records(
    tmp_path: Path, database: str, record: AnalysisRecord
) -> None:
    store = open_store(tmp_path / "files", database)
    assert current_revision(store._writer) == head_revision()
    assert store._writer.dialect.name == "postgresql"
    _fill(store, record, tmp_path)
    sessions = store.sessions()
    assert [s.status for s in sessions] == ["done", "done", "failed", "queued"]
    assert [a.name for a in store.athletes()] == ["Ana", "Ben"]
    loaded = store.record(sessions[0].id, with_series=True)
    assert loaded.to_dict() == AnalysisRecord.from_dict(record.to_dict()).to_dict()
    with pytest.raises(Exception, match="already an athlete"):
        store.add_athlete("ana")
    history = runner.invoke(app, ["history", "--json", "--data-dir", str(tmp_path / "files"), "--db", database])
    assert history.exit_code == 0, history.output
    rows = json.loads(history.output)
    assert [r["status"] for r in rows] == ["done", "done", "failed", "queued"]
    assert rows[0]["figures"]["thigh_angle_peak_deg"] == pytest.approx(record.summary.thigh_angle_peak_deg)
    queued = store.claim_next()
    assert queued is not None and queued.status == "running" and store.claim_next() is None
    with pytest.raises(Exception, match="is running"):
        store.delete_athlete(queued.athlete_id)
    store.fail(queued.id, "stopped")
    store.delete_athlete(store.athlete_named("Ben").id)
    assert [s.athlete_name for s in store.sessions()] == ["Ana", "Ana"]
    assert store.plans(store.athlete_named("Ana").id)[0][2] == "sprint_speed"
    store.close()


@pytest.mark.slow
def test_a_store_of_the_first_revision_on_postgresql_migrates(
    tmp_path: Path, database: str, record: AnalysisRecord
) -> None:
    engine = make_engine(database, immediate=True)
    upgrade(engine, "0001")
    with engine.begin() as conn:
        conn.execute(
            text("INSERT INTO athletes (id, name, height_m, notes, created_at) VALUES (7, 'Old Ana', 1.7, '', :t)"),
            {"t": dt.datetime(2026, 1, 5)},
        )
        conn.execute(
            text(
                "INSERT INTO sessions (id, athlete_id, recorded_on, created_at, activity, activity_label, input_name, "
                "input_sha256, input_kind, options_json, status, record_json, outputs_json) VALUES (:id, 7, :day, :t, "
                "'sprint', 'Sprint / run', 'old.csv', :sha, 'keypoints', '{}', 'done', :rec, '[]')"
            ),
            {
                "id": "a" * 32,
                "day": dt.date(2026, 1, 5),
                "t": dt.datetime(2026, 1, 5),
                "sha": "0" * 64,
                "rec": json.dumps(record.to_dict(include_series=False)),
            },
        )
    engine.dispose()
    store = open_store(tmp_path, database)
    assert current_revision(store._writer) == head_revision() != "0001"
    (session,) = store.sessions()
    assert session.athlete_name == "Old Ana" and session.progress.done == 0
    assert store.record(session.id).summary == record.summary
    store.add_plan(7, "sprint_speed", {"plan": {}}, session_id=session.id)
    store.close()


@pytest.mark.slow
def test_a_store_moves_from_postgresql_to_a_laptop_by_archive(
    tmp_path: Path, database: str, record: AnalysisRecord
) -> None:
    club = open_store(tmp_path / "club-files", database)
    _fill(club, record, tmp_path)
    summary = export_store(club, tmp_path / "club.zip")
    laptop = open_store(tmp_path / "laptop")
    plan = import_store(laptop, summary.path)
    assert plan.sessions_new == 3 and plan.athletes_new == ("Ana", "Ben")
    assert _snapshot(laptop) == _snapshot(club)
    back = import_store(club, summary.path)  # and back again: nothing twice
    assert back.sessions_new == 0 and back.sessions_skipped == 3
    options = {s.options for s in laptop.sessions()}
    assert AnalysisOptions(athlete_height_m=1.78) in options
    club.close()

"""One error style for every command: bad arguments and bad files end in exactly one line `error: ...` on
stderr and exit code 2 (no traceback, no usage box)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from kneedrive.cli import app

runner = CliRunner()

COMMANDS = sorted(c.name for c in app.registered_commands if c.name)

#: Files a test folder holds: name -> content (None: the file is absent).
FILES: dict[str, str | None] = {
    "missing.csv": None,
    "missing.json": None,
    "missing.mp4": None,
    "empty.csv": "",
    "hips_only.csv": "time_s,left_hip_x,left_hip_y\n0,1,2\n0.1,1,2\n",
    "garbage.mp4": "this is not a video",
    "garbage.json": "{not json",
    "list.json": "[1, 2]",
    "not_an_analysis.json": '{"hello": 1}',
    "existing_file": "I am a file, not a folder",
}

#: Per command, bad invocations ({dir} is the test folder).
BAD: dict[str, list[list[str]]] = {
    "analyze": [
        ["--bogus", "{dir}/hips_only.csv"],
        [],
        ["{dir}/missing.csv"],
        ["{dir}"],
        ["{dir}/empty.csv"],
        ["{dir}/hips_only.csv"],
        ["{dir}/hips_only.csv", "--fps", "fast"],
        ["{dir}/hips_only.csv", "--athlete-height-m", "-3"],
        ["{dir}/garbage.mp4"],
        ["{dir}/existing_file"],
        ["{dir}/hips_only.csv", "--athlete", "Ana", "--date", "soon", "--data-dir", "{dir}/store"],
        ["{dir}/hips_only.csv", "--athlete", "Ana", "--data-dir", "{dir}/store"],
        ["{dir}/hips_only.csv", "--athlete", "  ", "--data-dir", "{dir}/store"],
        ["{dir}/hips_only.csv", "--athlete", "Ana", "--data-dir", "{dir}/existing_file"],
    ],
    "history": [
        ["--bogus"],
        ["--athlete", "nobody", "--data-dir", "{dir}/store"],
        ["--data-dir", "{dir}/existing_file"],
        ["--db", "nosuchdatabase://x", "--data-dir", "{dir}/store"],
        ["--db", "not a url", "--data-dir", "{dir}/store"],
    ],
    "athletes": [["--bogus"], ["--data-dir", "{dir}/existing_file"], ["--db", "sqlite:///{dir}/existing_file/x.db"]],
    "serve": [
        ["--bogus"],
        ["--port", "many"],
        ["--max-upload-mb", "lots"],
        ["--data-dir", "{dir}/existing_file"],
    ],
    "pose": [
        ["--bogus"],
        ["{dir}/missing.mp4", "-o", "{dir}/k.csv"],
        ["{dir}/garbage.mp4", "-o", "{dir}/k.csv"],
        ["{dir}/garbage.mp4"],
        ["{dir}/garbage.mp4", "-o", "{dir}/k.csv", "--pose-model", "no_such_module:Model"],
    ],
    "people": [
        ["--bogus"],
        ["{dir}/missing.mp4", "-o", "{dir}/p.png"],
        ["{dir}/garbage.mp4", "-o", "{dir}/p.png"],
        ["{dir}/garbage.mp4", "-o", "{dir}/p.png", "--pose-model", "nocolon"],
    ],
    "demo": [
        ["--bogus"],
        ["--fault", "slow_arms"],
        ["--drill", "moonwalk"],
        ["--drill", "wall_drill", "--fault", "slow_arms"],
        ["--fps", "fast"],
        ["--fps", "0"],
    ],
    "report": [
        ["--bogus"],
        ["{dir}/missing.json", "-o", "{dir}/r.html"],
        ["{dir}/garbage.json", "-o", "{dir}/r.html"],
        ["{dir}/list.json", "-o", "{dir}/r.html"],
        ["{dir}/not_an_analysis.json", "-o", "{dir}/r.html"],
        ["{dir}/not_an_analysis.json"],
    ],
    "drills": [["--bogus"], ["pistn_run"], ["--category", "nope"], ["a", "b"]],
    "assess": [
        ["--bogus"],
        ["--answer", "weak_hip_flexors"],
        ["--answer", "weak_hip_flexor=2"],
        ["--answer", "weak_hip_flexors=7"],
        ["--condition", "broken_leg"],
        ["--answers", "{dir}/missing.json"],
        ["--answers", "{dir}/garbage.json"],
        ["--answers", "{dir}/list.json"],
        ["--answers", "{dir}/not_an_analysis.json"],
        ["--answer", "weak_hip_flexors=2", "--from", "{dir}/missing.json"],
        ["--answer", "weak_hip_flexors=2", "--from", "{dir}/garbage.json"],
    ],
    "plan": [
        ["--bogus"],
        [],
        ["--goal", "be_fast"],
        ["--goal", "knee_health", "--weeks", "many"],
        ["--goal", "knee_health", "--start-date", "next week"],
        ["--goal", "knee_health", "--assess", "{dir}/missing.json"],
        ["--goal", "knee_health", "--from", "{dir}/garbage.json"],
        ["--goal", "knee_health", "--condition", "broken_leg"],
        ["--goal", "knee_health", "--ics", "{dir}/existing_file/plan.ics"],
    ],
    "batch": [  # each refused before anything runs (no cluster is started)
        ["--bogus"],
        [],
        ["{dir}/hips_only.csv"],
        ["{dir}/missing.csv", "--out", "{dir}/batch"],
        ["{dir}/*.mov", "--out", "{dir}/batch"],
        ["{dir}/hips_only.csv", "--out", "{dir}/existing_file"],
        ["{dir}/hips_only.csv", "--out", "{dir}/batch", "--drill", "moonwalk"],
        ["{dir}/hips_only.csv", "--out", "{dir}/batch", "--view", "top"],
        ["{dir}/hips_only.csv", "--out", "{dir}/batch", "--athletes", "{dir}/missing.csv"],
        ["{dir}/hips_only.csv", "--out", "{dir}/batch", "--athletes", "{dir}/garbage.json"],
        ["{dir}/hips_only.csv", "--out", "{dir}/batch", "--workers", "0"],
        ["{dir}/hips_only.csv", "--out", "{dir}/batch", "--workers", "2", "--scheduler", "tcp://127.0.0.1:1"],
        ["{dir}/hips_only.csv", "--out", "{dir}/batch", "--no-store", "--data-dir", "{dir}/store"],
        ["{dir}/hips_only.csv", "--out", "{dir}/batch", "--data-dir", "{dir}/store", "--db", "nosuchdb://x"],
    ],
    "timer": [
        ["--bogus"],
        [],
        ["a_skip"],
        ["no_such_drill"],
        ["--work", "ten"],
        ["--work", "10", "--sides", "nope"],
    ],
}


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("bad")
    for name, content in FILES.items():
        if content is not None:
            (path / name).write_text(content)
    return path


def test_every_command_has_bad_cases() -> None:
    assert set(BAD) == set(COMMANDS)


def _cases() -> list[tuple[str, list[str]]]:
    return [(command, args) for command, bad in BAD.items() for args in bad]


@pytest.mark.parametrize(("command", "args"), _cases(), ids=lambda v: v if isinstance(v, str) else " ".join(v))
def test_a_bad_argument_or_file_is_one_error_line_and_exit_2(folder: Path, command: str, args: list[str]) -> None:
    argv = [command, *(a.replace("{dir}", str(folder)) for a in args)]
    result = runner.invoke(app, argv)
    assert result.exit_code == 2, (argv, result.stdout, result.stderr, result.exception)
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), (argv, result.stderr)
    assert "Traceback" not in result.stdout


def test_demo_out_onto_a_file_is_one_line_not_a_traceback(tmp_path: Path) -> None:
    """As a real process (the console script's exit path): the drill demo's --out used to end in a traceback."""
    existing = tmp_path / "existing"
    existing.write_text("a file")
    done = subprocess.run(
        [sys.executable, "-m", "kneedrive.cli", "demo", "--drill", "wall_drill", "--fps", "60", "--out", str(existing)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 2, done.stderr
    assert done.stderr.splitlines() == [f"error: --out {existing}: exists and is not a folder"]


def test_usage_errors_name_the_option_and_point_to_the_help() -> None:
    result = runner.invoke(app, ["analyze", "--fsp", "30", "x.csv"], prog_name="kneedrive")
    assert result.exit_code == 2
    assert result.stderr.startswith("error: No such option: --fsp")
    assert result.stderr.rstrip().endswith("(see 'kneedrive analyze --help')")


def test_no_arguments_shows_the_help() -> None:
    result = runner.invoke(app, [])
    assert result.exit_code == 2 and "analyze" in result.output and "error:" not in result.output


def test_a_bug_is_one_line_that_says_where_its_traceback_was_logged(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """A programming error is not bad input (exit 1, not 2), and not a raw traceback: its traceback is kept in
    the user's log folder and the one line says where."""
    import kneedrive.demo

    def broken(*args: object, **kwargs: object) -> None:
        raise ZeroDivisionError("bug")

    monkeypatch.setattr(kneedrive.demo, "run_demo", broken)
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path))  # platformdirs' user_log_dir on Linux
    monkeypatch.setenv("HOME", str(tmp_path))
    result = runner.invoke(app, ["demo"])
    assert result.exit_code == 1 and "Traceback" not in result.output
    (line,) = [x for x in result.output.splitlines() if x.strip()]
    assert line.startswith("error: internal error (ZeroDivisionError: bug)")
    logged = Path(line.split("the full traceback is in ", 1)[1].split("; please report it")[0])
    assert "ZeroDivisionError" in logged.read_text() and "Traceback" in logged.read_text()


def test_an_embedding_caller_gets_the_exceptions(tmp_path: Path) -> None:
    command = typer.main.get_command(app)
    with pytest.raises(Exception, match="does not exist"):
        command.main(["analyze", str(tmp_path / "missing.csv")], standalone_mode=False)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["analyze", "{csv}", "--start", "1"], "--start applies to video input only"),
        (["analyze", "{csv}", "--person", "2", "--capture-fps", "240"], "--person, --capture-fps applies to video"),
        (["analyze", "{csv}", "--json", "{tmp}"], "is a folder, not a file"),
        (["timer", "single_leg_drive_through", "--sets", "100000000", "--dry-run"], "--sets"),
        (["timer", "single_leg_drive_through", "--sets", "0", "--dry-run"], "--sets"),
        (["plan", "--goal", "sprint_speed", "--start-date", "9999-12-31"], "--start-date 9999-12-31 is outside"),
    ],
)
def test_options_that_cannot_apply_are_one_line_errors(tmp_path: Path, args: list[str], message: str) -> None:
    csv = tmp_path / "d.csv"
    assert runner.invoke(app, ["demo", "--csv", str(csv)]).exit_code == 0
    filled = [a.format(csv=csv, tmp=tmp_path) for a in args]
    result = runner.invoke(app, filled)
    assert result.exit_code == 2, result.output
    errors = [line for line in result.output.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and message in errors[0], result.output
    assert not list(tmp_path.glob(".*.part"))  # nothing half-written left behind

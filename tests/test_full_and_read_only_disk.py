"""Full and read-only file systems (issue 17): every command that writes a file ends in one `error:` line
that names the file or folder the user gave (not a hidden temporary one, nor none at all: a full disk's
error carries no file name), exits 2, and leaves the target folder exactly as it was.

As root the test mounts a small tmpfs, fills it to the last block or remounts it read-only, and unmounts it
afterwards. Without root, a folder without write permission stands in for the read-only file system and a
file-size limit (RLIMIT_FSIZE, in a child process) for the full disk.
"""

from __future__ import annotations

import os
import resource
import shutil
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kneedrive.cli import app

runner = CliRunner()
ROOT = os.geteuid() == 0 and shutil.which("mount") is not None

#: command line (with {dir}: the file system under test, {src}: inputs elsewhere) -> the path it must name
WRITES: dict[str, tuple[list[str], str]] = {
    "demo --csv": (["demo", "--csv", "{dir}/demo.csv"], "{dir}/demo.csv"),
    "demo --json": (["demo", "--json", "{dir}/demo.json"], "{dir}/demo.json"),
    "analyze --json": (["analyze", "{src}/demo.csv", "--json", "{dir}/analysis.json"], "{dir}/analysis.json"),
    "analyze --out": (["analyze", "{src}/demo.csv", "--out", "{dir}/out"], "{dir}/out"),
    "report": (["report", "{src}/analysis.json", "-o", "{dir}/report.html"], "{dir}/report.html"),
    "plan --ics": (["plan", "--goal", "sprint_speed", "--ics", "{dir}/plan.ics"], "{dir}/plan.ics"),
}


@pytest.fixture(scope="module")
def inputs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("inputs")
    csv, analysis = folder / "demo.csv", folder / "analysis.json"
    assert runner.invoke(app, ["demo", "--csv", str(csv), "--json", str(analysis)]).exit_code == 0
    return folder


def _mount(*args: str | Path) -> None:
    subprocess.run(["mount", *map(str, args)], check=True, capture_output=True)


@pytest.fixture
def tmpfs(tmp_path: Path) -> Iterator[Path]:
    """A 256 KiB tmpfs holding one file of the user's; unmounted afterwards."""
    target = tmp_path / "fs"
    target.mkdir()
    try:
        _mount("-t", "tmpfs", "-o", "size=256k", "tmpfs", target)
    except subprocess.CalledProcessError as exc:
        pytest.skip(f"cannot mount a tmpfs here: {exc.stderr.decode().strip()}")
    try:
        (target / "notes.txt").write_text("the coach's own file")
        yield target
    finally:
        subprocess.run(["umount", "-l", str(target)], check=False, capture_output=True)


def _fill(folder: Path) -> None:
    with open(folder / "filler", "wb", buffering=0) as handle:
        try:
            while True:
                handle.write(b"\0" * 4096)
        except OSError:  # full
            pass
    with pytest.raises(OSError, match="No space left"):
        (folder / "probe").write_bytes(b"x" * 4096)
    (folder / "probe").unlink(missing_ok=True)


def _contents(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() if p.is_file() else b"<folder>" for p in folder.iterdir()}


def _check(argv: list[str], target: str, output: str, code: int, before: dict[str, bytes], folder: Path) -> None:
    lines = output.strip().splitlines()
    assert code == 2, (argv, output)
    assert [line for line in lines if line.startswith("error:")] == lines[-1:], output
    assert lines[-1].startswith(f"error: {target}: "), (lines[-1], target)
    assert "Traceback" not in output and ".part" not in output
    assert _contents(folder) == before  # no partial file, no hidden temporary file or folder


def _args(case: str, folder: Path, inputs: Path) -> tuple[list[str], str]:
    argv, target = WRITES[case]
    fill = {"{dir}": str(folder), "{src}": str(inputs)}
    for key, value in fill.items():
        argv = [a.replace(key, value) for a in argv]
        target = target.replace(key, value)
    return argv, target


@pytest.mark.skipif(not ROOT, reason="mounting a tmpfs needs root")
@pytest.mark.parametrize("case", sorted(WRITES))
def test_a_full_disk_is_one_error_line_naming_the_file(tmpfs: Path, inputs: Path, case: str) -> None:
    _fill(tmpfs)
    before = _contents(tmpfs)
    argv, target = _args(case, tmpfs, inputs)
    result = runner.invoke(app, argv)
    _check(argv, target, result.stderr, result.exit_code, before, tmpfs)
    assert result.stderr.strip().endswith("No space left on device")


@pytest.mark.skipif(not ROOT, reason="mounting needs root (without it: test_a_read_only_folder_...)")
@pytest.mark.parametrize("case", sorted(WRITES))
def test_a_read_only_file_system_is_one_error_line_naming_the_file(tmpfs: Path, inputs: Path, case: str) -> None:
    _mount("-o", "remount,ro", tmpfs)
    before = _contents(tmpfs)
    argv, target = _args(case, tmpfs, inputs)
    result = runner.invoke(app, argv)
    _check(argv, target, result.stderr, result.exit_code, before, tmpfs)
    assert result.stderr.strip().endswith("Read-only file system")


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into folders without write permission")
@pytest.mark.parametrize("case", sorted(WRITES))
def test_a_read_only_folder_is_one_error_line_naming_the_file(tmp_path: Path, inputs: Path, case: str) -> None:
    folder = tmp_path / "locked"
    folder.mkdir()
    (folder / "notes.txt").write_text("the coach's own file")
    before = _contents(folder)
    argv, target = _args(case, folder, inputs)
    folder.chmod(0o555)
    try:
        result = runner.invoke(app, argv)
    finally:
        folder.chmod(0o755)
    _check(argv, target, result.stderr, result.exit_code, before, folder)


def _limit_file_size() -> None:
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails (EFBIG) instead of killing
    resource.setrlimit(resource.RLIMIT_FSIZE, (4096, 4096))


@pytest.mark.slow  # a child process per command; as root the tmpfs cases above run in the fast lane
@pytest.mark.parametrize("case", sorted(WRITES))
def test_a_file_size_limit_is_one_error_line_naming_the_file(tmp_path: Path, inputs: Path, case: str) -> None:
    """Without root, the stand-in for a full disk: every file stops growing at 4 KiB."""
    folder = tmp_path / "limited"
    folder.mkdir()
    before = _contents(folder)
    argv, target = _args(case, folder, inputs)
    done = subprocess.run(
        [sys.executable, "-m", "kneedrive.cli", *argv],
        capture_output=True,
        text=True,
        check=False,
        preexec_fn=_limit_file_size,
        env={**os.environ, "KNEEDRIVE_CACHE_DIR": str(tmp_path / "cache")},
    )
    _check(argv, target, done.stderr, done.returncode, before, folder)
    assert done.stderr.strip().endswith("File too large")

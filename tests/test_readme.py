"""The README's examples are executed, so they cannot go stale: the short tour (every line, in an empty
folder, in order), its video lines on the Sports2D demo clip, and the Python example."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kneedrive.cli import app

from .videoclips import shared

README = Path(__file__).resolve().parents[1] / "README.md"
runner = CliRunner()


def tour_blocks() -> dict[str, list[str]]:
    """The fenced blocks of the README's "A short tour" section, by language (bash blocks in order)."""
    text = README.read_text(encoding="utf-8")
    section = text[text.index("## A short tour") :]
    section = section[: section.index("\n## ", 1)]
    blocks: dict[str, list[str]] = {}
    for language, body in re.findall(r"```(\w+)\n(.*?)```", section, flags=re.DOTALL):
        blocks.setdefault(language, []).append(body)
    return blocks


def commands(block: str) -> list[list[str]]:
    """The command lines of a shell block (comments dropped), each as its arguments after `kneedrive`."""
    argvs = []
    for line in block.splitlines():
        words = shlex.split(line, comments=True)
        if not words:
            continue
        assert words[0] == "kneedrive", f"not a kneedrive command: {line}"
        argvs.append(words[1:])
    return argvs


def run_lines(block: str) -> None:
    for argv in commands(block):
        result = runner.invoke(app, argv)
        assert result.exit_code == 0, f"kneedrive {shlex.join(argv)}:\n{result.output}"


def test_the_tour_has_the_blocks_this_test_runs() -> None:
    blocks = tour_blocks()
    assert len(blocks["bash"]) == 2 and len(blocks["python"]) == 1
    keypoints, video = (commands(b) for b in blocks["bash"])
    assert keypoints[0][0] == "demo" and len(keypoints) >= 10
    assert all(any(a.endswith(".mp4") for a in argv) for argv in video)


def test_the_tour_and_the_python_example_run_in_an_empty_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    blocks = tour_blocks()
    run_lines(blocks["bash"][0])
    for made in ("demo.json", "keypoints.csv", "analysis.json", "out/report.html", "report.html", "plan.ics"):
        assert (tmp_path / made).is_file(), made
    namespace: dict[str, object] = {}
    exec(compile(blocks["python"][0], "README.md (python example)", "exec"), namespace)
    assert isinstance(namespace["doc"], dict) and namespace["doc"]["schema_version"] == 1


@pytest.mark.slow  # real video and the pose model
def test_the_tours_video_lines_run_on_a_real_clip(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "sprint.mp4").symlink_to(shared("sports2d_demo/demo.mp4"))  # a link: nothing is copied
    run_lines(tour_blocks()["bash"][1])
    for made in ("sprint.csv", "people.png", "video/annotated.mp4", "video/report.html"):
        assert (tmp_path / made).is_file(), made

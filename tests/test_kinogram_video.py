"""End to end (issue 16): `kneedrive analyze <real sprint video> --out DIR` writes both kinograms as the
video's own frames with the skeleton drawn on them, and the touch-down panel is a real touch-down.

Slow lane: it reads the real panning race clip (pose from the pose cache when it has the clip)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from typer.testing import CliRunner

from kneedrive.cli import app
from kneedrive.report.kinogram import CAPTION_PX, PANEL_PX, TITLE_PX
from kneedrive.report.skeleton import SIDE_COLOURS

from .realdata import data_dir

pytestmark = pytest.mark.slow
#: A touch-down labelled by eye is +/- 1 frame; ours is the first frame at or after the detected event.
TOUCHDOWN_FRAMES = 2.0


def _rgb(colour: str) -> np.ndarray:
    return np.array([int(colour[i : i + 2], 16) for i in (1, 3, 5)])


@pytest.fixture(scope="module")
def out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    video = data_dir("real_clips", "sports2d_race_panning.mp4")
    folder = tmp_path_factory.mktemp("race")
    result = CliRunner().invoke(app, ["analyze", str(video), "--out", str(folder)])
    assert result.exit_code == 0, result.output
    return folder


@pytest.mark.parametrize("side", ["left", "right"])
def test_the_kinograms_are_the_videos_frames_with_the_skeleton(out: Path, side: str) -> None:
    image = np.asarray(Image.open(out / f"kinogram_{side}.png").convert("RGB")).astype(int)
    assert image.shape == (TITLE_PX + PANEL_PX + CAPTION_PX, 5 * PANEL_PX, 3)
    for n in range(5):
        panel = image[TITLE_PX : TITLE_PX + PANEL_PX, n * PANEL_PX + 2 : (n + 1) * PANEL_PX]
        colours = len(np.unique(panel.reshape(-1, 3), axis=0))
        assert colours > 2000, (n, colours)  # a photograph, not a blank or a stick-figure panel
        assert panel.std() > 20  # not one flat colour
        for leg, colour in SIDE_COLOURS.items():  # both legs' bones are drawn on it
            bone = np.all(np.abs(panel - _rgb(colour)) <= 2, axis=2).sum()
            assert bone > 100, (n, leg, bone)


def test_the_touchdown_panel_is_a_touchdown_a_coach_labelled(out: Path) -> None:
    doc = json.loads((out / "analysis.json").read_text(encoding="utf-8"))
    truth = json.loads(data_dir("real_clips", "sports2d_race_panning.truth.json").read_text(encoding="utf-8"))
    labelled = [float(t["frame"]) for t in truth["touchdowns"]]
    plan = doc["kinogram"]
    assert plan["kind"] == "max_velocity"
    for side in ("left", "right"):
        touchdown = plan["strides"][side][plan["shown"][side]]["touchdown"]
        video_frame = touchdown["time_s"] * truth["fps"]
        assert min(abs(video_frame - f) for f in labelled) <= TOUCHDOWN_FRAMES, (side, video_frame)

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from kneedrive.cli import app
from kneedrive.errors import InputError
from kneedrive.io.video import probe, read_frames

from .videoclips import set_display_rotation, shared, write_clip


def test_variable_frame_rate_time_stamps_are_the_real_ones(tmp_path: Path) -> None:
    times = [0.0, 0.033, 0.050, 0.120, 0.130, 0.200, 0.290, 0.300, 0.333, 0.400]
    clip = tmp_path / "vfr.mp4"
    write_clip(clip, times)
    frames = list(read_frames(clip))
    assert [f.index for f in frames] == list(range(len(times)))
    np.testing.assert_allclose([f.time_s for f in frames], times, atol=1e-6)


def test_trim_keeps_frames_between_start_and_end(tmp_path: Path) -> None:
    clip = tmp_path / "cfr.mp4"
    write_clip(clip, [k / 30 for k in range(30)])
    frames = list(read_frames(clip, start_s=0.25, end_s=0.5))
    assert frames[0].time_s >= 0.25 - 1e-6 and frames[-1].time_s <= 0.5 + 1e-6
    assert [f.index for f in frames] == list(range(8, 16))
    every_third = list(read_frames(clip, every=3))
    assert [f.index for f in every_third] == list(range(0, 30, 3))


@pytest.mark.parametrize("clockwise_deg", [90, 180, 270])
def test_rotation_metadata_turns_frames_upright(tmp_path: Path, clockwise_deg: int) -> None:
    clip = tmp_path / f"rot{clockwise_deg}.mp4"
    write_clip(clip, [k / 30 for k in range(5)], width=64, height=32)
    set_display_rotation(clip, clockwise_deg)
    info = probe(clip)
    assert info.rotation_deg == clockwise_deg
    assert (info.width, info.height) == ((32, 64) if clockwise_deg in (90, 270) else (64, 32))
    rgb = next(read_frames(clip)).rgb
    assert rgb.shape == (info.height, info.width, 3)
    # the white band stored on the left edge ends up at the top (90 cw), right (180) or bottom (270)
    white = {90: rgb[:4], 180: rgb[:, -4:], 270: rgb[-4:]}[clockwise_deg]
    other = {90: rgb[-4:], 180: rgb[:, :4], 270: rgb[:4]}[clockwise_deg]
    assert white.mean() > 240 and other.mean() < 200


@pytest.mark.slow  # real data
def test_probe_reads_the_real_clips() -> None:
    info = probe(shared("gaitlab_treadmill/male_side.mp4"))
    assert (info.width, info.height, info.rotation_deg, info.codec) == (720, 1280, 0, "h264")
    assert info.fps_hz == pytest.approx(30, abs=0.01) and info.n_frames == 360
    assert info.duration_s == pytest.approx(12.0, abs=0.05)


@pytest.mark.parametrize(
    ("content", "message"),
    [(None, "no such file"), (b"", "not a readable video"), (b"this is not a video at all" * 50, "not a readable")],
)
def test_bad_video_is_one_clear_error(tmp_path: Path, content: bytes | None, message: str) -> None:
    path = tmp_path / "clip.mp4"
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(InputError, match=message):
        list(read_frames(path))


def test_truncated_video_is_an_input_error_not_a_crash(tmp_path: Path) -> None:
    clip = tmp_path / "whole.mp4"
    write_clip(clip, [k / 30 for k in range(30)], width=128, height=96)
    cut = tmp_path / "cut.mp4"
    cut.write_bytes(clip.read_bytes()[: clip.stat().st_size // 3])
    with pytest.raises(InputError, match=r"cut\.mp4"):
        list(read_frames(cut))


@pytest.mark.parametrize("command", ["analyze", "pose", "people"])
def test_cli_bad_video_exits_2_with_one_line(tmp_path: Path, command: str) -> None:
    path = tmp_path / "broken.mp4"
    path.write_bytes(b"\x00\x01garbage" * 100)
    args = [command, str(path)] + ([] if command == "analyze" else ["-o", str(tmp_path / "out")])
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 2
    lines = [line for line in result.output.strip().splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error:") and "broken.mp4" in lines[0]
    assert "Traceback" not in result.output

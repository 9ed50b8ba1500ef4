"""annotated.mp4 and the report's video key frames, on a real clip (Sports2D demo: a woman walking past).

One `kneedrive analyze demo.mp4 --out` per module (pose once, into a private cache); the tests read what
it wrote and compare the annotated video with the input frame by frame, streaming (never all in memory).
"""

from __future__ import annotations

import base64
import io
import re
from collections.abc import Iterator
from pathlib import Path

import av
import numpy as np
import pytest
from PIL import Image
from typer.testing import CliRunner

import kneedrive
from kneedrive.analysis import Analysis
from kneedrive.cli import app
from kneedrive.drills.generator import synthesize_drill
from kneedrive.drills.keyframes import DrillSession
from kneedrive.errors import InputError
from kneedrive.io.video import read_frames
from kneedrive.report import annotated
from kneedrive.report.annotated import FAULT_FLAG_S, Overlay, draw_overlay, image_pose, write_annotated_video
from kneedrive.report.skeleton import SIDE_COLOURS

from .videoclips import shared, write_clip

pytestmark = pytest.mark.slow  # real video and the pose model

DEMO = "sports2d_demo/demo.mp4"
runner = CliRunner()


@pytest.fixture(scope="module")
def session(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, Analysis]]:
    """The --out folder of the demo clip, and the same analysis as an object (a pose-cache hit)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("KNEEDRIVE_CACHE_DIR", str(tmp_path_factory.mktemp("pose-cache")))
        out = tmp_path_factory.mktemp("session")
        result = runner.invoke(app, ["analyze", str(shared(DEMO)), "--out", str(out)])
        assert result.exit_code == 0, result.output
        assert "annotated.mp4" in result.output
        analysis = kneedrive.analyze(shared(DEMO))
        assert analysis.video is not None and analysis.video.cache_hit
        yield out, analysis


def _stream_facts(path: Path) -> tuple[str, float, int, int, int]:
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        frames = sum(1 for _ in container.decode(stream))
        return stream.codec_context.name, float(stream.average_rate or 0), frames, stream.width, stream.height


def test_annotated_video_has_the_inputs_frames_rate_and_time_stamps(session: tuple[Path, Analysis]) -> None:
    out, _ = session
    codec, fps, frames, width, height = _stream_facts(out / "annotated.mp4")
    _, fps_in, frames_in, width_in, height_in = _stream_facts(shared(DEMO))
    assert frames == frames_in == 230
    assert fps == pytest.approx(fps_in, abs=0.01)
    assert (width, height) == (width_in, height_in)
    assert codec == ("h264" if annotated._encoder_name() == "libx264" else "mpeg4")
    times_in = [f.time_s for f in read_frames(shared(DEMO), max_side_px=64)]
    times_out = [f.time_s for f in read_frames(out / "annotated.mp4", max_side_px=64)]
    np.testing.assert_allclose(times_out, times_in, atol=1e-3)


def _near(diff: np.ndarray, x: float, y: float, r: int) -> float:
    h, w = diff.shape
    xi, yi = round(x), round(y)
    if not (r <= xi < w - r and r <= yi < h - r):
        return np.nan
    return float(diff[yi - r : yi + r + 1, xi - r : xi + r + 1].mean())


def test_the_overlay_is_drawn_on_the_athlete_and_nowhere_else(session: tuple[Path, Analysis]) -> None:
    """Pixels change at the projected hips, knees and ankles of every analyzed frame; a region of the
    frame far from the athlete and the banners keeps the input's pixels (up to the codec), and frames
    outside the analyzed span are copied through."""
    out, analysis = session
    pose = image_pose(analysis)
    doc = analysis.to_dict()
    fault_times = [t for f in doc["faults"] for t in f["evidence"]["times_s"]]
    joints = ("left_hip", "right_hip", "left_knee", "right_knee", "left_ankle", "right_ankle")
    near, far, outside, banner_hits = [], [], [], 0
    pairs = zip(read_frames(shared(DEMO)), read_frames(out / "annotated.mp4"), strict=True)
    for frame_in, frame_out in pairs:
        assert frame_in.time_s == pytest.approx(frame_out.time_s, abs=1e-3)
        diff = np.abs(frame_out.rgb.astype(np.int16) - frame_in.rgb.astype(np.int16)).max(axis=2)
        row = pose.index_at(frame_in.time_s)
        if row is None:
            outside.append(float(diff.mean()))
            continue
        points = pose.at(row)
        if not points:  # a frame inside the span in which the model lost the athlete: nothing to draw
            continue
        near += [_near(diff, *points[j], r=2) for j in joints if j in points]
        h, w = diff.shape
        xs = [p[0] for p in points.values()]
        # a band in the middle rows (no banner, no counter) on the side of the frame away from the athlete
        band = diff[int(0.3 * h) : int(0.7 * h)]
        if min(xs) > 0.5 * w:
            far.append(float(band[:, : int(0.25 * w)].mean()))
        elif max(xs) < 0.5 * w:
            far.append(float(band[:, int(0.75 * w) :].mean()))
        if any(abs(t - frame_in.time_s) <= FAULT_FLAG_S - 0.05 for t in fault_times):
            red = frame_out.rgb[12:16, 12:16].reshape(-1, 3).mean(axis=0)  # inside the top-left banner
            banner_hits += 1
            assert np.abs(red - (198, 40, 40)).max() < 40, red
    noise = float(np.median(outside))  # copied through: only the re-encoding's noise (about 3 levels)
    assert len(outside) > 20 and max(outside) < 6.0
    assert len(near) > 500 and np.nanmedian(near) > 60.0  # joints and bones drawn in strong colours
    assert len(far) > 20 and max(far) < 6.0 and np.median(far) < 1.5 * noise, (noise, far)
    assert banner_hits > 10 if fault_times else banner_hits == 0  # a walk is not judged as a run: no banner


def test_cleaned_keypoints_go_back_onto_the_models_pixels(session: tuple[Path, Analysis]) -> None:
    """The skeleton is drawn from the cleaned (filtered) points put back into image pixels: within a few
    pixels of what the pose model found, in nearly every frame the model saw the point (the cleaning may
    leave out a point seen alone, as the walker's ankle in the first frame she is posed, behind a tree)."""
    _, analysis = session
    pose = image_pose(analysis)
    seq = analysis.sequence
    for name in ("left_hip", "right_knee", "left_ankle"):
        raw = seq.xy[:, seq.names.index(name)]
        ok = np.isfinite(raw[:, 0]) & (seq.score[:, seq.names.index(name)] >= 0.5)
        drawn = ok & np.isfinite(pose.points[name][:, 0])
        distance = np.linalg.norm(pose.points[name][drawn] - raw[drawn], axis=1)
        assert ok.sum() > 60 and drawn.sum() >= 0.95 * ok.sum() and np.median(distance) < 3.0, name


def test_report_key_frames_are_jpeg_video_frames(session: tuple[Path, Analysis], tmp_path: Path) -> None:
    out, _ = session
    html = (out / "report.html").read_text()
    figures = re.findall(r'<figure class="keyframe (?:left|right)".*?</figure>', html, flags=re.S)
    assert len(figures) >= 4
    for figure in figures:
        assert 'class="skeleton video-frame"' in figure and SIDE_COLOURS["left"] in figure
        data = re.search(r'href="data:image/jpeg;base64,([A-Za-z0-9+/=]+)"', figure)
        assert data is not None
        image = Image.open(io.BytesIO(base64.b64decode(data.group(1))))
        assert image.format == "JPEG" and max(image.size) <= 480 and image.width == image.height
        assert np.asarray(image).std() > 20  # a photo, not a blank canvas
    # re-rendered from the saved JSON there are no image-pixel keypoints: stick figures, no JPEG
    rerendered = tmp_path / "report.html"
    result = runner.invoke(app, ["report", str(out / "analysis.json"), "-o", str(rerendered)])
    assert result.exit_code == 0, result.output
    text = rerendered.read_text()
    assert "stick-figure" in text and "data:image/jpeg" not in text


def test_a_failed_write_leaves_no_half_file(session: tuple[Path, Analysis], tmp_path: Path) -> None:
    """A video that breaks while being decoded: an InputError, the old annotated.mp4 untouched, no temp file."""
    _, analysis = session
    whole = tmp_path / "whole.mp4"
    write_clip(whole, [k / 30 for k in range(30)], width=128, height=96)
    cut = tmp_path / "cut.mp4"
    cut.write_bytes(whole.read_bytes()[: whole.stat().st_size // 3])
    target = tmp_path / "out" / "annotated.mp4"
    target.parent.mkdir()
    target.write_bytes(b"previous")
    with pytest.raises(InputError, match=r"cut\.mp4"):
        write_annotated_video(cut, analysis, target)
    assert target.read_bytes() == b"previous"
    assert [p.name for p in target.parent.iterdir()] == ["annotated.mp4"]
    with pytest.raises(InputError, match="no such file"):
        write_annotated_video(tmp_path / "gone.mp4", analysis, target)
    assert [p.name for p in target.parent.iterdir()] == ["annotated.mp4"]


def test_without_libx264_the_video_is_mpeg4_with_the_same_frames(
    session: tuple[Path, Analysis], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _, analysis = session
    monkeypatch.setattr(annotated, "_encoder_name", lambda: "mpeg4")
    clip = shared("sports2d_demo/demo3.mp4")  # 47 frames at 29.97 fps
    done: list[tuple[str, int, int]] = []
    path = write_annotated_video(clip, analysis, tmp_path / "a.mp4", progress=lambda *a: done.append(a))
    codec, fps, frames, width, height = _stream_facts(path)
    assert (codec, frames, width, height) == ("mpeg4", 47, 480, 352)
    assert fps == pytest.approx(29.97, abs=0.01)
    assert done[-1] == ("video", 47, 47)


def test_cli_out_with_an_unreadable_video_is_one_line_exit_2(tmp_path: Path) -> None:
    bad = tmp_path / "clip.mp4"
    bad.write_bytes(b"\x00\x00\x00\x18ftypmp42" + b"\x07" * 4000)
    result = runner.invoke(app, ["analyze", str(bad), "--out", str(tmp_path / "out")])
    assert result.exit_code == 2
    lines = [line for line in result.output.strip().splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error:") and "clip.mp4" in lines[0]
    assert not (tmp_path / "out").exists()


def test_a_drill_gets_its_rep_and_cycle_count_on_the_frames_of_a_rep() -> None:
    """The overlay of a drill (synthetic single-leg drive-through: no drill videos among the real data):
    the counter box at the bottom left inside reps, none between them; the skeleton at the knee."""
    synthetic = synthesize_drill(DrillSession("single_leg_drive_through"), fps_hz=30.0)
    analysis = kneedrive.analyze(synthetic.sequence, athlete_height_m=1.8)
    overlay = Overlay.of(analysis)
    reps = analysis.to_dict()["drill"]["reps"]
    assert len(reps) >= 2
    first, second = reps[0], reps[1]
    inside = (first["start_s"] + first["end_s"]) / 2.0
    between = (first["end_s"] + second["start_s"]) / 2.0
    counter = overlay.rep_counter(inside)
    assert counter is not None and counter.startswith(f"Rep 1 of {len(reps)}, cycle ")
    assert overlay.rep_counter(between) is None
    size = (1920, 1080)
    for t, boxed in ((inside, True), (between, False)):
        image = Image.new("RGB", size, (90, 140, 90))
        assert draw_overlay(image, overlay, t)
        corner = np.asarray(image)[size[1] - 20 : size[1] - 12, 12:16].reshape(-1, 3)
        assert bool((np.abs(corner - (32, 32, 32)).max(axis=1) < 4).all()) is boxed
        knee = overlay.pose.at(overlay.pose.index_at(t) or 0)["left_knee"]
        assert np.asarray(image)[round(knee[1]), round(knee[0])].tolist() != [90, 140, 90]


def test_a_fault_banner_is_drawn_at_the_times_the_fault_was_seen(session: tuple[Path, Analysis]) -> None:
    from dataclasses import replace as _replace

    from PIL import Image

    _, analysis = session
    overlay = annotated.Overlay.of(analysis)
    t = float(overlay.pose.time_s[len(overlay.pose.time_s) // 2])
    flagged = _replace(overlay, faults=(("Leaning back", (t,)),))
    image = Image.new("RGB", (640, 360), "black")
    assert annotated.draw_overlay(image, flagged, t)
    assert np.abs(np.array(image.getpixel((14, 14))) - (198, 40, 40)).max() < 40
    quiet = Image.new("RGB", (640, 360), "black")
    annotated.draw_overlay(quiet, flagged, t + 5 * annotated.FAULT_FLAG_S)
    assert quiet.getpixel((14, 14)) == (0, 0, 0)


def test_with_a_capture_rate_events_are_drawn_on_their_own_frames(session: tuple[Path, Analysis]) -> None:
    """Slow motion rescaled to real time (here the demo said to be captured at 4x its rate): the overlay
    looks frames up by the file's time, so the events' real times are taken back to the file's."""
    from kneedrive.pose.options import VideoOptions

    analysis = kneedrive.analyze(shared(DEMO), video=VideoOptions(capture_fps=120.0))
    assert analysis.video is not None and analysis.video.timing is not None
    assert analysis.video.timing.time_scale == pytest.approx(0.25, rel=0.01)
    overlay = Overlay.of(analysis)
    events = [e for e in analysis.events if e.kind == "touchdown"]
    assert events
    for event, (t, side, _) in zip(analysis.events, overlay.events, strict=True):
        assert side == event.side
        i = overlay.pose.index_at(t)
        assert i is not None and abs(i - event.frame) <= 1, (event, t, i)
    # the report's stills look their frames up the same way: every key moment has its video frame
    from kneedrive.report.keyframes import key_frames
    from kneedrive.report.video_stills import VideoStills

    keys = key_frames(analysis.record)
    assert keys and all(svg is not None for svg in VideoStills(shared(DEMO), analysis).svgs(keys))


def test_a_repeated_image_left_out_keeps_the_pose_of_the_image_it_repeats() -> None:
    """A screen recording shows some images twice; the repeat has no pose row of its own (pose.repeats) but
    the same picture, so the overlay draws the pose of the frame before it instead of flickering off."""
    times = np.array([0.0, 1 / 30, 3 / 30, 4 / 30])  # the image at 2/30 repeated the one at 1/30
    pose = annotated.ImagePose(times, {}, 1 / 60)
    assert pose.index_at(2 / 30) == 1
    assert [pose.index_at(t) for t in times] == [0, 1, 2, 3]
    assert pose.index_at(-1 / 30) is None and pose.index_at(5 / 30) is None  # outside the analyzed span

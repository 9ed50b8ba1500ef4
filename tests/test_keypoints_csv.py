from __future__ import annotations

import pathlib

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kneedrive.errors import InputError
from kneedrive.io.keypoints_csv import keypoints_csv_text, parse_keypoints_csv
from kneedrive.sequence import PoseSequence

HEADER = "time_s,left_hip_x,left_hip_y,right_hip_x,right_hip_y"


def test_round_trip_keeps_values_and_missing_points(clean_sprint) -> None:
    seq = clean_sprint.sequence
    xy = np.array(seq.xy)
    xy[5, 2] = np.nan
    score = np.array(seq.score)
    score[5, 2] = 0.0
    seq = seq.replace(xy=xy, score=score)
    back = parse_keypoints_csv(keypoints_csv_text(seq))
    assert back.names == seq.names
    np.testing.assert_allclose(back.time_s, seq.time_s)
    np.testing.assert_allclose(back.xy, seq.xy, atol=1e-3)
    assert np.isnan(back.xy[5, 2]).all() and back.score[5, 2] == 0.0


def test_frame_column_needs_fps_and_uses_it() -> None:
    text = "frame,left_hip_x,left_hip_y\n0,1,2\n1,1,2\n2,1,2\n"
    with pytest.raises(InputError, match="--fps"):
        parse_keypoints_csv(text)
    seq = parse_keypoints_csv(text, fps_hz=50.0)
    np.testing.assert_allclose(seq.time_s, [0.0, 0.02, 0.04])


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "empty"),
        (HEADER + "\n", "no frames"),
        ("time_s,a,b\n0,1,2\n0.1,1,2\n", "no keypoint columns"),
        (HEADER + "\n0,1,2,3,4\n0.1,1,2\n", "truncated"),
        (HEADER + "\n0,1,2,3,4\n0.1,1,x,3,4\n", "not a number"),
        (HEADER + "\n0,,,,\n0.1,nan,nan,nan,nan\n", "NaN"),
        (HEADER + "\n0,1,2,3,4\n", "at least 2"),
        (HEADER + "\n0,1,2,3,4\n0.1,1,2,3,4\n0.05,1,2,3,4\n", "increasing"),
        (HEADER + "\n0,1,2,3,4\n100,1,2,3,4\n", "frame rate"),
        ("left_hip_x,left_hip_y\n1,2\n1,2\n", "time_s"),
    ],
)
def test_bad_csv_gives_one_clear_error(text: str, message: str) -> None:
    with pytest.raises(InputError, match=message) as info:
        parse_keypoints_csv(text)
    assert "\n" not in str(info.value)


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("0123456789.,-\nnatime_sxy le")), max_size=300))
def test_any_text_either_parses_or_raises_input_error(text: str) -> None:
    try:
        seq = parse_keypoints_csv(text, fps_hz=30.0)
    except InputError:
        return
    assert isinstance(seq, PoseSequence)
    assert np.all(np.diff(seq.time_s) > 0)


@settings(max_examples=50, deadline=None)
@given(
    n=st.integers(min_value=2, max_value=40),
    fps=st.floats(min_value=10, max_value=1000),
    seed=st.integers(0, 1000),
)
def test_written_sequences_read_back(n: int, fps: float, seed: int) -> None:
    rng = np.random.default_rng(seed)
    xy = rng.uniform(0, 2000, (n, 3, 2))
    xy[rng.random((n, 3)) < 0.2] = np.nan
    score = np.where(np.isnan(xy[..., 0]), 0.0, rng.uniform(0.5, 1, (n, 3)))
    if np.isnan(xy).all():
        xy[0, 0] = 1.0
        score[0, 0] = 1.0
    seq = PoseSequence(time_s=np.arange(n) / fps, xy=xy, score=score, names=("left_hip", "left_knee", "nose"))
    back = parse_keypoints_csv(keypoints_csv_text(seq))
    np.testing.assert_allclose(back.xy, seq.xy, atol=1e-3)
    np.testing.assert_allclose(back.time_s, seq.time_s, rtol=1e-12)


@settings(max_examples=20, deadline=None)
@given(fps=st.sampled_from([30.0, 60.0, 120.0, 240.0]), drop=st.floats(0.0, 0.1), seed=st.integers(0, 100))
def test_trc_export_reads_back(tmp_path_factory, fps: float, drop: float, seed: int) -> None:
    from kneedrive.drills.camera import Artefacts
    from kneedrive.drills.sprinter import synthesize
    from kneedrive.io.trc import read_trc, trc_text

    seq = synthesize(fps_hz=fps, duration_s=0.5, seed=seed, artefacts=Artefacts(dropout_fraction=drop)).sequence
    path = tmp_path_factory.mktemp("trc") / "k.trc"
    path.write_text(trc_text(seq))
    back = read_trc(path)
    for name in seq.names:
        np.testing.assert_allclose(back.point(name), seq.point(name), atol=1e-3)
    np.testing.assert_allclose(back.time_s, seq.time_s)


@pytest.mark.slow  # real data
def test_real_trc_maps_lab_markers_to_keypoints() -> None:
    from kneedrive.io.trc import read_trc
    from tests.realdata import data_dir

    seq = read_trc(data_dir("dorn2012_sprint", "sprint.trc"))
    assert seq.units_per_m == 1000.0 and seq.n_frames == 324
    assert {"left_hip", "right_knee", "left_heel", "right_foot_index", "left_shoulder"} <= set(seq.names)
    thigh = np.nanmedian(np.linalg.norm(seq.point("left_knee") - seq.point("left_hip"), axis=1))
    assert 380 < thigh < 480  # mm: a thigh, so the hip joint centre estimate is anatomical


def test_atomic_outputs_are_readable_like_any_new_file(tmp_path: pathlib.Path) -> None:
    import os
    import stat

    from kneedrive.io.atomic import write_text_atomic

    out = tmp_path / "report.html"
    write_text_atomic(out, "<p>hi</p>")
    umask = os.umask(0)
    os.umask(umask)
    assert stat.S_IMODE(out.stat().st_mode) == 0o666 & ~umask

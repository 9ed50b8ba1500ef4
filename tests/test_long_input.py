"""Long input stays lean (issue 17): a sequence shares arrays nobody can change instead of copying them,
the CSV parse fills arrays allocated once (and grows them when its line count was low), and the full-rate
series the S-MAS reads is the saved series' values without a Python number per frame. The timings and
peak memory of 100,000 and 1,000,000 frames are measured by benchmarks/long_input.py (README)."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

import kneedrive
from kneedrive.drills.sprinter import synthesize
from kneedrive.io.keypoints_csv import keypoints_csv_text, parse_keypoints_csv
from kneedrive.kinematics.series import series_arrays, series_block
from kneedrive.record import Series
from kneedrive.sequence import PoseSequence, hand_over


@pytest.fixture(scope="module")
def sprint() -> PoseSequence:
    return synthesize(duration_s=1.5).sequence


def test_a_sequence_shares_read_only_arrays_and_copies_the_others(sprint: PoseSequence) -> None:
    xy = np.array(sprint.xy)
    seq = sprint.replace(xy=xy)
    assert not np.shares_memory(seq.xy, xy)  # the caller can still write to xy
    xy[:] = 0.0
    assert np.array_equal(seq.xy, sprint.xy, equal_nan=True)
    again = seq.replace(source="renamed")
    assert again.xy is seq.xy and again.score is seq.score  # nobody can change them: shared
    view = xy[:10]
    view.flags.writeable = False  # read-only, but its base is not: copied
    assert not np.shares_memory(PoseSequence(sprint.time_s[:10], view, sprint.score[:10], sprint.names).xy, xy)
    handed = hand_over(np.array(sprint.xy))
    assert PoseSequence(sprint.time_s, handed, sprint.score, sprint.names).xy is handed
    with pytest.raises(ValueError, match="read-only"):
        handed[0, 0, 0] = 1.0


def test_the_csv_rows_grow_past_a_low_line_count(sprint: PoseSequence) -> None:
    text = keypoints_csv_text(sprint)
    mixed = text.replace("\n", "\r", text.count("\n") - 1)  # old-Mac line ends and one line feed: 2 rows guessed
    expected = parse_keypoints_csv(text)
    parsed = parse_keypoints_csv(mixed)
    assert parsed.n_frames == sprint.n_frames
    for name in ("time_s", "xy", "score"):
        assert np.array_equal(getattr(parsed, name), getattr(expected, name), equal_nan=True), name


def test_the_full_rate_series_is_the_saved_series_without_a_list_per_frame(sprint: PoseSequence) -> None:
    kin = kneedrive.analyze(sprint).kinematics
    points = {n: np.array(p) for n, p in kin.points.items()}
    points["left_ankle"][5] = [np.nan, 0.2]
    points["left_ankle"][6] = [0.1, np.inf]
    angles = {n: np.array(v) for n, v in kin.angles.items()}
    angles["left_thigh_angle_deg"][7] = np.nan
    kin = dataclasses.replace(kin, points=points, angles=angles)
    for rate_hz in (kin.fps_hz, 100.0):
        saved = Series.from_dict(series_block(kin, max_rate_hz=rate_hz))
        arrays = series_arrays(kin, max_rate_hz=rate_hz)
        assert arrays["rate_hz"] == saved.rate_hz
        assert arrays["frames"].dtype == saved.frames.dtype and np.array_equal(arrays["frames"], saved.frames)
        assert np.array_equal(arrays["time_s"], saved.time_s)
        for kind in ("angles", "points"):
            assert list(arrays[kind]) == list(getattr(saved, kind))
            for name, values in getattr(saved, kind).items():
                assert np.array_equal(arrays[kind][name], values, equal_nan=True), (kind, name)
                assert not arrays[kind][name].flags.writeable
    assert np.isnan(series_arrays(kin, max_rate_hz=kin.fps_hz)["points"]["left_ankle"][5:7]).all()

"""A phone's slow-motion export changes speed inside the clip (kneedrive.pose.ramp): found from the limbs
and the steps slowing together, the slowed part analysed on the two parts' step ratio; a real change of
pace, a start from standing and a steady clip are no switch."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kneedrive.drills.sprinter import SprinterModel, synthesize
from kneedrive.pose.ramp import find_speed_change, find_speed_changes
from kneedrive.pose.timing import Timing, judge_slow_motion, ramp_timing
from kneedrive.sequence import PoseSequence


def _sprint(model: SprinterModel | None = None, *, fps_hz: float = 120.0, duration_s: float = 4.0) -> PoseSequence:
    return synthesize(model or SprinterModel(treadmill=True), fps_hz=fps_hz, duration_s=duration_s).sequence


def _rows(seq: PoseSequence, rows: np.ndarray, time_s: np.ndarray) -> PoseSequence:
    return seq.replace(time_s=time_s, xy=seq.xy[rows], score=seq.score[rows])


def _phone_ramp(normal_s: float = 1.0) -> PoseSequence:
    """A 120 fps sprint exported at 30 fps: `normal_s` at normal speed (every 4th image), then slowed 4x
    (every image)."""
    seq = _sprint()
    first = np.arange(0, int(normal_s * 120), 4)
    rest = np.arange(int(normal_s * 120), len(seq.time_s))
    time_s = np.concatenate([first / 120, normal_s + np.arange(1, len(rest) + 1) / 30])
    return _rows(seq, np.concatenate([first, rest]), time_s)


def test_a_phone_slow_motion_ramp_is_found_and_the_slowed_part_kept() -> None:
    seq = _phone_ramp()
    change = find_speed_change(seq)
    assert change is not None
    assert change.at_s == pytest.approx(1.0, abs=0.3)  # the switch, within about a step
    assert change.factor == pytest.approx(4.0, rel=0.15)  # the steps' ratio, not a typical cadence
    assert change.kept_slowed and change.kept_s[0] >= change.at_s and change.kept_s[1] == seq.time_s[-1]
    assert change.real_step_s == pytest.approx(1 / 4.3, rel=0.15)
    timing = ramp_timing(Timing(30.0), (change,))
    assert timing.suspected_slow_motion and timing.slow_motion_factor == pytest.approx(4.0, rel=0.15)
    assert timing.looks_like_capture_fps_hz == 120.0
    line = timing.warning() or ""
    assert "playback speed changes at" in line and "only the slowed part" in line and "--capture-fps" in line
    assert timing.to_dict()["speed_changes"][0]["kept_slowed"] is True


def test_a_ramp_back_to_normal_speed_keeps_the_longer_part() -> None:
    """Slowed first, normal speed for longer after: the normal part has more steps and is kept, in real
    time (no slow-motion factor)."""
    seq = _sprint(duration_s=6.0)
    slowed = np.arange(0, 120)  # 1 s of capture shown over 4 s
    normal = np.arange(120, len(seq.time_s), 4)
    time_s = np.concatenate([np.arange(len(slowed)) / 30, 4.0 + np.arange(1, len(normal) + 1) / 30])
    change = find_speed_change(_rows(seq, np.concatenate([slowed, normal]), time_s))
    assert change is not None and not change.kept_slowed and change.kept_s == (pytest.approx(4.0, abs=0.3), 9.0)
    timing = ramp_timing(Timing(30.0), (change,))
    assert not timing.suspected_slow_motion and timing.time_scale == 1.0


@pytest.mark.parametrize("fps_hz", [30.0, 60.0, 240.0])
def test_a_steady_clip_has_no_switch(fps_hz: float) -> None:
    seq = _sprint(fps_hz=fps_hz)
    assert find_speed_change(seq) is None
    # slowed as a whole (an editor's or a phone's full slow motion) is one speed, not a switch
    assert find_speed_change(seq.replace(time_s=seq.time_s * 4)) is None


def test_a_start_from_standing_is_no_switch() -> None:
    """Still for a second, then sprinting: the limbs quicken by far more than 2x but the still part has no
    steps to time, so nothing is cut."""
    seq = _sprint(fps_hz=30.0, duration_s=3.0)
    still = np.zeros(30, dtype=int)
    rows = np.concatenate([still, np.arange(len(seq.time_s))])
    jitter = np.random.default_rng(0).normal(0, 0.002, (len(rows), *seq.xy.shape[1:]))
    start = seq.replace(time_s=np.arange(len(rows)) / 30, xy=seq.xy[rows] + jitter, score=seq.score[rows])
    assert find_speed_change(start) is None


def test_a_jog_that_breaks_into_a_sprint_is_no_switch() -> None:
    """From a jog's 168 steps/min to a sprint's 258 the limbs quicken, but no runner's step rate changes 2x
    (runners keep 160-180 across speeds, Cavanagh & Kram 1989): a change of pace, not of playback speed."""
    jog = _sprint(SprinterModel(treadmill=True, speed_mps=4.0, step_frequency_hz=2.8), fps_hz=30.0, duration_s=3.0)
    sprint = _sprint(fps_hz=30.0, duration_s=3.0)
    both = PoseSequence(
        time_s=np.concatenate([jog.time_s, jog.time_s[-1] + 1 / 30 + sprint.time_s]),
        xy=np.concatenate([jog.xy, sprint.xy]),
        score=np.concatenate([jog.score, sprint.score]),
        names=jog.names,
    )
    assert find_speed_change(both) is None


def test_a_ramp_timing_with_a_known_capture_rate_keeps_it() -> None:
    change = find_speed_change(_phone_ramp())
    assert change is not None
    known = Timing(30.0, 120.0, "given", time_scale=0.25)
    kept = ramp_timing(known, (change,))
    assert kept.time_scale == 0.25 and not kept.suspected_slow_motion and kept.speed_changes == (change,)
    # the legs' rhythm judges a slowed part when the normal one's steps are no human's
    judged = judge_slow_motion(kept, _phone_ramp())
    assert judged.capture_fps_hz == 120.0 and judged.speed_changes == (change,)


def test_normal_slowed_and_normal_again_keeps_the_slowed_middle() -> None:
    """A phone's usual export: normal speed, slowed, normal speed again; two switches, the middle kept."""
    seq = _sprint(duration_s=4.0)
    head = np.arange(0, 72, 4)  # 0.6 s at normal speed
    middle = np.arange(72, 312)  # 2 s of capture slowed 4x
    tail = np.arange(312, 384, 4)  # 0.6 s at normal speed
    time_s = np.concatenate([head / 120, 0.6 + np.arange(1, 241) / 30, 8.6 + np.arange(1, len(tail) + 1) / 30])
    changes = find_speed_changes(_rows(seq, np.concatenate([head, middle, tail]), time_s))
    assert len(changes) == 2 and changes[-1].kept_slowed
    start, end = changes[-1].kept_s
    assert start == pytest.approx(0.6, abs=0.3) and end == pytest.approx(8.6, abs=0.3)
    assert changes[-1].factor == pytest.approx(4.0, rel=0.15)


@settings(max_examples=60, deadline=None)
@given(
    rows=st.integers(min_value=0, max_value=80),
    lost=st.floats(min_value=0.0, max_value=1.0),
    seed=st.integers(min_value=0, max_value=2**16),
)
def test_any_pose_gives_a_switch_or_none_without_a_warning(rows: int, lost: float, seed: int) -> None:
    """Short, lost or noisy poses (NaN points, still frames) give a switch or None, never an error or a stray
    numpy warning on the terminal."""
    rng = np.random.default_rng(seed)
    names = _sprint(fps_hz=30.0, duration_s=0.5).names
    xy = rng.normal(0, 50, (rows, len(names), 2))
    xy[rng.random((rows, len(names))) < lost] = np.nan
    time_s = np.cumsum(rng.uniform(0.01, 0.2, rows)) if rows else np.zeros(0)
    if rows < 2:
        return  # a PoseSequence needs 2 frames
    seq = PoseSequence(time_s=time_s, xy=xy, score=np.ones((rows, len(names))), names=names)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        changes = find_speed_changes(seq)
    assert all(change.factor >= 2.0 for change in changes)

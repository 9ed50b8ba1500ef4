from __future__ import annotations

import numpy as np
import pytest

from kneedrive.kinematics.angles import compute_angles
from kneedrive.kinematics.clean import butterworth, choose_cutoff_hz, fill_gaps
from kneedrive.kinematics.swaps import correct_swaps


def _pose(**points: tuple[float, float]) -> dict[str, np.ndarray]:
    return {k: np.array([v], dtype=float) for k, v in points.items()}


def test_thigh_parallel_is_90_and_hip_flexion_follows_the_trunk() -> None:
    p = _pose(
        left_hip=(0, 1),
        left_knee=(0.45, 1),
        left_ankle=(0.45, 0.55),
        right_hip=(0, 1),
        right_knee=(0, 0.55),
        right_ankle=(0, 0.1),
        left_shoulder=(0.1, 1.5),
        right_shoulder=(0.1, 1.5),
        left_heel=(0.4, 0.5),
        left_foot_index=(0.6, 0.5),
    )
    angles, missing = compute_angles(p)
    lean = np.degrees(np.arctan2(0.1, 0.5))
    assert angles["left_thigh_angle_deg"][0] == pytest.approx(90.0)
    assert angles["left_knee_flexion_deg"][0] == pytest.approx(90.0)
    assert angles["right_knee_flexion_deg"][0] == pytest.approx(0.0)
    assert angles["trunk_lean_deg"][0] == pytest.approx(lean)
    assert angles["left_hip_flexion_deg"][0] == pytest.approx(90.0 + lean)
    assert angles["left_foot_angle_deg"][0] == pytest.approx(0.0)
    assert angles["left_ankle_dorsiflexion_deg"][0] == pytest.approx(0.0)
    assert "right_foot_angle_deg" in missing


def test_dorsiflexed_foot_is_positive_and_pointed_foot_negative() -> None:
    base = dict(left_knee=(0, 0.5), left_ankle=(0, 0.0), left_heel=(-0.05, 0.0))
    up, _ = compute_angles(_pose(**base, left_foot_index=(0.2, 0.05)))
    down, _ = compute_angles(_pose(**base, left_foot_index=(0.2, -0.1)))
    assert up["left_ankle_dorsiflexion_deg"][0] > 10
    assert down["left_ankle_dorsiflexion_deg"][0] < -20


def test_fill_gaps_bridges_short_dropouts_only() -> None:
    t = np.arange(100) / 100.0
    x = np.sin(2 * np.pi * t)
    x[10:15] = np.nan  # 50 ms
    x[50:70] = np.nan  # 200 ms
    filled, count = fill_gaps(t, x, max_gap_s=0.1)
    assert count == 5
    np.testing.assert_allclose(filled[10:15], np.sin(2 * np.pi * t[10:15]), atol=5e-3)
    assert np.isnan(filled[50:70]).all()


def test_butterworth_cutoff_is_the_minus_3db_point() -> None:
    fps, cut = 200.0, 10.0
    t = np.arange(4000) / fps
    gain = np.std(butterworth(np.sin(2 * np.pi * cut * t), fps, cut)[500:-500]) / np.std(np.sin(2 * np.pi * cut * t))
    assert gain == pytest.approx(1 / np.sqrt(2), abs=0.03)
    slow = np.sin(2 * np.pi * 1.0 * t)
    np.testing.assert_allclose(butterworth(slow, fps, cut)[200:-200], slow[200:-200], atol=1e-3)


def test_cutoff_follows_the_motion_and_the_frame_rate() -> None:
    assert choose_cutoff_hz(1.8, 240) == pytest.approx(7.2)
    assert choose_cutoff_hz(4.4, 240) == pytest.approx(17.6)
    assert choose_cutoff_hz(4.4, 30) == pytest.approx(7.5)


def test_swap_correction_undoes_injected_swaps(clean_sprint) -> None:
    seq = clean_sprint.sequence
    xy = np.array(seq.xy)
    rng = np.random.default_rng(3)
    frames = rng.choice(np.arange(5, seq.n_frames - 5), size=seq.n_frames // 10, replace=False)
    for j in ("hip", "knee", "ankle", "heel", "foot_index"):
        a, b = seq.names.index(f"left_{j}"), seq.names.index(f"right_{j}")
        xy[frames, a], xy[frames, b] = seq.xy[frames, b], seq.xy[frames, a]
    fixed, count = correct_swaps(seq.replace(xy=xy))
    knee = seq.names.index("left_knee")
    wrong = np.any(np.abs(fixed.xy[:, knee] - seq.xy[:, knee]) > 1e-6, axis=1)
    assert wrong.sum() <= 0.01 * seq.n_frames  # only frames where the legs overlap may stay
    assert count >= 0.9 * len(frames)


def _turned(seq, deg: float):  # type: ignore[no-untyped-def]
    """The clip as a camera turned `deg` degrees about its axis would have filmed it."""
    from dataclasses import replace

    xy = np.array(seq.xy, dtype=float)
    centre = np.nanmean(xy.reshape(-1, 2), axis=0)
    a = np.radians(deg)
    turn = np.array([[np.cos(a), -np.sin(a)], [np.sin(a), np.cos(a)]])
    return replace(seq, xy=(xy - centre) @ turn.T + centre)


@pytest.mark.parametrize("deg", [-6.0, 3.0, 6.0])
def test_a_camera_turned_a_few_degrees_is_levelled_from_the_ground_and_every_angle_holds(deg: float) -> None:
    """A phone held 3-6 degrees off level: the knee drive read 3-6 degrees low and the trunk lean as much high,
    the foot 17-33 % less far ahead of the hips. The ground, through the bottom of each contact, gives the turn."""
    import kneedrive
    from kneedrive.drills.sprinter import SprinterModel, synthesize

    seq = synthesize(SprinterModel(), fps_hz=240.0, duration_s=3.0).sequence
    level = kneedrive.analyze(seq, athlete_height_m=1.8).summary
    analysis = kneedrive.analyze(_turned(seq, deg), athlete_height_m=1.8)
    turned = analysis.summary
    for name in ("thigh_angle_peak_deg", "trunk_lean_touchdown_deg", "knee_flexion_touchdown_deg"):
        assert getattr(turned, name) == pytest.approx(getattr(level, name), abs=0.3), name
    assert turned.touchdown_distance_m == pytest.approx(level.touchdown_distance_m, abs=0.01)
    assert turned.cadence_spm == pytest.approx(level.cadence_spm, rel=0.005)
    assert any(f"the ground slopes {abs(deg):.1f} deg in the image" in w for w in analysis.warnings)
    assert not any("the ground slopes" in w for w in kneedrive.analyze(seq, athlete_height_m=1.8).warnings)

"""The foot-reach event detector (Zeni et al. 2008, with the sprinter's active landing): touchdowns that a
panning, zooming camera does not move, checked against known truth and against the lab's events."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

import kneedrive
from kneedrive.drills.sprinter import SprinterModel, synthesize
from kneedrive.events.reach import ReachDetector
from kneedrive.sequence import PoseSequence

from .realdata import PX_PER_M, dorn_events, dorn_sequence


def _followed_by_a_panning_zooming_camera(seq: PoseSequence) -> PoseSequence:
    """The camera keeps the runner's hips in the middle of the image and zooms in 1.4x over the clip, as a
    broadcast camera following a sprinter does: in the image the stance foot slides, nothing is still."""
    xy = np.array(seq.xy, dtype=float)
    hips = np.nanmean(xy[:, [seq.names.index("left_hip"), seq.names.index("right_hip")], :], axis=1)
    zoom = np.linspace(1.0, 1.4, len(xy))[:, None, None]
    centred = (xy - hips[:, None, :]) * zoom
    return replace(seq, xy=centred + np.array([960.0, 540.0]), source="<panned>")


def _touchdowns(events: tuple[kneedrive.analysis.GaitEvent, ...] | list) -> list[tuple[str, float]]:  # type: ignore[name-defined]
    return [(e.side, e.time_s) for e in events if e.kind == "touchdown"]


@pytest.mark.parametrize("fps_hz", [60.0, 240.0])
def test_every_touchdown_is_found_once_on_the_right_foot_under_a_panning_zooming_camera(fps_hz: float) -> None:
    synthetic = synthesize(SprinterModel(), fps_hz=fps_hz, duration_s=3.0)
    panned = _followed_by_a_panning_zooming_camera(synthetic.sequence)
    analysis = kneedrive.analyze(panned, athlete_height_m=1.8, detector=ReachDetector())
    found = _touchdowns(analysis.events)
    truth = [(e.side, e.time_s) for e in synthetic.truth.events if e.kind == "touchdown"]
    inside = [t for t in truth if found[0][1] - 0.1 <= t[1] <= found[-1][1] + 0.1]
    assert len(found) == len(inside) >= 8
    for (side, t), (true_side, true_t) in zip(found, inside, strict=True):
        # the synthetic sprinter's reach touchdown is ~20 ms early (README), the zoom shifts it by a few ms, and
        # a landing between two frames is timed at their middle (up to half a frame off either way)
        assert side == true_side and abs(t - true_t) <= 0.03 + 0.5 / fps_hz, (side, t, true_t)
    assert analysis.summary.cadence_spm == pytest.approx(synthetic.truth.cadence_spm, rel=0.02)


@pytest.mark.slow
@pytest.mark.parametrize("trial", ["JA1Gait35", "JA1Gait21"])
def test_on_the_lab_sprint_and_run_every_touchdown_is_found_within_25_ms(trial: str) -> None:
    """Dorn et al. 2012, 250 Hz, fixed camera: the detector is not a moving-camera special case."""
    analysis = kneedrive.analyze(dorn_sequence(trial), px_per_m=PX_PER_M, detector=ReachDetector())
    found = _touchdowns(analysis.events)
    lab = [(e.side, e.time_s) for e in dorn_events(trial) if e.kind == "touchdown"]
    for side, t in lab:
        if not found[0][1] - 0.05 <= t <= found[-1][1] + 0.05:
            continue
        near = [f for f in found if abs(f[1] - t) <= 0.025]
        assert len(near) == 1 and near[0][0] == side, (side, t, found)


def test_one_landing_seen_by_both_feet_a_frame_apart_counts_once_on_the_alternating_foot() -> None:
    from kneedrive.events.model import GaitEvent
    from kneedrive.events.model import one_landing_each as _one_landing_each

    def touchdowns(*pairs: tuple[str, float]) -> list[GaitEvent]:
        return [GaitEvent(side, "touchdown", round(t * 30), t) for side, t in pairs]  # type: ignore[arg-type]

    doubled_after_left = touchdowns(("left", 0.0), ("right", 0.2), ("left", 0.41), ("right", 0.445), ("right", 0.62))
    assert [(e.side, e.time_s) for e in _one_landing_each(doubled_after_left, 0.08)] == [
        ("left", 0.0),
        ("right", 0.2),
        ("left", 0.41),
        ("right", 0.62),
    ]
    wrong_foot_first = touchdowns(("left", 0.0), ("right", 0.2), ("right", 0.40), ("left", 0.433))
    assert [e.side for e in _one_landing_each(wrong_foot_first, 0.08)] == ["left", "right", "left"]
    steady = touchdowns(("left", 0.0), ("right", 0.2), ("left", 0.4), ("right", 0.6))
    assert _one_landing_each(steady, 0.08) == steady


def test_a_landing_seen_on_both_labels_half_a_step_apart_keeps_the_foot_on_the_ground() -> None:
    """The mirrored panning race: the labels change places as a foot lands, so the foot at its reach (still in
    the air) and the other label on the landing foot each make a touchdown 0.46 of a step apart. Of such a
    pair the clearly higher foot is dropped, whichever comes first; two landings that far apart with both
    feet down (a hidden far foot timed early) both stay, as does a pair closer than MIN_STEP_SHARE decided by
    the alternation when the heights say nothing."""
    from kneedrive.events.model import MIN_STEP_SHARE, RAISED_STEP_SHARE, GaitEvent, one_landing_each

    step_s = 0.21
    low, raised = -1.05, -0.8  # lowest foot point against the hips, leg lengths

    def landings(*rows: tuple[str, float, float]) -> tuple[list[GaitEvent], dict[int, float]]:
        events = [GaitEvent(side, "touchdown", round(t * 29), t) for side, t, _ in rows]  # type: ignore[arg-type]
        return events, {id(e): h for e, (_, _, h) in zip(events, rows, strict=True)}

    def kept(rows: tuple[tuple[str, float, float], ...]) -> list[tuple[str, float]]:
        events, height = landings(*rows)
        found = one_landing_each(
            events,
            MIN_STEP_SHARE * step_s,
            foot_height=lambda e: height[id(e)],
            raised_gap_s=RAISED_STEP_SHARE * step_s,
        )
        return [(e.side, e.time_s) for e in found]

    gap = 0.46 * step_s
    in_the_air_first = (("left", 0.0, low), ("right", 0.21, low), ("right", 0.42, raised), ("left", 0.42 + gap, low))
    assert kept(in_the_air_first) == [("left", 0.0), ("right", 0.21), ("left", 0.42 + gap)]
    in_the_air_second = (("left", 0.0, low), ("right", 0.21, low), ("left", 0.42, low), ("right", 0.42 + gap, raised))
    assert kept(in_the_air_second) == [("left", 0.0), ("right", 0.21), ("left", 0.42)]
    both_down = (("left", 0.0, low), ("right", 0.21, low), ("left", 0.42, low), ("right", 0.42 + gap, -1.0))
    assert len(kept(both_down)) == 4
    too_close = (("left", 0.0, low), ("right", 0.21, low), ("right", 0.42, low), ("left", 0.45, -1.0))
    assert [side for side, _ in kept(too_close)] == ["left", "right", "left"]


def test_the_rhythm_fit_counts_missing_and_same_foot_touchdowns() -> None:
    from kneedrive.events.choice import rhythm_fit
    from kneedrive.events.model import GaitEvent

    def run(sides: str, step_s: float = 0.35) -> list[GaitEvent]:
        return [
            GaitEvent("left" if c == "L" else "right", "touchdown", k, k * step_s)
            for k, c in enumerate(sides)
            if c != "-"
        ]

    assert rhythm_fit(run("LRLRLRLR"), 1 / 0.35) == pytest.approx(1.0)
    assert rhythm_fit(run("L-L-L-L-"), 1 / 0.35) < 0.01  # every other one missed and never alternating
    half = rhythm_fit(run("LR--LR--LR"), 1 / 0.35)
    assert 0.4 < half < 0.7
    assert rhythm_fit(run("LR"), 1 / 0.35) == 0.0  # too few to say


def test_a_sprint_whose_contacts_do_not_alternate_is_timed_by_foot_reach_without_contact_times() -> None:
    from dataclasses import replace

    import kneedrive
    from kneedrive.drills.sprinter import SprinterModel, synthesize, with_faults

    # a low heel fold with an overstride drags the swing foot: the contact detector's touchdowns come in
    # pairs on both feet (tests/test_kinogram.py)
    model = with_faults(replace(SprinterModel(), heel_recovery_knee_flexion_deg=90.0), "overstride")
    syn = synthesize(model, fps_hz=240.0, duration_s=2.0)
    analysis = kneedrive.analyze(syn.sequence)
    assert any("fit the step rhythm poorly" in w for w in analysis.warnings)
    truth = sorted(e.time_s for e in syn.truth.events if e.kind == "touchdown")
    found = sorted(e.time_s for e in analysis.events if e.kind == "touchdown")
    assert len(found) >= len(truth) - 1
    assert all(min(abs(f - t) for t in truth) <= 0.015 for f in found)
    assert analysis.summary.contact_time_s is None and all(s.contact_time_s is None for s in analysis.steps)
    assert "long_contacts_sprint" not in {f.criterion for f in analysis.coaching.faults}
    assert "overstride_sprint" in {f.criterion for f in analysis.coaching.faults}  # the injected fault


def test_the_stride_is_the_period_not_two_strides() -> None:
    """A foot whose every other stride reaches further (a limp, a pose model that loses the far foot on
    alternate strides) correlates better at two strides than at one; the stride is still one
    (found on the GaitLab treadmill runner at 25 fps, where a two-stride spacing skipped every other landing)."""
    from types import SimpleNamespace

    from kneedrive.events.reach import _stride_frames

    fps_hz, stride_frames, n = 25.0, 18.0, 300
    frame = np.arange(n, dtype=float)
    swing = np.sin(2 * np.pi * frame / stride_frames)
    longer = 1.0 + 0.8 * (np.floor(frame / stride_frames) % 2)  # every other stride 80 % further
    left = 0.4 * swing * longer
    right = 0.4 * np.sin(2 * np.pi * (frame / stride_frames + 0.5)) * longer
    kin = SimpleNamespace(fps_hz=fps_hz, n_frames=n)
    assert _stride_frames(kin, [left, right]) == pytest.approx(stride_frames, abs=1.0)  # type: ignore[arg-type]


def test_a_touchdown_between_two_frames_is_shown_on_the_frame_after() -> None:
    """The reach times a landing between the last frame in the air and the first on the ground; pictures
    of it (key moments, video stills, the annotated video) show the first on the ground."""
    from kneedrive.report.annotated import ImagePose
    from kneedrive.report.keyframes import nearest_sample

    times = np.array([0.0, 1 / 30, 2 / 30, 3 / 30])
    between = (times[1] + times[2]) / 2
    assert nearest_sample(times, between) == 2 and nearest_sample(times, times[1] + 0.001) == 1
    pose = ImagePose(times, {}, 1 / 60)
    assert pose.index_at(between) == 2 and pose.index_at(times[1] + 0.001) == 1

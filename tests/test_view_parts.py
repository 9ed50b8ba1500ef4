"""A clip whose view changes (a runner coming round a bend toward the camera, then side-on down the
straight): the side-view figures come only from the part seen side-on; the times from every step."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

import kneedrive
from kneedrive.drills.sprinter import SprinterModel, synthesize
from kneedrive.kinematics.view import (
    CLEAR_FRONT_FRONTALITY,
    FRONT_MIN_FRONTALITY,
    SIDE_MAX_FRONTALITY,
    detect_view,
)
from kneedrive.sequence import PoseSequence


def _turned_until(seq: PoseSequence, until_s: float, width_legs: float) -> PoseSequence:
    """The same run with the shoulders and hips `width_legs` apart across the image before `until_s`: the
    athlete turned toward the camera there."""
    xy = seq.xy.copy()
    leg = float(np.nanmedian(np.hypot(*(seq.point("left_hip") - seq.point("left_ankle")).T)))
    early = seq.time_s < until_s
    for pair, share in ((("left_shoulder", "right_shoulder"), 1.0), (("left_hip", "right_hip"), 0.45)):
        left, right = (seq.names.index(n) for n in pair)
        centre = (xy[early, left, 0] + xy[early, right, 0]) / 2
        xy[early, left, 0] = centre + share * width_legs * leg / 2
        xy[early, right, 0] = centre - share * width_legs * leg / 2
    return replace(seq, xy=xy)


def test_only_the_side_on_part_gives_side_view_figures() -> None:
    seq = synthesize(SprinterModel(), duration_s=5.0).sequence
    turned = _turned_until(seq, 3.0, 0.27)  # frontality about 0.6 for the first 3 s: not a side view as a whole
    view = detect_view(turned)
    assert view.view == "side" and view.side_part_s is not None
    assert 2.9 <= view.side_part_s[0] <= 3.3 and view.side_part_s[1] >= 4.9
    assert "side-on only" in view.evidence
    analysis = kneedrive.analyze(turned)
    early = [s for s in analysis.steps if s.touchdown_time_s < view.side_part_s[0]]
    late = [s for s in analysis.steps if s.touchdown_time_s > view.side_part_s[0]]
    assert early and late
    assert all(s.thigh_angle_peak_deg is None and s.touchdown_distance_legs is None for s in early)
    assert all(s.step_time_s is not None for s in early[1:])  # times are kept
    assert sum(s.thigh_angle_peak_deg is not None for s in late) >= len(late) - 1
    assert any("outside the part of the clip seen side-on" in w for w in analysis.warnings)
    rhythm = analysis.drill.reps[0]  # the run's rhythm row spans both parts: counts and rates only
    assert rhythm.cycles and rhythm.cycle_rate_hz is not None and rhythm.thigh_angle_peak_deg is None
    early_cycles = [c for c in rhythm.cycles_detail if c.top_s < view.side_part_s[0]]
    assert early_cycles and all(c.thigh_angle_peak_deg is None for c in early_cycles)
    assert any(c.thigh_angle_peak_deg is not None for c in rhythm.cycles_detail if c.top_s > view.side_part_s[0])
    whole = kneedrive.analyze(seq)
    assert abs(analysis.summary.cadence_spm - whole.summary.cadence_spm) < 0.01 * whole.summary.cadence_spm


def test_a_clear_side_view_and_a_clip_turned_throughout_have_no_side_part() -> None:
    seq = synthesize(SprinterModel(), duration_s=3.0).sequence
    assert detect_view(seq).side_part_s is None
    assert detect_view(seq).frontality <= SIDE_MAX_FRONTALITY
    turned = detect_view(_turned_until(seq, 99.0, 0.4))
    assert turned.side_part_s is None and turned.view != "side"


def test_the_annotated_video_shows_side_view_angles_only_where_the_athlete_is_seen_side_on() -> None:
    from kneedrive.report.annotated import Overlay

    seq = synthesize(SprinterModel(), duration_s=5.0).sequence
    analysis = kneedrive.analyze(_turned_until(seq, 3.0, 0.27))
    assert analysis.view is not None and analysis.view.side_part_s is not None
    overlay = Overlay.of(analysis)
    times = analysis.kinematics.time_s
    early, late = int(np.searchsorted(times, 1.0)), int(np.searchsorted(times, 4.0))
    assert not any(text.startswith(("thigh", "knee", "trunk")) for _, text, _ in overlay.readouts(early))
    assert any(text.startswith("thigh") for _, text, _ in overlay.readouts(late))
    side = Overlay.of(kneedrive.analyze(seq))  # a side view throughout: angles everywhere
    assert any(text.startswith("thigh") for _, text, _ in side.readouts(early))


def test_a_clear_front_view_with_a_side_on_moment_stays_a_front_view() -> None:
    # facing the camera (frontality about 0.9) for 3.5 of 6 s, then side-on for 2.5 s (walking onto the
    # treadmill side-on, say): a front view, with no side-on part
    seq = synthesize(SprinterModel(), duration_s=6.0).sequence
    view = detect_view(_turned_until(seq, 3.5, 0.5))
    assert view.frontality >= CLEAR_FRONT_FRONTALITY
    assert view.view == "front" and view.side_part_s is None


def test_a_bend_seen_at_an_angle_then_a_side_on_straight_has_a_side_on_part() -> None:
    # seen at 40-45 degrees for 3.5 of 6 s (frontality about 0.75: a front view by FRONT_MIN_FRONTALITY,
    # not a clear one), then side-on down the straight: the straight is the side-on part
    seq = synthesize(SprinterModel(), duration_s=6.0).sequence
    view = detect_view(_turned_until(seq, 3.5, 0.4))
    assert FRONT_MIN_FRONTALITY <= view.frontality < CLEAR_FRONT_FRONTALITY
    assert view.view == "side" and view.side_part_s is not None
    assert view.side_part_s[0] == pytest.approx(3.5, abs=0.3) and view.side_part_s[1] > 5.5


def test_a_drill_seen_side_on_only_in_part_of_the_clip_keeps_side_view_figures_only_there() -> None:
    from kneedrive.demo import run_demo

    demo = run_demo("a_skip", fps_hz=60.0)
    seq = demo.sequence
    t0, t1 = float(seq.time_s[0]), float(seq.time_s[-1])
    turned = _turned_until(seq, t0 + 0.6 * (t1 - t0), 0.27)  # turned for the first 60 % of the clip
    analysis = kneedrive.analyze(turned)
    view = analysis.view
    assert view is not None and view.view == "side" and view.side_part_s is not None
    assert analysis.drill.drill_id == "a_skip"
    cycles = [c for r in analysis.drill.reps for c in r.cycles_detail]
    before = [c for c in cycles if c.end_s < view.side_part_s[0]]
    inside = [c for c in cycles if c.start_s >= view.side_part_s[0] and c.end_s <= view.side_part_s[1]]
    assert before and all(c.thigh_angle_peak_deg is None for c in before)
    assert inside and all(c.thigh_angle_peak_deg is not None for c in inside)
    assert any("outside the part of the clip seen side-on" in w for w in analysis.warnings)

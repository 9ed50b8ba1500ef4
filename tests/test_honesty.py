"""Honest numbers: impossible or inconsistent figures are withheld with a warning, everywhere, and no
fault is raised from them."""

from __future__ import annotations

from dataclasses import fields, replace
from typing import Any

import numpy as np
import pytest
from rich.console import Console

import kneedrive
from kneedrive.drills.rep_metrics import Cycle, Rep
from kneedrive.drills.sprinter import SprinterModel, synthesize, with_faults
from kneedrive.events import ContactDetector, GaitEvent, GroundLine
from kneedrive.kinematics import Kinematics
from kneedrive.metrics import Step, Summary
from kneedrive.metrics.honesty import plausible_figures, plausible_reps, plausible_steps, plausible_summary
from kneedrive.metrics.registry import registry
from kneedrive.report.html import render_report
from kneedrive.report.terminal import print_summary
from kneedrive.sequence import PoseSequence


def _blank(cls: Any, **given: Any) -> Any:
    return cls(**{f.name: given.get(f.name) for f in fields(cls)})


def _step(**given: Any) -> Step:
    base = {"side": "left", "touchdown_frame": 0, "touchdown_time_s": 0.0}
    return _blank(Step, **(base | given))  # type: ignore[no-any-return]


def test_a_negative_step_and_an_impossible_speed_are_withheld_with_their_reason() -> None:
    steps, withheld = plausible_steps(
        [_step(step_length_m=-0.09, speed_mps=25.0), _step(step_length_m=2.1, speed_mps=9.4)], fps_hz=240.0
    )
    assert steps[0].step_length_m is None and steps[0].speed_mps is None
    assert steps[1].step_length_m == 2.1 and steps[1].speed_mps == 9.4
    reasons = {w.metric: w.warning() for w in withheld}
    assert "-0.09 m is outside what a human can do" in reasons["step_length_m"]
    assert "in 1 of 2 steps" in reasons["speed_mps"] and "Coh et al. 2018" in reasons["speed_mps"]


def test_a_tuck_jump_of_1_5_m_and_a_rate_decay_of_843_percent_are_withheld() -> None:
    rep = _blank(Rep, index=1, start_s=0.0, end_s=5.0, side="both", jump_height_m=1.48, flight_time_s=1.1,
                 rate_decay_pct=-843.0, thigh_angle_peak_deg=95.0, cycles_detail=(_blank(Cycle, side="left",
                 start_s=0.0, drive_s=0.1, top_s=0.2, end_s=0.5, thigh_angle_peak_deg=400.0),))  # fmt: skip
    (cleaned,), withheld = plausible_reps([rep])
    assert cleaned.jump_height_m is None and cleaned.flight_time_s is None and cleaned.rate_decay_pct is None
    assert cleaned.thigh_angle_peak_deg == 95.0 and cleaned.cycles_detail[0].thigh_angle_peak_deg is None
    assert {w.metric for w in withheld} == {"jump_height_m", "flight_time_s", "rate_decay_pct", "thigh_angle_peak_deg"}


def test_a_slow_sprint_at_sprint_cadence_loses_speed_and_step_length() -> None:
    """1.4 m/s at 285 steps/min: 0.3 m steps at a sprinter's rate, which no runner takes."""
    summary = _blank(Summary, steps=20, step_frequency_hz=4.75, cadence_spm=285.0, speed_mps=1.36,
                     speed_legs_per_s=1.5, step_length_m=0.29, step_length_legs=0.32)  # fmt: skip
    cleaned, withheld = plausible_summary(summary, hips_travel=True)
    assert cleaned.speed_mps is None and cleaned.step_length_m is None and cleaned.cadence_spm == 285.0
    assert any("Dorn et al. 2012" in w.reason for w in withheld)


def test_speed_that_disagrees_with_steps_times_rate_is_withheld_but_a_consistent_one_is_kept() -> None:
    good = _blank(Summary, steps=10, step_frequency_hz=4.3, speed_mps=9.4, step_length_m=2.18, step_length_legs=2.4)
    assert plausible_summary(good, hips_travel=True) == (good, [])
    bad = replace(good, speed_mps=4.0)
    cleaned, withheld = plausible_summary(bad, hips_travel=True)
    assert cleaned.speed_mps is None and cleaned.step_length_m is None
    assert "does not match" in withheld[0].reason
    # on a treadmill (hips still) the belt speed is not compared with the feet
    assert plausible_summary(bad, hips_travel=False)[0].speed_mps == 4.0


def test_slowed_footage_has_no_times_rates_or_speeds() -> None:
    steps, _ = plausible_steps([_step(contact_time_s=0.8, step_time_s=1.2, thigh_angle_peak_deg=40.0)], fps_hz=30.0,
                               slowed=True)  # fmt: skip
    assert steps[0].contact_time_s is None and steps[0].step_time_s is None
    assert steps[0].thigh_angle_peak_deg == 40.0  # angles do not depend on time


def test_slowed_footage_shows_no_slowing_within_a_rep() -> None:
    """A rate decay is a ratio of rates, but on a guessed time base (a phone's slow motion ramps in and out)
    it reads as a change of pace: withheld, and the rep is not flagged as lagging."""
    rep = _blank(Rep, index=1, start_s=0.0, end_s=5.0, side="both", cycles=12, rate_decay_pct=14.0, decayed=True,
                 cycles_detail=())  # fmt: skip
    (cleaned,), _ = plausible_reps([rep], slowed=True)
    assert cleaned.rate_decay_pct is None and cleaned.decayed is False and cleaned.cycles == 12
    (kept,), _ = plausible_reps([rep])
    assert kept.rate_decay_pct == 14.0 and kept.decayed is True


def test_an_asymmetry_of_a_figure_near_zero_is_withheld() -> None:
    figures, withheld = plausible_figures({"knee_flexion_touchdown_pct": 749.0, "step_time_pct": 3.0}, "asymmetry")
    assert figures == {"knee_flexion_touchdown_pct": None, "step_time_pct": 3.0}
    assert "too close to zero" in withheld[0].reason


def _walk(**odd: Any) -> list[Step]:
    """Six 0.55 s steps of 0.9 leg lengths; the fourth with the figures `odd` instead."""
    steady = {"step_time_s": 0.55, "step_length_legs": 0.9, "contact_time_s": 0.5, "flight_time_s": 0.05,
              "vertical_oscillation_legs": 0.05, "thigh_angle_peak_deg": 30.0}  # fmt: skip
    return [_step(touchdown_time_s=0.55 * i, **(steady | (odd if i == 3 else {}))) for i in range(6)]


@pytest.mark.parametrize("lasting_s", [1.12, 0.17])
def test_a_step_that_is_two_steps_or_a_piece_of_one_loses_what_it_measures_touchdown_to_touchdown(
    lasting_s: float,
) -> None:
    """The Sports2D walk: a touchdown missed gave a 1.12 s "step" with a 917 ms flight; a touchdown that is no
    landing a 165 ms one."""
    steps, withheld = plausible_steps(_walk(step_time_s=lasting_s, flight_time_s=0.9, step_length_legs=1.8),
                                      fps_hz=30.0)  # fmt: skip
    odd = steps[3]
    assert odd.step_time_s is None and odd.flight_time_s is None and odd.step_length_legs is None
    assert odd.contact_time_s == 0.5 and odd.thigh_angle_peak_deg == 30.0  # its own contact and swing stand
    assert all(s.step_time_s == 0.55 and s.step_length_legs == 0.9 for i, s in enumerate(steps) if i != 3)
    reason = {w.metric: w for w in withheld}["step_time_s"]
    assert reason.count == 1
    assert f"they last {lasting_s * 1000:.0f} ms where the clip's steps last 550 ms" in reason.reason
    assert plausible_steps(_walk(step_time_s=0.62, flight_time_s=0.12), fps_hz=30.0)[1] == []  # 13 % longer: a step


def test_a_flight_the_hips_do_not_rise_and_fall_for_is_withheld_with_its_contact() -> None:
    """0.4 s in the air rises and falls 0.2 m (g t^2 / 8): hips that moved 0.05 leg lengths were never off the
    ground that long (a toe-off found too early). A 0.4 s flight of hips that moved 0.3 is kept, and so is
    a sprinter's 0.12 s flight (a 2 cm rise, under the keypoints' noise)."""
    steps, withheld = plausible_steps(_walk(contact_time_s=0.15, flight_time_s=0.4), fps_hz=30.0)
    assert steps[3].flight_time_s is None and steps[3].contact_time_s is None and steps[3].step_time_s == 0.55
    assert "Bosco et al. 1983" in {w.metric: w for w in withheld}["flight_time_s"].reason
    high = _walk(contact_time_s=0.15, flight_time_s=0.4, vertical_oscillation_legs=0.3)
    assert plausible_steps(high, fps_hz=30.0)[1] == []
    sprint = [replace(s, step_time_s=0.22, contact_time_s=0.1, flight_time_s=0.12) for s in _walk()]
    assert plausible_steps(sprint, fps_hz=240.0)[1] == []
    # with the scale known the athlete's own leg is used: 0.2 m is 0.24 of a 0.83 m leg, 0.19 of the longest
    low = _walk(contact_time_s=0.15, flight_time_s=0.4, vertical_oscillation_legs=0.11)
    assert plausible_steps(low, fps_hz=30.0)[1] == [] and plausible_steps(low, fps_hz=30.0, leg_length_m=0.83)[1]


def test_a_runner_on_both_feet_is_an_event_found_off_but_a_walks_double_support_is_kept() -> None:
    """The block start from the side reported a negative flight: at 170 steps/min no one is on both feet."""
    run = [replace(s, step_time_s=0.35, contact_time_s=0.3, flight_time_s=0.05) for s in _walk()]
    run[2] = replace(run[2], contact_time_s=0.45, flight_time_s=-0.1)
    steps, withheld = plausible_steps(run, fps_hz=60.0)
    assert steps[2].flight_time_s is None and steps[2].contact_time_s is None and steps[2].step_time_s == 0.35
    assert "never on both feet" in {w.metric: w for w in withheld}["flight_time_s"].reason
    assert plausible_steps(replace_all(run, flight_time_s=-0.02, contact_time_s=0.37), fps_hz=60.0)[1] == []  # 1 frame
    walk = [replace(s, contact_time_s=0.65, flight_time_s=-0.1) for s in _walk()]  # 109 steps/min
    assert plausible_steps(walk, fps_hz=60.0)[1] == []


def test_a_landing_before_the_other_foot_leaves_loses_what_is_read_at_it() -> None:
    """A negative flight in a run: the flight ends at the next touchdown, which may be the event found off
    (the low-knee sprinter's swing foot skims the floor: its touchdowns came 140 ms early and read an
    overstride). That touchdown's distance, knee and trunk angles are withheld with the contact."""
    run = [
        _step(side=("left", "right")[i % 2], touchdown_time_s=0.23 * i, step_time_s=0.23, contact_time_s=0.11,
              flight_time_s=0.12, touchdown_distance_legs=0.3, knee_flexion_touchdown_deg=25.0)
        for i in range(6)
    ]  # fmt: skip
    run[2] = replace(run[2], contact_time_s=0.3, flight_time_s=-0.07)
    run[3] = replace(run[3], touchdown_distance_legs=0.55, knee_flexion_touchdown_deg=8.0)
    steps, withheld = plausible_steps(run, fps_hz=240.0)
    assert steps[3].touchdown_distance_legs is None and steps[3].knee_flexion_touchdown_deg is None
    assert steps[3].contact_time_s is None and steps[3].step_time_s == 0.23  # its contact starts there too
    assert all(steps[i].touchdown_distance_legs == 0.3 for i in (0, 1, 2, 4, 5))
    assert "never on both feet" in {w.metric: w for w in withheld}["touchdown_distance_legs"].reason
    # most touchdowns early: the first one (no flight before it to tell) goes too
    for i in (0, 1, 3):
        run[i] = replace(run[i], contact_time_s=0.3, flight_time_s=-0.07)
    steps, _ = plausible_steps(run, fps_hz=240.0)
    assert all(s.touchdown_distance_legs is None for s in steps)


def replace_all(steps: list[Step], **given: Any) -> list[Step]:
    return [replace(s, **given) for s in steps]


def test_a_distance_without_a_scale_is_shown_in_leg_lengths_in_the_terminal_and_the_report() -> None:
    """No scale: the foot's distance ahead of the hips has no metres but its leg lengths passed; the row shows
    them (with left and right), not a "-" beside a left/right difference, and the report no longer leaves the
    row out."""
    from kneedrive.report.terminal import summary_table

    record = kneedrive.analyze(synthesize(SprinterModel(), duration_s=2.0).sequence).record
    assert record.summary.touchdown_distance_m is None and record.summary.touchdown_distance_legs is not None
    console = Console(record=True, width=200)
    console.print(summary_table(record))
    row = next(line for line in console.export_text().splitlines() if "Foot ahead of hips" in line)
    cells = [c.strip() for c in row.split("│") if c.strip()]
    assert cells[-1] == "legs" and cells[1] == f"{record.summary.touchdown_distance_legs:.2f}"
    assert cells[2] == f"{record.sides['left']['touchdown_distance_legs']:.2f}"
    html = render_report(record, drill_library={})  # the report's summary table too, where it left the row out
    assert f'{registry()["touchdown_distance_legs"].label} <span class="unit">(legs)</span>' in html
    assert f">{record.summary.touchdown_distance_legs:.2f}<" in html


def test_every_registry_range_holds_the_lab_and_synthetic_figures() -> None:
    """The ranges catch failures, not athletes: nothing is withheld on the clean synthetic sprinter."""
    analysis = kneedrive.analyze(synthesize(SprinterModel(), duration_s=2.0).sequence, athlete_height_m=1.8)
    assert analysis.withheld == ()


def _scaled_wrong(seq: PoseSequence) -> PoseSequence:
    """The sprinter filmed so that his hips barely move in the image (a panning camera followed him)."""
    xy = np.array(seq.xy)
    hip = np.nanmean(xy[:, [seq.names.index("left_hip"), seq.names.index("right_hip")], 0], axis=1)
    xy[:, :, 0] -= (hip - hip[0])[:, None] * 0.85
    return replace(seq, xy=xy, source="<panned>")


def test_an_analysis_with_inconsistent_speed_shows_it_nowhere_and_faults_nothing_from_it() -> None:
    analysis = kneedrive.analyze(_scaled_wrong(synthesize(SprinterModel(), duration_s=2.0).sequence),
                                 athlete_height_m=1.8)  # fmt: skip
    record = analysis.record
    assert record.summary.speed_mps is None and record.summary.step_length_m is None
    assert all(s.step_length_m is None and s.speed_mps is None for s in record.steps)
    assert record.sides["left"]["step_length_m"] is None and record.asymmetry_pct["step_length_pct"] is None
    assert "speed_mps" in record.unavailable and "withheld" in record.unavailable["speed_mps"]
    assert any("speed_mps" in w and "withheld" in w for w in record.warnings)
    assert not any(f.metric.startswith(("step_length", "speed")) for f in record.coaching.faults)
    assert not any(f.criterion == "uneven_steps" for f in record.coaching.faults)
    console = Console(record=True, width=200)
    print_summary(record, console)
    named = "withheld (speed_mps, speed_legs_per_s, step_length_m, step_length_legs)"
    assert named in console.export_text()
    assert named in render_report(record, drill_library={})


@pytest.mark.parametrize("name", sorted(registry().names("summary")))
def test_every_summary_figure_has_a_range_or_is_a_count(name: str) -> None:
    row = registry()[name]
    resolution = name in ("contact_time_uncertainty_s", "touchdown_distance_uncertainty_legs")  # of the clip
    assert row.plausible_min is not None or row.plausible_max is not None or resolution


def test_touchdown_coverage_and_alternation_tell_a_lost_athlete_from_a_clean_run() -> None:
    from kneedrive.metrics.honesty import alternation, touchdown_coverage

    clean = [_step(side="left" if i % 2 == 0 else "right", touchdown_time_s=0.23 * i) for i in range(10)]
    assert touchdown_coverage(clean, 1 / 0.23) == (10, 10) and alternation(clean) == 1.0
    sparse = clean[:2] + clean[8:]  # the athlete lost for six steps
    assert touchdown_coverage(sparse, 1 / 0.23) == (4, 10)
    mixed = [replace(s, side="left") if i % 3 else s for i, s in enumerate(clean)]
    assert (alternation(mixed) or 0.0) < 0.75


def test_a_camera_that_moves_unmeasured_leaves_no_ground_figure() -> None:
    from kneedrive.metrics.honesty import without_ground_figures

    steps = [_step(step_length_m=2.0, contact_time_s=0.1, thigh_angle_peak_deg=60.0)]
    summary = _blank(Summary, steps=1, speed_mps=9.0, step_length_m=2.0, cadence_spm=270.0)
    steps2, summary2, withheld = without_ground_figures(steps, summary, "camera")
    assert steps2[0].step_length_m is None and steps2[0].contact_time_s is None
    assert steps2[0].thigh_angle_peak_deg == 60.0  # an angle needs no ground
    assert summary2.speed_mps is None and summary2.cadence_spm == 270.0
    assert {w.metric for w in withheld} == {"speed_mps", "step_length_m", "contact_time_s"}
    assert all(registry()[w.metric].needs_ground for w in withheld)


def test_at_25_fps_contacts_are_not_timed_and_the_warning_says_why_in_words_that_add_up() -> None:
    seq = synthesize(SprinterModel(), duration_s=3.0, fps_hz=25.0).sequence
    stamps = np.arange(len(seq.time_s)) * (1.0 / 25.0) * (1.0 + 1e-12)  # 24.99999... fps, as decoded video reads
    analysis = kneedrive.analyze(replace(seq, time_s=stamps), athlete_height_m=1.8)
    assert not any("is below" in w for w in analysis.warnings)
    (warning,) = [w for w in analysis.warnings if "one frame is 40 ms" in w]
    assert "need more than 25 fps" in warning and analysis.summary.contact_time_s is None
    assert analysis.summary.cadence_spm is not None
    at_30 = kneedrive.analyze(synthesize(SprinterModel(), duration_s=3.0, fps_hz=30.0).sequence, athlete_height_m=1.8)
    assert at_30.summary.contact_time_s is not None


def _shrunk(seq: PoseSequence, factor: float) -> PoseSequence:
    """The same athlete filmed from further away (pixels, unknown scale): every keypoint `factor` times
    closer to the mean position."""
    centre = np.nanmean(seq.xy, axis=(0, 1))
    return replace(seq, xy=centre + (seq.xy - centre) * factor)


def test_a_foot_too_small_in_the_image_gives_no_foot_angle_and_no_foot_fault() -> None:
    seq = synthesize(SprinterModel(), duration_s=2.0).sequence  # feet about 68 px long
    far = kneedrive.analyze(_shrunk(seq, 0.3))  # about 21 px: a runner 110 px tall
    near = kneedrive.analyze(_shrunk(seq, 0.6))  # about 41 px
    foot_figures = ("ankle_dorsiflexion_knee_lift_deg", "foot_angle_knee_lift_deg")
    assert all(getattr(s, f) is None for s in far.steps for f in foot_figures)
    assert all(far.sides[side].get(f) is None for side in far.sides for f in foot_figures)
    assert "left_ankle_dorsiflexion_deg" in far.record.unavailable
    assert any("foot angles and dorsiflexion withheld" in w and "21 px" in w for w in far.warnings)
    assert not any(f.metric in foot_figures for f in far.coaching.faults + far.coaching.praise)
    original = kneedrive.analyze(seq)

    def measured(a: Any) -> int:
        return sum(getattr(s, f) is not None for s in a.steps for f in foot_figures)

    assert measured(near) == measured(original) > 0
    assert not any("foot angles and dorsiflexion withheld" in w for w in near.warnings)
    # everything that does not rest on the foot's angle is unchanged by the gate
    assert far.summary.cadence_spm == pytest.approx(near.summary.cadence_spm, rel=0.01)
    assert far.summary.thigh_angle_peak_deg is not None


def test_figures_withheld_for_one_reason_in_the_same_steps_share_one_warning() -> None:
    from kneedrive.metrics.honesty import Withheld, grouped_warnings

    side_on = "outside the part of the clip seen side-on (11.1-14.1 s of the clip)"
    withheld = [
        Withheld(n, "step", 20, 34, side_on)
        for n in ("thigh_angle_peak_deg", "hip_flexion_peak_deg", "knee_flexion_touchdown_deg")
    ]
    withheld += [Withheld("step_time_s", "step", 1, 34, "34.5 ms is outside what a human can do")]
    withheld += [Withheld("speed_mps", "summary", 1, 1, "the hips and the feet disagree")]
    lines = grouped_warnings(withheld)
    assert lines[0] == (
        "3 figures withheld in 20 of 34 steps (thigh_angle_peak_deg, hip_flexion_peak_deg, "
        f"knee_flexion_touchdown_deg): {side_on}"
    )
    assert lines[1:] == [
        "step_time_s withheld in 1 of 34 steps: 34.5 ms is outside what a human can do",
        "speed_mps withheld: the hips and the feet disagree",
    ]


class _PhantomLandings(ContactDetector):
    """The contact detector, plus a landing of the same foot 40 % of a step after every fourth touchdown (the
    far foot's phantoms behind a treadmill console)."""

    def detect(self, kin: Kinematics) -> tuple[list[GaitEvent], GroundLine]:
        events, ground = super().detect(kin)
        touchdowns = [e for e in events if e.kind == "touchdown"]
        step_s = float(np.median(np.diff([e.time_s for e in touchdowns])))
        phantoms = [
            replace(e, time_s=e.time_s + 0.4 * step_s, frame=e.frame + round(0.4 * step_s * kin.fps_hz))
            for e in touchdowns[1::4]
        ]
        return sorted(events + phantoms, key=lambda e: e.time_s), ground


def test_left_and_right_are_not_compared_when_the_touchdowns_alternate_poorly() -> None:
    from kneedrive.metrics.honesty import MIN_ALTERNATION, MIN_SIDE_ALTERNATION, alternation

    analysis = kneedrive.analyze(synthesize(SprinterModel(), duration_s=4.0).sequence, detector=_PhantomLandings())
    record = analysis.record
    share = alternation(list(record.steps))
    assert share is not None and MIN_ALTERNATION <= share < MIN_SIDE_ALTERNATION  # judged, but sides mixed
    assert all(v is None for v in record.asymmetry_pct.values())
    assert any("left and right cannot be compared" in w and "change foot" in w for w in record.warnings)
    assert not any(f.metric.endswith("_pct") for f in record.coaching.faults)
    assert not any("technique is not judged" in w for w in record.warnings)


def test_steps_are_not_counted_when_a_step_spans_too_few_images() -> None:
    """A sprint seen at 10 images a second (an export repeating every image of a 30 fps clip three times,
    once the repeats are left out): 2-3 images a step. Cadence and step time are withheld and nothing is
    judged; at 25 fps (5-6 images a step) they are measured."""
    from kneedrive.kinematics.timebase import MIN_FRAMES_PER_STEP

    sparse = kneedrive.analyze(synthesize(SprinterModel(), fps_hz=10.0, duration_s=4.0).sequence).record
    assert sparse.summary.cadence_spm is None and sparse.summary.step_time_s is None
    assert all(s.step_time_s is None for s in sparse.steps)
    assert any("too few to find every touchdown" in w and "film at 25 fps" in w for w in sparse.warnings)
    assert not sparse.coaching.faults and any("technique is not judged" in w for w in sparse.warnings)
    from kneedrive.report.headline import top_findings

    assert top_findings(sparse) == []  # nor a finding from a reference value: the report says why instead
    html = render_report(sparse)
    assert 'id="not-judged"' in html and "Most important findings" not in html
    timed = [n for n, m in registry().metrics.items() if m.from_event_times and "rep" in m.scopes]
    assert "cycles" in timed and "rate_decay_pct" in timed and "duration_s" not in timed
    for rep in sparse.drill.reps:  # no cycle count, rate or time from under-sampled cycles either
        assert all(getattr(rep, name, None) is None for name in timed), rep
    fine = kneedrive.analyze(synthesize(SprinterModel(), fps_hz=25.0, duration_s=4.0).sequence).record
    assert fine.summary.cadence_spm is not None
    assert 25.0 / (fine.summary.cadence_spm / 60) >= MIN_FRAMES_PER_STEP


def test_a_slowed_clips_key_moments_are_titled_in_the_files_time() -> None:
    """Slowed footage is analysed on an estimated real time; a key moment's picture names the moment as the
    video player shows it (4x the analysis's time for a clip slowed 4x), not a time found nowhere in the file."""
    import re

    from kneedrive.io.video_record import VideoRecord
    from kneedrive.report.keyframes import key_frames

    record = kneedrive.analyze(synthesize(SprinterModel(), duration_s=2.0).sequence).record
    video = VideoRecord(path="slowed.mp4", width=1280, height=720, fps_hz=30.0, codec="h264", rotation_deg=0,
                        frames=240, frames_without_pose=0, pose_start_s=0.0, pose_end_s=8.0,
                        keypoint_confidence={}, person=1, people=1, model="m", cache_hit=False,
                        timing={"slow_motion_suspected": True, "time_scale": 0.25})  # fmt: skip
    key = key_frames(record)[0]
    html = render_report(replace(record, video=video))
    titles = {float(t) for t in re.findall(r"<title>[^<]* at ([0-9.]+) s</title>", html)}
    assert round(4 * key.time_s, 3) in titles and round(key.time_s, 3) not in titles
    from kneedrive.report.html import _reps

    rep = record.drill.reps[0]  # the runs table: where the rep is in the video, on the same clock
    in_file = replace(rep, start_s=4 * rep.start_s, end_s=4 * rep.end_s)
    expected = _reps(replace(record, drill=replace(record.drill, reps=(in_file,))))[0]["time"]
    assert _reps(replace(record, video=video))[0]["time"] == expected
    # the plots: the same axis as a clip whose analysis ran 4x longer, named as the file's time
    from kneedrive.report.plots import angles_figure, trunk_figure

    assert record.series is not None
    stretched = replace(
        record,
        series=replace(record.series, time_s=4 * record.series.time_s),
        events=tuple(replace(e, time_s=4 * e.time_s) for e in record.events),
    )
    slowed = replace(record, video=video)
    for draw in (lambda r: angles_figure(r, drill_id=None, sprinting=True), trunk_figure):
        on_file, on_clock, as_filmed = (draw(r) or "" for r in (slowed, record, stretched))
        texts = [re.findall(r">([^<>]+)</text>", svg) for svg in (on_file, on_clock, as_filmed)]
        assert "time in the video (s; slowed footage)" in " ".join(texts[0])
        ticks = [[t for t in found if "time" not in t] for found in texts]
        assert ticks[0] == ticks[2] and ticks[0] != ticks[1]


class _QuickBeat(ContactDetector):
    """Touchdowns on alternating feet at 1.2 times the runner's own step rate: a detector that finds landings
    twice or off the beat."""

    def detect(self, kin: Kinematics) -> tuple[list[GaitEvent], GroundLine]:
        events, ground = super().detect(kin)
        touchdowns = [e for e in events if e.kind == "touchdown"]
        start, end = touchdowns[0].time_s, touchdowns[-1].time_s
        step_s = (end - start) / (len(touchdowns) - 1) / 1.2
        quick = [
            GaitEvent("left" if i % 2 == 0 else "right", "touchdown", round(t * kin.fps_hz), t)
            for i, t in enumerate(np.arange(start, end, step_s))
        ]
        return sorted(quick + [e for e in events if e.kind == "toe_off"], key=lambda e: e.time_s), ground


def test_a_step_rate_the_legs_do_not_swing_at_is_withheld_and_nothing_is_judged() -> None:
    """The touchdowns' step rate against the ankles' own swing (Kinematics.step_frequency_estimate_hz): 20 %
    apart, cadence and step time are withheld with the reason and technique is not judged; the same run's
    own touchdowns keep them."""
    from kneedrive.events.choice import LEGS_RHYTHM_AGREEMENT
    from kneedrive.metrics.honesty import touchdowns_off_the_legs

    assert touchdowns_off_the_legs(204 / 60, 169 / 60) is not None
    assert touchdowns_off_the_legs((1 + 0.9 * LEGS_RHYTHM_AGREEMENT) * 3, 3.0) is None
    assert touchdowns_off_the_legs(None, 3.0) is None and touchdowns_off_the_legs(3.0, None) is None
    seq = synthesize(with_faults(SprinterModel(), "hunched"), duration_s=3.0).sequence
    own = kneedrive.analyze(seq, detector=ContactDetector()).record
    assert own.summary.cadence_spm is not None and own.summary.step_time_s is not None
    assert own.summary.contact_time_s is not None and own.coaching.faults  # the hunched trunk is judged
    quick = kneedrive.analyze(seq, detector=_QuickBeat()).record
    assert quick.summary.cadence_spm is None and quick.summary.step_time_s is None
    timed = ("contact_time_s", "flight_time_s", "duty_factor")
    assert all(getattr(quick.summary, name) is None for name in timed)
    assert all(s.contact_time_s is None and s.flight_time_s is None for s in quick.steps)
    assert "the legs swing at" in quick.unavailable["cadence_spm"]
    assert "the legs swing at" in quick.unavailable["contact_time_s"]
    assert any("technique is not judged" in w and "the legs swing at" in w for w in quick.warnings)
    assert not quick.coaching.faults


def test_touchdowns_off_the_legs_are_replaced_by_the_foot_reach_ones(monkeypatch: pytest.MonkeyPatch) -> None:
    """events.choice: when the contact detector's step rate is off the legs' rhythm and the foot reach's is
    not, the foot-reach events are used (said in a warning), cadence is right again and contact and flight
    times are not reported."""
    import kneedrive.events.choice as choice

    model = SprinterModel()
    seq = synthesize(model, duration_s=3.0).sequence
    monkeypatch.setattr(choice, "ContactDetector", _QuickBeat)
    record = kneedrive.analyze(seq).record
    assert any("the foot reach agrees with the legs" in w for w in record.warnings)
    assert record.summary.cadence_spm is not None
    assert record.summary.cadence_spm == pytest.approx(60 * model.step_frequency_hz, rel=0.02)
    assert record.summary.contact_time_s is None and record.summary.flight_time_s is None

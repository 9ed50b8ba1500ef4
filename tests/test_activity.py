"""What the athlete is doing (issue 12, part 6): a run is never a tuck jump, a clip that fits no
drill well is "unsure", a left/right swap neither adds nor removes cycles, drills done in another
style than our generator's are still recognized and counted, and a run's slowing is its stride times."""

from __future__ import annotations

import itertools
import json
from dataclasses import replace
from functools import cache
from pathlib import Path

import numpy as np
import pytest

import kneedrive
from kneedrive.drills.analyze import analyze_drill, with_step_rate
from kneedrive.drills.camera import Artefacts
from kneedrive.drills.cycles import leg_tops
from kneedrive.drills.generator import DrillSynthetic, synthesize_drill
from kneedrive.drills.keyframes import MODELS, DrillSession, Keyframes
from kneedrive.drills.rep_metrics import cycle_tops
from kneedrive.drills.sprinter import SprinterModel, synthesize
from kneedrive.drills.table import drill_spec
from kneedrive.kinematics import Kinematics, compute_kinematics
from kneedrive.sequence import PoseSequence

NOISE = Artefacts(jitter_px=1.5, swap_fraction=0.03, dropout_fraction=0.02, far_side_score=0.7)
SCHEMA = Path(kneedrive.__file__).parent / "schema" / "analysis-v1.schema.json"
JOG = Path(__file__).resolve().parents[2] / "shared" / "data" / "real_clips" / "track_jog_screenrec.mp4"
SWAP_FRAMES = 18


@cache
def synthetic(drill_id: str) -> DrillSynthetic:
    return synthesize_drill(DrillSession(drill_id), fps_hz=60.0, artefacts=NOISE, seed=7)


def slowed(seq: PoseSequence, factor: float) -> PoseSequence:
    """The clip played `factor` times slower (slow motion written at the same frame rate)."""
    return replace(seq, time_s=seq.time_s * factor)


def swapped(kin: Kinematics, starts: list[int], frames: int = SWAP_FRAMES) -> Kinematics:
    """`kin` with the left and right legs' labels exchanged for `frames` frames from each start, after
    the swap correction (as a swap it cannot see, one that starts and ends where the legs cross)."""
    points = {k: v.copy() for k, v in kin.points.items()}
    angles = {k: v.copy() for k, v in kin.angles.items()}
    for table in (points, angles):
        for name in [k for k in table if k.startswith("left_") and "right_" + k[5:] in table]:
            left, right = table[name], table["right_" + name[5:]]
            for s in starts:
                left[s : s + frames], right[s : s + frames] = right[s : s + frames].copy(), left[s : s + frames].copy()
    return replace(kin, points=points, angles=angles)


def variant(drill_id: str, working: Keyframes, monkeypatch: pytest.MonkeyPatch) -> DrillSynthetic:
    """The drill done in another style than the generator's model of it."""
    monkeypatch.setitem(MODELS, drill_id, replace(MODELS[drill_id], working=working))
    return synthesize_drill(DrillSession(drill_id), fps_hz=60.0, artefacts=NOISE, seed=7)


# --- 1. a run is never a tuck jump -------------------------------------------------------------


@pytest.mark.parametrize("factor", [1.0, 4.0, 8.0])
def test_a_run_at_any_playback_speed_is_not_a_tuck_jump(factor: float) -> None:
    """Slowed 4-8x a run's steps take 0.8-1.5 s, as long as a jump's flight: it is still no jump,
    since the feet take turns (legs_in_phase < 0) and no standing jump flies that long."""
    seq = slowed(synthetic("sprint").sequence, factor)
    drill = analyze_drill(compute_kinematics(seq))
    assert drill.drill_id != "tuck_jump"
    assert dict(drill.ranking)["tuck_jump"] < 0.01
    assert drill.features.legs_in_phase is not None and drill.features.legs_in_phase < -0.3


def test_a_tuck_jump_moves_the_legs_together_within_physics() -> None:
    drill = analyze_drill(compute_kinematics(synthetic("tuck_jump").sequence))
    assert drill.drill_id == "tuck_jump" and not drill.unsure
    assert drill.features.legs_in_phase is not None and drill.features.legs_in_phase > 0.8
    flight = drill.features.flight_time_s
    assert flight is not None and 0.2 < flight < 0.8  # t = sqrt(8h/g): 0.8 s is an 80 cm jump


def test_a_tuck_jump_played_slowed_is_not_called_a_tuck_jump_with_confidence() -> None:
    drill = analyze_drill(compute_kinematics(slowed(synthetic("tuck_jump").sequence, 4.0)))
    assert drill.unsure or drill.drill_id != "tuck_jump"


@pytest.mark.skipif(not JOG.exists(), reason="needs ../shared/data/real_clips")
def test_real_slowed_jog_is_not_a_tuck_jump() -> None:
    """An iPad screen recording of a jog played about 4x slowed (truth: no jumps, no flight longer
    than ~5 frames): a run or unsure, never a jump or a skip named with confidence."""
    result = kneedrive.analyze(JOG)
    drill = result.drill
    assert drill.drill_id != "tuck_jump" and dict(drill.ranking)["tuck_jump"] < 0.01
    assert drill.unsure or drill.drill_id == "sprint", drill.ranking[:3]
    assert drill.features.legs_in_phase is not None and drill.features.legs_in_phase < -0.5


WALK = JOG.parents[1] / "sports2d_demo" / "demo.mp4"


@pytest.mark.parametrize("factor", [1.0, 2.0])
@pytest.mark.parametrize("trial", ["JA1Gait21", "rbds"])
def test_a_run_bounces_whatever_its_playback_speed_and_is_no_walk(trial: str, factor: float) -> None:
    """Real runs (Dorn 2012 at 3.53 m/s, RBDS treadmill at 2.5 m/s: markers): the hips are highest with the legs
    apart (in flight). That does not change when the clip is slowed, so a run slowed 2x, whose strides come as
    slowly as a walk's, is still a run and not a walk."""
    from tests import realdata

    seq = realdata.rbds_sequence() if trial == "rbds" else realdata.dorn_sequence(trial)
    drill = analyze_drill(compute_kinematics(slowed(seq, factor)))
    bounce = drill.features.hips_up_with_legs_apart
    assert bounce is not None and bounce > 0.5, bounce
    assert drill.drill_id != "walk" and dict(drill.ranking)["walk"] < 0.01, drill.ranking[:3]


@pytest.mark.slow
@pytest.mark.skipif(not WALK.exists(), reason="needs ../shared/data/sports2d_demo")
def test_a_real_walk_is_a_walk_measured_by_its_steps_and_judged_by_nothing() -> None:
    """The Sports2D demo: a woman walking across the frame (94 steps/min). It was named "Sprint / run" at 1.00.
    Her hips are highest as the legs pass (she vaults over the stance leg), her strides come under 1.15 a
    second: a walk, measured as a gait (cadence, steps), with no sprint fault, praise or S-MAS."""
    result = kneedrive.analyze(WALK)
    drill = result.drill
    assert drill.drill_id == "walk" and not drill.unsure and drill.confidence > 0.7, drill.ranking[:3]
    bounce = drill.features.hips_up_with_legs_apart
    assert bounce is not None and bounce < -0.1
    record = result.record
    assert not record.drill.is_drill and record.drill.label == "Walk"
    assert record.summary.cadence_spm is not None and 85 < record.summary.cadence_spm < 105
    assert record.coaching.faults == () and record.coaching.praise == () and record.smas is None
    assert any(w.startswith("a walk (the seed articles coach sprinting") for w in result.warnings)
    import jsonschema

    doc = result.to_dict()
    jsonschema.validate(doc, json.loads(SCHEMA.read_text()))
    assert doc["drill"]["id"] == "walk" and doc["drill"]["name"] == "Walk"


# --- 2. unsure ----------------------------------------------------------------------------------


def test_a_clip_that_fits_no_drill_is_unsure_with_two_guesses() -> None:
    """High knees played 8x slowed: no drill is done at 0.25 cycles/s, so no drill is picked."""
    seq = slowed(synthetic("high_knees").sequence, 8.0)
    result = kneedrive.analyze(seq)
    drill = result.drill
    assert drill.unsure and drill.decided_by == "unsure"
    assert len(drill.guesses) == 2 and drill.guesses[0][0] == drill.drill_id
    assert any(w.startswith("unsure what the athlete is doing") for w in result.warnings)
    doc = result.to_dict()
    import jsonschema

    jsonschema.validate(doc, json.loads(SCHEMA.read_text()))
    assert doc["drill"]["decided_by"] == "unsure"
    assert doc["drill"]["alternatives"][0]["id"] == drill.guesses[1][0]
    # an unsure activity is not judged, and the report and terminal say it is unsure, with both guesses
    assert doc["faults"] == [] and doc["praise"] == []
    assert any("technique is not judged" in w for w in result.warnings)
    label = result.record.drill.label
    assert label.startswith("unsure: ") and " or " in label


def test_a_clean_drill_and_a_forced_drill_are_not_unsure() -> None:
    seq = synthetic("high_knees").sequence
    auto = analyze_drill(compute_kinematics(seq))
    assert auto.decided_by == "auto" and not auto.unsure
    forced = analyze_drill(compute_kinematics(slowed(seq, 8.0)), "high_knees")
    assert forced.decided_by == "given" and not forced.unsure


# --- 3. left/right swaps ------------------------------------------------------------------------


@pytest.mark.parametrize("drill_id", ["high_knees", "butt_kicks", "a_skip", "b_skip", "piston_run", "pocket_run"])
@pytest.mark.parametrize("offset", [0, 7, 15])
def test_a_label_swap_neither_adds_nor_removes_cycles(drill_id: str, offset: int) -> None:
    kin = compute_kinematics(synthetic(drill_id).sequence)
    clean = analyze_drill(kin, drill_id)
    starts = list(range(90 + offset, kin.n_frames - 30, 97))
    dirty = analyze_drill(swapped(kin, starts), drill_id)
    assert [r.cycles for r in dirty.reps] == [r.cycles for r in clean.reps]
    sides = [(r.cycles_left, r.cycles_right) for r in clean.reps]
    assert [(r.cycles_left, r.cycles_right) for r in dirty.reps] == sides


def test_a_label_swap_on_real_running_keypoints_changes_no_cycle() -> None:
    from tests import realdata

    kin = compute_kinematics(realdata.rbds_sequence())  # 30 s of treadmill running, 150 Hz markers
    spec = drill_spec("sprint")
    clean = cycle_tops(kin, 0, kin.n_frames, spec, "both")
    starts = list(range(200, kin.n_frames - 50, 333))
    frames = round(SWAP_FRAMES * kin.fps_hz / 60)  # as long as 18 frames at 60 fps
    dirty = cycle_tops(swapped(kin, starts, frames=frames), 0, kin.n_frames, spec, "both")
    assert len(clean) > 40
    assert [i for i, _, _ in dirty] == [i for i, _, _ in clean]
    same_side = sum(a[1] == b[1] for a, b in zip(dirty, clean, strict=True))
    assert same_side >= 0.95 * len(clean)  # a swap at the edge of a step may still hand one top over


def test_sides_alternate_through_a_swapped_top() -> None:
    t = np.arange(600) / 60.0
    left = 45 + 45 * np.sin(2 * np.pi * 2 * t)
    right = 45 - 45 * np.sin(2 * np.pi * 2 * t)
    left[100:118], right[100:118] = right[100:118].copy(), left[100:118].copy()
    tops = leg_tops(t, left, right, alternating=True)
    sides = [s for _, s in tops]
    assert len(tops) == 40
    assert all(a != b for a, b in itertools.pairwise(sides))


# --- 4. drills in another style than our generator's ---------------------------------------------


def test_high_knees_with_the_foot_dorsiflexed_at_the_top_are_high_knees(monkeypatch: pytest.MonkeyPatch) -> None:
    """The seeds' good form ("sprung, not soggy": toes up at the top) is still high knees."""
    hk = MODELS["high_knees"].working
    syn = variant("high_knees", replace(hk, dorsiflexion_deg=(5.0, -15.0, 20.0, 30.0, 20.0)), monkeypatch)
    result = kneedrive.analyze(syn.sequence)
    assert result.drill.drill_id == "high_knees" and not result.drill.unsure, result.drill.ranking[:3]
    assert [r.cycles for r in result.drill.reps] == pytest.approx([r.cycles for r in syn.truth.reps], abs=1)


@pytest.mark.parametrize("thigh", [(3.0, 0.0, 6.0, 8.0), (-2.0, -3.0, 2.0, 4.0)])
def test_butt_kicks_with_a_still_thigh_are_counted_by_the_heel(
    thigh: tuple[float, ...], monkeypatch: pytest.MonkeyPatch
) -> None:
    bk = MODELS["butt_kicks"].working
    syn = variant("butt_kicks", replace(bk, thigh_deg=thigh), monkeypatch)
    result = kneedrive.analyze(syn.sequence)
    assert result.drill.drill_id == "butt_kicks", result.drill.ranking[:3]
    for rep, true in zip(result.drill.reps, syn.truth.reps, strict=True):
        assert abs(rep.cycles - true.cycles) <= 1, (rep.cycles, true.cycles)


# --- 5. a run's slowing is its stride times ------------------------------------------------------


def test_a_runs_decay_comes_from_its_stride_times_and_says_so() -> None:
    drill = analyze_drill(compute_kinematics(synthetic("sprint").sequence), "sprint")
    (rep,) = drill.reps
    # strides growing evenly from 0.5 s to 0.6 s: +20% stride time, first third vs last third
    strides = np.linspace(0.5, 0.6, 13)
    left = rep.start_s + np.concatenate([[0.0], np.cumsum(strides)])
    touchdowns = {"left": [float(x) for x in left], "right": [float(x) + 0.25 for x in left[:-1]]}
    timed = with_step_rate(replace(drill, reps=(replace(rep, end_s=float(left[-1])),)), touchdowns)
    (run,) = timed.reps
    first, last = np.median(np.diff(left)[:4]), np.median(np.diff(left)[-4:])
    assert run.rate_decay_pct == pytest.approx((1 - first / last) * 100, abs=1.0)
    assert any("stride time" in w and "grew" in w for w in timed.warnings)
    assert not any("cycle rate dropped" in w for w in timed.warnings)


def test_a_camera_moving_unmeasured_leaves_the_ground_line_features_out_of_recognition() -> None:
    """The panning race's features (zooming 2x, motion unmeasured): the hips 'rise' 1.5 leg lengths a rep in
    the image and the feet's support is read off a ground line that moves. With those features every drill
    misfits badly and the winner swings on details; without them the run fits the sprint."""
    from kneedrive.drills.features import DrillFeatures
    from kneedrive.drills.recognize import load_rules, recognize

    race = DrillFeatures(
        one_sided_ratio=0.996, thigh_peak_deg=66.6, thigh_low_deg=-21.6, thigh_range_deg=88.2,
        thigh_front_share=0.755, knee_flexion_peak_deg=110.3, trunk_lean_deg=1.3, ground_speed_legs_per_s=9.57,
        cycle_rate_hz=2.42, hold_fraction=0.012, hip_rise_legs=1.59, flight_fraction=0.907,
        contacts_per_cycle=0.199, knee_extension_deg=41.6, arm_swing_ratio=0.595, ascent_fraction=0.5,
        legs_in_phase=-0.743, flight_time_s=0.069,
    )  # fmt: skip
    rules = load_rules()
    assert set(rules.needs_ground) == {"hip_rise_legs", "flight_fraction", "contacts_per_cycle", "flight_time_s"}
    assert recognize(race).penalty > 100  # measured against the image's ground line: nothing fits
    unknown = recognize(race, ground_known=False)
    assert unknown.drill_id == "sprint" and not unknown.unsure and unknown.penalty < 1.0


def test_slowed_footage_leaves_the_features_in_seconds_out_of_recognition() -> None:
    """Slowed footage of unknown capture rate: cycle rate and flight time are in the file's time."""
    from kneedrive.drills.recognize import load_rules, recognize

    assert set(load_rules().needs_real_time) == {"cycle_rate_hz", "flight_time_s"}
    seq = synthesize(SprinterModel(), fps_hz=60.0, duration_s=4.0).sequence
    kin = compute_kinematics(seq.replace(time_s=seq.time_s * 3.0))  # slowed 3x: a third of the rate
    features = analyze_drill(kin).features
    assert features.cycle_rate_hz is not None and features.cycle_rate_hz < 1.0
    as_if_real = recognize(features)
    assert as_if_real.misfit["cycle_rate_hz"] > 0  # a sprint's legs cycling under once a second
    slowed = recognize(features, real_time=False)
    assert "cycle_rate_hz" not in slowed.misfit and slowed.penalty < as_if_real.penalty
    assert slowed.drill_id == "sprint" and analyze_drill(kin, real_time=False).drill_id == "sprint"


def test_legs_sampled_too_coarsely_name_no_drill() -> None:
    """At 10 images a second a sprinter's step spans about 2 images: no drill is named from that."""
    kin = compute_kinematics(synthesize(SprinterModel(), fps_hz=10.0, duration_s=4.0).sequence)
    result = analyze_drill(kin)
    assert result.unsure and any("too few to find every touchdown" in w for w in result.warnings)
    assert not analyze_drill(kin, "sprint").unsure  # named by the coach: measured as such
    fine = analyze_drill(compute_kinematics(synthesize(SprinterModel(), fps_hz=30.0, duration_s=4.0).sequence))
    assert fine.drill_id == "sprint" and not fine.unsure

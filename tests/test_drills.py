"""Drills: every modelled drill synthesizes, is recognized, segmented into the right reps and
cycles, and its faults show in the figures. Real sprint data is recognized as a sprint."""

from __future__ import annotations

import json
from dataclasses import fields, replace
from functools import cache
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from typer.testing import CliRunner

import kneedrive
from kneedrive.analysis import Analysis
from kneedrive.cli import app
from kneedrive.drills.camera import Artefacts, Camera
from kneedrive.drills.catalogue import DRILL_IDS
from kneedrive.drills.cycles import rate_decay_pct
from kneedrive.drills.generator import DrillSynthetic, synthesize_drill
from kneedrive.drills.keyframes import DRILL_FAULTS, MODELS, DrillSession
from kneedrive.drills.recognize import load_rules
from kneedrive.drills.rep_metrics import Cycle, Rep
from kneedrive.io.keypoints_csv import write_keypoints_csv

DRILLS = tuple(d for d in DRILL_IDS if d in MODELS)  # the drills the generator models
NOISE = Artefacts(jitter_px=1.5, swap_fraction=0.03, dropout_fraction=0.02, far_side_score=0.7)
SCHEMA = Path(kneedrive.__file__).parent / "schema" / "analysis-v1.schema.json"


@cache
def session_result(session: DrillSession, fps_hz: float = 60.0) -> tuple[DrillSynthetic, Analysis]:
    syn = synthesize_drill(session, fps_hz=fps_hz, artefacts=NOISE, seed=7)
    return syn, kneedrive.analyze(syn.sequence, athlete_height_m=session.height_m)


@pytest.mark.parametrize("drill_id", DRILLS)
def test_each_drill_is_recognized_and_segmented(drill_id: str) -> None:
    syn, result = session_result(DrillSession(drill_id, first_side="left"))
    drill = result.drill
    assert drill.drill_id == drill_id, drill.ranking[:3]
    assert drill.confidence > 0.6
    assert len(drill.reps) == len(syn.truth.reps)
    for rep, true in zip(drill.reps, syn.truth.reps, strict=True):
        assert rep.side == true.side
        assert rep.start_s == pytest.approx(true.start_s, abs=0.4)
        assert rep.end_s == pytest.approx(true.end_s, abs=0.4)
        assert abs(rep.cycles - true.cycles) <= 1, (rep.cycles, true.cycles)
        if true.cycle_rate_hz is not None:
            assert rep.cycle_rate_hz == pytest.approx(true.cycle_rate_hz, rel=0.08)
        assert rep.thigh_angle_peak_deg == pytest.approx(true.thigh_angle_peak_deg, abs=6.0)


def test_the_first_rep_side_follows_the_athlete() -> None:
    _, result = session_result(DrillSession("single_leg_drive_through", first_side="left"))
    assert [r.side for r in result.drill.reps] == ["left", "right"]


@pytest.mark.slow  # real data
def test_real_sprint_and_runs_are_recognized_as_sprint() -> None:
    from tests import realdata

    for seq in (realdata.dorn_sequence("JA1Gait35"), realdata.dorn_sequence("JA1Gait21"), realdata.rbds_sequence()):
        result = kneedrive.analyze(seq)
        assert result.drill.drill_id == "sprint", (seq.source, result.drill.ranking[:3])
        assert result.steps


def test_forcing_the_drill_skips_recognition() -> None:
    syn, _ = session_result(DrillSession("high_knees"))
    forced = kneedrive.analyze(syn.sequence, drill="piston_run")
    assert forced.drill.drill_id == "piston_run" and forced.drill.decided_by == "given"
    with pytest.raises(kneedrive.InputError, match="unknown drill"):
        kneedrive.analyze(syn.sequence, drill="moonwalk")


@pytest.mark.parametrize(
    ("drill_id", "fault", "figure", "change"),
    [
        ("single_leg_drive_through", "low_knee", "thigh_angle_peak_deg", -20.0),
        ("high_knees", "low_knee", "thigh_angle_peak_deg", -20.0),
        ("wall_drill", "soggy_foot", "ankle_dorsiflexion_top_deg", -20.0),
        ("a_skip", "soggy_foot", "ankle_dorsiflexion_top_deg", -20.0),
        ("single_leg_drive_through", "no_heel_recovery", "heel_recovery_height_legs", -0.1),
        ("piston_run", "hunched", "trunk_lean_deg", 10.0),
    ],
)
def test_injected_faults_move_the_figure(drill_id: str, fault: str, figure: str, change: float) -> None:
    _, clean = session_result(DrillSession(drill_id))
    _, faulty = session_result(replace(DrillSession(drill_id), **DRILL_FAULTS[fault]))  # type: ignore[arg-type]
    assert faulty.drill.drill_id == drill_id
    before = np.median([getattr(r, figure) for r in clean.drill.reps])
    after = np.median([getattr(r, figure) for r in faulty.drill.reps])
    assert (after - before) * np.sign(change) >= abs(change), (before, after)


def test_a_rep_that_slows_down_is_flagged() -> None:
    syn, result = session_result(replace(DrillSession("single_leg_drive_through"), rate_decay_pct=25.0))
    for rep, true in zip(result.drill.reps, syn.truth.reps, strict=True):
        assert rep.decayed
        assert rep.rate_decay_pct == pytest.approx(true.rate_decay_pct, abs=5.0)
    _, steady = session_result(DrillSession("single_leg_drive_through"))
    assert not any(r.decayed for r in steady.drill.reps)
    assert any("speed lags" in w for w in result.warnings)


def test_isometric_hold_time_angle_and_sway() -> None:
    _, result = session_result(replace(DrillSession("isometric_hip_flexion_hold"), hold_s=15.0, sway_m=0.03))
    for rep in result.drill.reps:
        assert rep.hold_time_s == pytest.approx(15.0, abs=0.8)
        assert rep.thigh_angle_held_deg == pytest.approx(92.0, abs=3.0)
        assert rep.ankle_dorsiflexion_top_deg == pytest.approx(15.0, abs=4.0)
        assert rep.sway_m == pytest.approx(0.03 / np.sqrt(2), abs=0.01)  # std of a sine of amplitude A


def test_tuck_jump_flight_and_height() -> None:
    _, result = session_result(DrillSession("tuck_jump"), fps_hz=120.0)
    flight_s = 0.5 / MODELS["tuck_jump"].cycle_rate_hz
    for rep in result.drill.reps:
        assert rep.flight_time_s == pytest.approx(flight_s, abs=0.04)
        assert rep.jump_height_m == pytest.approx(9.81 * flight_s**2 / 8, abs=0.06)
        assert rep.thigh_angle_peak_deg > 85


def test_single_leg_knee_drive_is_explosive_up_controlled_down() -> None:
    _, result = session_result(DrillSession("single_leg_knee_drive"))
    for rep in result.drill.reps:
        assert rep.ascent_time_s is not None and rep.descent_time_s is not None
        assert rep.ascent_time_s < 0.6 * rep.descent_time_s
        assert rep.arm_leg_coordination is not None and rep.arm_leg_coordination > 0.5


def test_pocket_run_keeps_one_arm_still() -> None:
    _, pocket = session_result(DrillSession("pocket_run"))
    _, piston = session_result(DrillSession("piston_run"))
    assert all(r.arm_swing_ratio is not None and r.arm_swing_ratio < 0.5 for r in pocket.drill.reps)
    assert all(r.arm_swing_ratio is not None and r.arm_swing_ratio > 0.7 for r in piston.drill.reps)


def test_left_right_imbalance_in_single_leg_work() -> None:
    session = replace(DrillSession("single_leg_knee_drive"), weaker_side="left", weaker_side_thigh_scale=0.8)
    syn, result = session_result(session)
    true_left = next(r.thigh_angle_peak_deg for r in syn.truth.reps if r.side == "left")
    true_right = next(r.thigh_angle_peak_deg for r in syn.truth.reps if r.side == "right")
    expected = 100 * (true_left - true_right) / ((true_left + true_right) / 2)
    assert result.drill.asymmetry_pct["thigh_angle_peak_deg"] == pytest.approx(expected, abs=4.0)


def test_drill_json_validates_and_names_every_rep_field() -> None:
    import jsonschema

    schema = json.loads(SCHEMA.read_text())
    _, result = session_result(DrillSession("b_skip"))
    doc = result.to_dict()
    jsonschema.validate(doc, schema)
    assert doc["drill"]["id"] == "b_skip" and doc["steps"] == []
    rep_schema = schema["properties"]["drill"]["properties"]["reps"]["items"]
    assert set(rep_schema["properties"]) == {f.name for f in fields(Rep)}
    assert set(rep_schema["properties"]["cycles_detail"]["items"]["properties"]) == {f.name for f in fields(Cycle)}


def test_recognition_rules_cover_the_catalogue() -> None:
    rules = load_rules()
    assert set(rules.bands) == set(DRILL_IDS)
    assert all(bands for bands in rules.bands.values())


def test_cli_drill_option_and_bad_drill(tmp_path: Path) -> None:
    syn, _ = session_result(DrillSession("butt_kicks"))
    csv = tmp_path / "kicks.csv"
    write_keypoints_csv(syn.sequence, csv)
    runner = CliRunner()
    ok = runner.invoke(app, ["analyze", str(csv), "--drill", "auto", "--json", str(tmp_path / "a.json")])
    assert ok.exit_code == 0, ok.output
    assert json.loads((tmp_path / "a.json").read_text())["drill"]["id"] == "butt_kicks"
    bad = runner.invoke(app, ["analyze", str(csv), "--drill", "moonwalk"])
    assert bad.exit_code == 2 and "unknown drill" in bad.output and "Traceback" not in bad.output


def test_demo_runs_a_drill_with_a_fault() -> None:
    out = CliRunner().invoke(app, ["demo", "--drill", "wall_drill", "--fault", "rate_decay", "--fps", "60"])
    assert out.exit_code == 0, out.output
    assert "Wall drill" in out.output and "lagging" in out.output


def test_camera_facing_left_and_far_away_changes_nothing_essential() -> None:
    session = DrillSession("a_skip")
    syn = synthesize_drill(session, fps_hz=60.0, camera=Camera(px_per_m=120.0, facing="left"), artefacts=NOISE)
    result = kneedrive.analyze(syn.sequence)
    assert result.drill.drill_id == "a_skip"
    assert [r.cycles for r in result.drill.reps] == pytest.approx([r.cycles for r in syn.truth.reps], abs=1)


@given(
    st.lists(st.floats(0.2, 2.0), min_size=4, max_size=30),
    st.floats(0.1, 10.0),
)
def test_rate_decay_is_scale_free(intervals: list[float], scale: float) -> None:
    tops = np.cumsum(intervals)
    a, b = rate_decay_pct(tops), rate_decay_pct(tops * scale)
    assert a is not None and b is not None
    assert a == pytest.approx(b, abs=1e-6)
    steady = rate_decay_pct(np.arange(len(intervals) + 1) * intervals[0])
    assert steady == pytest.approx(0.0, abs=1e-9)


@pytest.mark.slow  # real data
def test_a_steady_run_is_not_flagged_as_slowing() -> None:
    """A run's rep rate comes from its touchdowns (each foot's strides), not from knee-drive peaks."""
    from tests import realdata

    result = kneedrive.analyze(realdata.rbds_sequence())  # 30 s at a steady 2.5 m/s on a treadmill
    (rep,) = result.drill.reps
    assert rep.cadence_spm == pytest.approx(result.summary.cadence_spm, rel=0.01)
    assert rep.rate_decay_pct is not None and abs(rep.rate_decay_pct) < 3.0
    assert not rep.decayed and not any("speed lags" in w for w in result.warnings)


def test_the_ankle_paths_of_a_fully_seen_clip_are_the_frame_by_frame_ones_exactly() -> None:
    from kneedrive.drills import reps

    rng = np.random.default_rng(3)
    swapped_somewhere = False
    for _ in range(20):
        t = np.arange(300) / 60
        left = np.stack([0.6 * np.sin(9.4 * t), 0.1 * np.cos(9.4 * t)], 1) + rng.normal(0, 0.01, (300, 2))
        right = np.stack([-0.6 * np.sin(9.4 * t), -0.1 * np.cos(9.4 * t)], 1) + rng.normal(0, 0.01, (300, 2))
        for k in rng.choice(290, 8, replace=False):  # labels swapped for a few frames
            left[k : k + 3], right[k : k + 3] = right[k : k + 3].copy(), left[k : k + 3].copy()
        fast = reps._ankle_paths_seen(left, right)
        assert fast == reps._ankle_paths_frame_by_frame(left, right)
        naive = {"left": float(np.hypot(*np.diff(left, axis=0).T).sum())}
        swapped_somewhere |= fast["left"] < 0.9 * naive["left"]  # the swaps were followed, not summed
    assert swapped_somewhere


def test_a_best_guess_whose_cycle_is_not_in_the_clip_gives_way_to_the_next_guess() -> None:
    """A knee-lift hold that looks most like a tuck jump (here: rules that favour the tuck jump) has no tuck
    jump cycle; instead of failing with 'no complete tuck jump cycle', the next guess whose cycles are in the
    clip (the hold) is measured, as unsure, and nothing is judged."""
    from kneedrive.drills.analyze import analyze_drill
    from kneedrive.drills.catalogue import load_catalogue
    from kneedrive.drills.recognize import DrillRules
    from kneedrive.kinematics import compute_kinematics

    shipped = load_catalogue()
    rules = shipped.rules
    hold = "isometric_hip_flexion_hold"
    bands = {
        d: (b if d in ("tuck_jump", hold) else {**b, "one_sided_ratio": (50.0, 60.0)}) for d, b in rules.bands.items()
    }
    bands["tuck_jump"] = {}  # fits anything: the best guess
    bands[hold] = {**rules.bands[hold], "thigh_peak_deg": (0.0, 1.0)}  # a misfit: the second guess
    favouring = replace(shipped, rules=DrillRules(rules.scale, bands))
    syn = synthesize_drill(DrillSession(hold), fps_hz=60.0, artefacts=NOISE, seed=7)
    kin = compute_kinematics(syn.sequence, athlete_height_m=1.8)
    result = analyze_drill(kin, catalogue=favouring)
    assert result.ranking[0][0] == "tuck_jump"
    assert result.drill_id == hold and result.unsure
    assert any(r.cycles for r in result.reps)
    assert any("no complete Tuck jump cycle is in it" in w for w in result.warnings)
    assert sum("unsure what the athlete is doing" in w for w in result.warnings) == 1

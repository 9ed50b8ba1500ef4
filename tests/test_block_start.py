"""A start from the blocks (drills.block_start): the synthetic start is physically sane, the engine finds its
touchdowns, and an acceleration is not judged on top-speed targets."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

import kneedrive
from kneedrive.coaching.criteria import Condition, load_criteria
from kneedrive.coaching.data_files import load_validated
from kneedrive.drills.block_start import BlockStartModel, synthesize_start
from kneedrive.drills.camera import Artefacts
from kneedrive.drills.sprinter import SIDES, Plan, SprinterModel, Synthetic, synthesize, with_faults
from kneedrive.events.contacts import _after_skim, _from_a_start
from kneedrive.kinematics import compute_kinematics
from kneedrive.metrics.acceleration import hips_speed_rise_pct
from kneedrive.metrics.honesty import plausible_summary
from kneedrive.metrics.registry import registry
from kneedrive.metrics.summary import stride_period_s


@pytest.fixture(scope="module")
def start() -> tuple[Synthetic, Plan]:
    return synthesize_start(fps_hz=240.0, duration_s=3.0)


def _touchdowns(syn: Synthetic) -> list[tuple[float, str]]:
    return sorted((e.time_s, e.side) for e in syn.truth.events if e.kind == "touchdown")


def test_the_synthetic_start_is_physically_sane(start: tuple[Synthetic, Plan]) -> None:
    syn, plan = start
    t = np.arange(len(syn.points_m["left_hip"])) / 240.0
    for side in SIDES:  # no foot goes through the track
        low = np.minimum(syn.points_m[f"{side}_foot_index"][:, 1], syn.points_m[f"{side}_heel"][:, 1])
        assert low.min() > -0.005
    model = BlockStartModel()
    still = t < model.set_s
    assert np.ptp(syn.points_m["left_hip"][still, 0]) < 1e-9  # the set position is held
    stances = sorted(
        (s for side in SIDES for s in plan.stances[side] if s.touchdown_s > 0), key=lambda s: s.touchdown_s
    )
    contacts = [s.contact_s for s in stances]
    steps = np.diff([s.touchdown_s for s in stances])
    lengths = np.diff([s.toe_x_m for s in stances])
    assert contacts[0] == pytest.approx(0.19) and contacts[-1] < 0.125  # Mero 1988: 0.19 -> ~0.11
    assert np.all(np.diff(contacts) < 0) and np.all(np.diff(steps) < 1e-9)  # shorter contacts, quicker steps
    assert np.all(np.diff(lengths) > 0)  # ... and longer steps
    assert model.speed_mps(np.array([t[-1]]))[0] > 7.0


def test_every_touchdown_out_of_the_blocks_is_found_once(start: tuple[Synthetic, Plan]) -> None:
    syn, _ = start
    analysis = kneedrive.analyze(syn.sequence)
    found = sorted((e.time_s, e.side) for e in analysis.events if e.kind == "touchdown")
    truth = [(t, side) for t, side in _touchdowns(syn) if t < syn.sequence.time_s[-1] - 0.1]
    assert len(found) == len(truth)
    assert [side for _, side in found] == [side for _, side in truth]
    errors = [t_found - t_true for (t_found, _), (t_true, _) in zip(found, truth, strict=True)]
    # the first out of the blocks: the rear foot skims the track on its way to it (events.contacts.
    # SKIM_RISE_FRACTION); it read 113 ms early, and the second 96 ms. The synthetic foot then hovers 4-7 cm
    # above the track for 60 ms before it lands, which leaves the first 54 ms early.
    assert abs(errors[0]) < 0.06
    assert max(abs(e) for e in errors[1:]) < 0.010
    record = analysis.record
    # the cadence of an accelerating run: the engine's stride fit applied to the true touchdowns
    feet = [[t for t, side in truth if side == foot] for foot in SIDES]
    reference = 120.0 / (stride_period_s(feet) or float("nan"))
    assert record.summary.cadence_spm == pytest.approx(reference, rel=0.01)
    assert record.drill is not None and record.drill.id == "sprint"
    assert record.summary.speed_rise_pct is not None and record.summary.speed_rise_pct > 15.0


@pytest.mark.parametrize(("fps", "duration_s"), [(60.0, 3.0), (120.0, 2.0), (120.0, 3.0), (240.0, 2.0)])
def test_a_start_is_not_judged_on_top_speed_targets(fps: float, duration_s: float) -> None:
    """Out of the blocks the trunk leans about 45 degrees, the first contacts last 190 ms and each step is
    longer than the last: no "hunched" (it was raised at every rate), no "long contacts" (2 s at 120-240 fps)
    and no left/right difference from the order of the steps ("uneven contacts" at 120 fps); the coach is told
    why."""
    syn, _ = synthesize_start(fps_hz=fps, duration_s=duration_s)
    record = kneedrive.analyze(syn.sequence).record
    assert not record.coaching.faults
    assert any("not judged in an acceleration" in w and "hunched" in w for w in record.warnings)
    touchdowns = [e for e in record.events if e.kind == "touchdown"]
    assert len(touchdowns) == len([t for t, _ in _touchdowns(syn) if t < syn.sequence.time_s[-1] - 0.1])
    assert all(v is None for v in record.asymmetry_pct.values())  # withheld: the sides differ by the steps' order


@pytest.mark.parametrize(
    ("fps", "duration_s", "seed"), [(25.0, 3.0, 0), (30.0, 1.5, 1), (60.0, 1.5, 2), (240.0, 3.0, 0)]
)
def test_a_steady_sprint_is_still_judged_on_its_posture(fps: float, duration_s: float, seed: int) -> None:
    """With pose noise, swapped and lost frames (a speed from step length over step time read 8 of 84 such
    steady sprints as accelerations, one touchdown a frame late, and dropped their "hunched")."""
    noisy = Artefacts(jitter_px=1.0, swap_fraction=0.05, dropout_fraction=0.02)
    model = with_faults(SprinterModel(), "hunched")
    syn = synthesize(model, fps_hz=fps, duration_s=duration_s, artefacts=noisy, seed=seed)
    record = kneedrive.analyze(syn.sequence).record
    rise = record.summary.speed_rise_pct
    assert rise is not None and abs(rise) < 3.0
    assert "hunched" in {f.id for f in record.coaching.faults}
    assert not any("in an acceleration" in w for w in record.warnings)


def test_the_left_right_figures_of_a_start_are_withheld_with_the_reason() -> None:
    syn, _ = synthesize_start(fps_hz=120.0, duration_s=3.0)
    analysis = kneedrive.analyze(syn.sequence)
    reasons = [w.reason for w in analysis.withheld if w.metric in analysis.record.asymmetry_pct]
    assert reasons and all("in an acceleration (the hips' speed rose" in r for r in reasons)


def test_a_start_is_told_when_the_hips_are_lost_at_the_ends() -> None:
    syn, _ = synthesize_start(fps_hz=120.0, duration_s=3.0)
    kin = compute_kinematics(syn.sequence)
    hip = kin.mid_hip()
    hip[:3] = np.nan  # lost in the first and last frames: a difference of two samples had no answer
    hip[-3:] = np.nan
    assert _from_a_start(replace(kin, points={**kin.points, "left_hip": hip, "right_hip": hip}))


def test_a_rise_no_run_can_make_is_withheld() -> None:
    syn = synthesize(SprinterModel(), fps_hz=120.0, duration_s=2.0)
    summary = kneedrive.analyze(syn.sequence).record.summary
    row = registry()["speed_rise_pct"]
    low, high = row.plausible_min or 0.0, row.plausible_max or 0.0
    for impossible in (low - 1.0, high + 1.0):
        kept, withheld = plausible_summary(replace(summary, speed_rise_pct=impossible), hips_travel=True)
        assert kept.speed_rise_pct is None and [w.metric for w in withheld] == ["speed_rise_pct"]


def test_the_hips_speed_rise_reads_whole_steps() -> None:
    t = np.arange(0.0, 2.0, 0.01)
    steady = 5.0 * t
    touchdowns = [0.1 + 0.25 * i for i in range(7)]
    assert hips_speed_rise_pct(t, steady, touchdowns) == pytest.approx(0.0, abs=1e-9)
    late = [*touchdowns[:-1], touchdowns[-1] + 0.03]  # the last touchdown a few frames late moves nothing
    assert hips_speed_rise_pct(t, steady, late) == pytest.approx(0.0, abs=1e-9)
    rising = 2.0 * t + 1.5 * t**2  # speed 2 + 3 t: 3.05 over the first two steps (0.1-0.6 s), 6.05 over the last
    assert hips_speed_rise_pct(t, rising, touchdowns) == pytest.approx(100.0 * (6.05 / 3.05 - 1.0))
    assert hips_speed_rise_pct(t, steady, touchdowns[:4]) is None  # three steps: too few to tell
    assert hips_speed_rise_pct(t, 0.1 * t, touchdowns) is None  # a treadmill: the hips hardly travel


def test_the_acceleration_limit_is_the_kinograms() -> None:
    """The criteria keep top-speed targets off a clip the kinogram calls an acceleration: one threshold."""
    limit = 100.0 * float(load_validated("kinogram")["acceleration_min_speed_rise"])
    conditions = [c for criterion in load_criteria() for c in criterion.when if c.field == "summary.speed_rise_pct"]
    assert len(conditions) == 6 and all(c.max == limit and c.if_unknown == "judge" for c in conditions)
    unknown = Condition("summary.speed_rise_pct", max=limit, if_unknown="judge")
    assert unknown.holds({"summary": {}}) and not Condition("summary.speed_rise_pct", max=limit).holds({"summary": {}})
    assert unknown.holds({"summary": {"speed_rise_pct": limit}})
    assert not unknown.holds({"summary": {"speed_rise_pct": limit + 0.1}})
    with pytest.raises(ValueError, match="if_unknown"):
        Condition("summary.speed_rise_pct", max=limit, if_unknown="maybe")


def test_only_a_start_is_searched_for_skims() -> None:
    start, _ = synthesize_start(fps_hz=120.0, duration_s=3.0)
    assert _from_a_start(compute_kinematics(start.sequence))
    for treadmill in (False, True):  # a steady sprint, on the track and on a belt: its lowest point can bump
        steady = synthesize(SprinterModel(treadmill=treadmill), fps_hz=120.0, duration_s=3.0)
        assert not _from_a_start(compute_kinematics(steady.sequence))


def test_a_skim_before_the_landing_is_no_contact() -> None:
    rise = 0.035  # 5 % of a 0.7 leg-length range
    skim_then_landing = np.array([0.12, 0.05, 0.04, 0.09, 0.15, 0.12, 0.06, 0.02, 0.0, 0.0, 0.0, 0.01])
    swinging = np.linspace(-0.5, 0.3, len(skim_then_landing))  # the foot comes forward past the hips
    end = len(skim_then_landing) - 1
    assert _after_skim(skim_then_landing, 0, end, rise, swinging) == 6  # after the 0.12
    # the same heights with the foot going back relative to the hips: on the ground, the rise is pose noise
    assert _after_skim(skim_then_landing, 0, end, rise, -swinging) == 0
    assert _after_skim(skim_then_landing, 0, end, float("inf"), swinging) == 0  # not a start: no skims
    stance = np.array([0.12, 0.06, 0.02, 0.0, 0.01, 0.0, 0.02, 0.0, 0.01, 0.05, 0.12])  # noise, a push-off
    assert _after_skim(stance, 0, len(stance) - 1, rise, np.linspace(0.5, -0.5, len(stance))) == 0
    rising_at_the_end = np.array([0.1, 0.03, 0.0, 0.0, 0.04, 0.09, 0.14])  # toe-off: no second landing
    ahead = np.linspace(0.5, -0.5, len(rising_at_the_end))
    assert _after_skim(rising_at_the_end, 0, len(rising_at_the_end) - 1, rise, ahead) == 0
    assert _after_skim(np.array([0.1, np.nan, 0.0]), 0, 2, rise, np.zeros(3)) == 0

"""The engine on real marker data (../shared/data) against lab labels, force plates and figures
computed straight from the markers. Tolerances are the measured errors plus a small margin
(see scripts/validate_real_data.py for the table); they fail when the engine regresses.
A missing data folder is an error (FileNotFoundError from tests/realdata.py), never a skip.

Known engine problems are strict xfails: they start failing (XPASS) once fixed, so that the
tolerance can then be tightened and the marker removed.
"""

from __future__ import annotations

import importlib.util
import itertools
import statistics
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np
import pytest

import kneedrive
from kneedrive.events import ContactDetector
from kneedrive.events.ground import lowest_point
from kneedrive.kinematics import compute_kinematics
from tests.realdata import (
    DATA,
    PX_PER_M,
    dorn_events,
    dorn_force_events,
    dorn_sequence,
    rbds_force_contacts,
    rbds_force_events,
    rbds_sequence,
)

pytestmark = pytest.mark.slow  # real data (../shared/data)

SCRIPT = Path(__file__).resolve().parents[1] / "scripts" / "validate_real_data.py"
SPRINT, RUN, RBDS = "Dorn sprint 9.5 m/s", "Dorn run 3.5 m/s", "RBDS treadmill 2.5 m/s"


def _load_script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("validate_real_data", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def validation() -> ModuleType:
    return _load_script()


@pytest.fixture(scope="module")
def rows(validation: ModuleType) -> dict[tuple[str, str], dict[str, Any]]:
    return {(r["data"], r["reference"]): r for r in validation.validation_rows()}


def _errors_ms(row: dict[str, Any], kind: str | None = None) -> list[tuple[Any, float | None]]:
    return [(r, None if e is None else e * 1000) for r, e in row["errors"] if kind in (None, r.kind)]


def test_real_data_folder_is_there() -> None:
    files = ["dorn2012_sprint/JA1Gait35.c3d", "dorn2012_sprint/JA1Gait21_sagittal2d.csv"]
    files += ["rbds_treadmill/RBDS0041runT252.txt", "rbds_treadmill/RBDS0041runT252forces.txt"]
    for part in files:
        assert (DATA / part).is_file(), f"real data missing: {DATA / part} (see ../shared/data/README.md)"


# --- the references themselves ---------------------------------------------------------------


@pytest.mark.parametrize("trial", ["JA1Gait35", "JA1Gait21"])
def test_dorn_force_plates_agree_with_lab_labels(trial: str) -> None:
    """README: lab-label contacts 124 ms, 50 N force contacts 113-119 ms in the sprint. The lab
    touchdowns are 1-4 ms before the force crossing, the lab toe-offs 4-12 ms after it."""
    lab, force = dorn_events(trial), dorn_force_events(trial)
    assert len(force) == {"JA1Gait35": 8, "JA1Gait21": 10}[trial]
    for event in force:
        same = [e for e in lab if (e.side, e.kind) == (event.side, event.kind)]
        nearest = min(same, key=lambda e: abs(e.time_s - event.time_s))
        lag_ms = (nearest.time_s - event.time_s) * 1000
        assert (-5 <= lag_ms <= 0) if event.kind == "touchdown" else (3 <= lag_ms <= 13), (event, lag_ms)
    if trial == "JA1Gait35":
        contacts = [to.time_s - td.time_s for td, to in zip(force[::2], force[1::2], strict=True)]
        assert all(0.113 <= c <= 0.1195 for c in contacts), contacts


def test_rbds_force_contacts_alternate_feet() -> None:
    contacts = rbds_force_contacts()
    assert len(contacts) == 78  # 30 s; contacts cut by the record's ends are left out
    assert 0.28 < statistics.median(b - a for a, b in contacts) < 0.30
    flights = [c[0] - p[1] for p, c in itertools.pairwise(contacts)]
    assert min(flights) > 0.05  # single belt: a flight between every two contacts
    sides = [e.side for e in rbds_force_events() if e.kind == "touchdown"]
    assert all(a != b for a, b in itertools.pairwise(sides))


def test_rbds_sequence_has_plausible_segments() -> None:
    seq = rbds_sequence()
    assert seq.n_frames == 4500 and seq.fps_hz == pytest.approx(150.0)
    for side in ("left", "right"):
        thigh = np.linalg.norm(seq.point(f"{side}_knee") - seq.point(f"{side}_hip"), axis=1) / PX_PER_M
        shank = np.linalg.norm(seq.point(f"{side}_ankle") - seq.point(f"{side}_knee"), axis=1) / PX_PER_M
        assert 0.45 < np.median(thigh) < 0.50 and np.std(thigh) < 0.01  # a rigid-looking thigh
        assert 0.43 < np.median(shank) < 0.47 and np.std(shank) < 0.01


# --- Dorn sprint, 250 Hz ---------------------------------------------------------------------

#: The sprint clip ends 20 ms after the last lab touchdown (4.600 s). A touchdown is searched up to
#: 40 % of a contact (~20 frames here) after the foot comes low, and the clip cuts that window: the
#: engine refuses the event rather than report the window's edge (it was 18 ms early).
CLIP_END_TOUCHDOWN = ("right", "touchdown", 4.6)


def test_sprint_every_lab_event_found_and_none_extra(rows: dict) -> None:
    row = rows[(SPRINT, "lab labels")]
    assert (row["n_ref"], row["n_found"], row["n_extra"]) == (10, 9, 0)
    missed = [(r.side, r.kind, r.time_s) for r, e in row["errors"] if e is None]
    assert missed == [CLIP_END_TOUCHDOWN]


def test_sprint_event_timing_within_one_frame(rows: dict) -> None:
    """Measured: |error| <= 2.3 ms for the 9 events (one frame is 4 ms)."""
    for ref, error_ms in _errors_ms(rows[(SPRINT, "lab labels")]):
        if (ref.side, ref.kind, ref.time_s) != CLIP_END_TOUCHDOWN:
            assert error_ms is not None and abs(error_ms) <= 3.0, (ref, error_ms)


def test_sprint_contact_time_and_step_frequency(rows: dict) -> None:
    """Engine 124.8 ms vs lab 124 ms (vs 50 N force 116 ms: the engine follows the lab labels);
    cadence within 0.3 % (both from the same stride estimator)."""
    row = rows[(SPRINT, "lab labels")]
    assert row["contact_ms"] == pytest.approx(row["contact_ref_ms"], abs=5.0)
    assert row["cadence_spm"] == pytest.approx(row["cadence_ref_spm"], rel=0.01)
    force = rows[(SPRINT, "force plates 50 N")]
    assert 0.0 < force["contact_ms"] - force["contact_ref_ms"] < 12.0


def test_sprint_figures_match_the_markers(rows: dict) -> None:
    """Per step, against the raw markers at the lab events. Measured: thigh peak within 0.4 deg,
    knee flexion at touchdown within 1.0 deg, step length within 1 cm."""
    row = rows[(SPRINT, "lab labels")]
    assert len(row["thigh_angle_peak_deg_pairs"]) == 3 and len(row["knee_flexion_touchdown_deg_pairs"]) == 4
    for _, engine, markers in row["thigh_angle_peak_deg_pairs"]:
        assert engine == pytest.approx(markers, abs=1.0)
    for _, engine, markers in row["knee_flexion_touchdown_deg_pairs"]:
        assert engine == pytest.approx(markers, abs=1.5)
    lengths = row["step_length_m_pairs"]
    assert len(lengths) == 3
    for _, engine, markers in lengths:
        assert engine == pytest.approx(markers, abs=0.02)


# --- Dorn run, 250 Hz ------------------------------------------------------------------------


def test_run_events_contact_time_cadence_and_figures(rows: dict) -> None:
    """Measured: touchdowns within 4.5 ms of the lab, toe-offs within 11.3 ms (the engine's
    toe-off is late: +8 ms vs lab and +19 ms vs the 50 N force, left foot); contact 254 vs 248 ms;
    cadence -1.1 %; thigh peak within 0.1 deg, knee at touchdown within 1.2 deg, steps 1 cm."""
    row = rows[(RUN, "lab labels")]
    assert (row["n_ref"], row["n_found"], row["n_extra"]) == (12, 12, 0)
    assert row["td_err_max_ms"] <= 6.0
    assert row["to_err_max_ms"] <= 12.0
    assert row["contact_ms"] == pytest.approx(row["contact_ref_ms"], abs=10.0)
    assert row["cadence_spm"] == pytest.approx(row["cadence_ref_spm"], rel=0.02)
    assert row["thigh_angle_peak_deg_max_diff"] <= 1.5
    assert row["knee_flexion_touchdown_deg_max_diff"] <= 2.0
    assert row["step_length_m_max_diff"] <= 0.02


# --- lower frame rates -----------------------------------------------------------------------


@pytest.mark.parametrize(("data", "every"), [(SPRINT, 4), (SPRINT, 8), (RUN, 4), (RUN, 8)])
def test_lower_frame_rates_degrade_gracefully(rows: dict, data: str, every: int) -> None:
    """Every lab event not within two frames of the clip's end is found within one frame;
    contact time within one frame of the lab; cadence within 2 % at 62.5 fps and within one frame
    per stride at 31 fps (the sprint clip holds 3 strides there; one touchdown 26 ms late, inside
    its frame, costs 4.8 %). Measured at 62.5 fps: events <= 13 ms, contact +11/+12 ms; at 31 fps:
    events <= 26 ms, contact -4/+8 ms."""
    row = rows[(f"{data}, every {every}th frame", "lab labels")]
    frame_ms = 1000 * every / 250
    clip_end = dorn_sequence({SPRINT: "JA1Gait35", RUN: "JA1Gait21"}[data]).time_s[::every][-1]
    for ref, error_ms in _errors_ms(row):
        if clip_end - ref.time_s > 2 * frame_ms / 1000:
            assert error_ms is not None and abs(error_ms) <= frame_ms, (ref, error_ms)
    assert row["contact_ms"] == pytest.approx(row["contact_ref_ms"], abs=frame_ms)
    stride_s = 120.0 / row["cadence_ref_spm"]
    assert row["cadence_spm"] == pytest.approx(row["cadence_ref_spm"], rel=max(0.02, frame_ms / 1000 / stride_s))


# --- robustness: pose-model failures injected into the sprint --------------------------------


@pytest.fixture(scope="module")
def clean_sprint_ref(validation: ModuleType) -> Any:
    return validation.clean_reference(kneedrive.analyze(dorn_sequence("JA1Gait35"), px_per_m=PX_PER_M))


def _perturbed(validation: ModuleType, clean_ref: Any, seed: int, **options: float) -> dict[str, Any]:
    noisy = validation.perturb(dorn_sequence("JA1Gait35"), seed=seed, **options)
    return validation.evaluate("perturbed", kneedrive.analyze(noisy, px_per_m=PX_PER_M), clean_ref)


@pytest.mark.parametrize("seed", range(5))
def test_label_swaps_are_fully_undone(validation: ModuleType, clean_sprint_ref: Any, seed: int) -> None:
    """10 % of the frames with left/right swapped (runs of 1-3): the result is the clean one."""
    row = _perturbed(validation, clean_sprint_ref, seed, dropouts_per_s=0.0)
    assert row["n_found"] == row["n_ref"] and row["n_extra"] == 0
    assert max(row["td_err_max_ms"], row["to_err_max_ms"]) < 0.1
    assert row["thigh_angle_peak_deg_max_diff"] < 0.01 and row["knee_flexion_touchdown_deg_max_diff"] < 0.01


@pytest.mark.parametrize("seed", range(10))
def test_swaps_and_dropouts_move_the_figures_little(validation: ModuleType, clean_sprint_ref: Any, seed: int) -> None:
    """Swaps plus one dropout (<= 100 ms) per keypoint and second. Worst over 30 seeds: contact
    2.8 ms, cadence 2.3 %, median thigh peak 5.0 deg, median knee at touchdown 1.7 deg. A single
    event can move 20+ ms when a dropout hides it (the gap filling cannot restore a peak). The
    clip holds three measured swings since its clip-end touchdown is refused, so a dropout over one
    thigh peak (it reads 51-57 instead of 62 deg) moves their median by up to 5 deg (was 2.5 with
    four swings, whose median averages two)."""
    row = _perturbed(validation, clean_sprint_ref, seed)
    assert row["n_found"] == row["n_ref"] and row["n_extra"] == 0
    assert row["contact_ms"] == pytest.approx(row["contact_ref_ms"], abs=5.0)
    assert row["cadence_spm"] == pytest.approx(row["cadence_ref_spm"], rel=0.03)
    assert row["thigh_angle_peak_deg"] == pytest.approx(row["thigh_angle_peak_deg_ref"], abs=5.5)
    assert row["knee_flexion_touchdown_deg"] == pytest.approx(row["knee_flexion_touchdown_deg_ref"], abs=2.0)


def test_dropouts_never_lose_a_contact(validation: ModuleType, clean_sprint_ref: Any) -> None:
    """Was: a real contact (left, 4.36 s) lost in 3/30 seeds. The ground line's tilt came from the
    lowest foot point per half leg of track, mostly swing, and was twice the floor's: the far
    contacts sat 5 cm above the line, 1 cm inside the touch level. It now comes from the bottoms
    of the contacts, which all sit on it (within 1 mm, test below), 6 cm below the touch level."""
    rows = {seed: _perturbed(validation, clean_sprint_ref, seed, swap_fraction=0.0) for seed in range(30)}
    assert [seed for seed, row in rows.items() if row["n_found"] < row["n_ref"]] == []


@pytest.mark.parametrize("trial", ["JA1Gait35", "JA1Gait21"])
def test_every_contact_bottoms_out_on_the_ground_line(trial: str) -> None:
    """The Dorn floor tilts by 0.006 leg lengths per leg length in the sagittal projection."""
    kin = compute_kinematics(dorn_sequence(trial), px_per_m=PX_PER_M)
    _, ground = ContactDetector().detect(kin)
    assert ground.slope == pytest.approx(-0.006, abs=0.001)
    for side in ("left", "right"):
        low = lowest_point(kin, side)
        height = low[:, 1] - ground.at(low[:, 0])
        detector = ContactDetector()
        phases, touches = detector._phases(kin, side, height)
        landed = [p for p in phases if detector._landed(kin, p, height, touches)]
        inner = [p for p in landed if p.start > 0 and p.end < kin.n_frames - 1]
        assert len(inner) >= 2
        for p in inner:
            assert abs(np.min(height[p.start : p.end + 1])) < 0.005, (side, p)


# --- RBDS treadmill, 150 Hz, force-plate truth -----------------------------------------------


def test_rbds_every_force_contact_found(rows: dict) -> None:
    """All 156 force events are found; touchdowns within 17.2 ms. The heel striker's touchdowns
    are timed at the heel's peak jerk: 10.6 ms (left) and 14.4 ms (right) before the 50 N crossing
    (median); the foot centre's had them at -2.7 and +13.0 ms."""
    row = rows[(RBDS, "force 50 N")]
    assert (row["n_ref"], row["n_found"]) == (156, 156)
    assert row["td_err_max_ms"] <= 20.0
    assert abs(row["td_bias_left_ms"] - row["td_bias_right_ms"]) <= 6.0  # was 15.7 ms apart


def test_rbds_contact_time_and_cadence(rows: dict) -> None:
    """Engine 293.0 ms vs force 289.3 ms (+3.7 ms; was -18.1 ms) and 157.5 vs 157.6 steps/min
    (both from the median stride; -1.1 % from the median step before)."""
    row = rows[(RBDS, "force 50 N")]
    assert row["contact_ms"] == pytest.approx(row["contact_ref_ms"], abs=8.0)
    assert row["cadence_spm"] == pytest.approx(row["cadence_ref_spm"], rel=0.005)


def test_rbds_toe_offs_within_three_frames(rows: dict) -> None:
    """Was 61 ms (left toe-offs ~49 ms late) until toe-off was searched only while the toe is low."""
    assert rows[(RBDS, "force 50 N")]["to_err_max_ms"] <= 20.0


def test_rbds_contact_time_per_foot(rows: dict) -> None:
    """Measured: left 292.1 vs 294.8 ms (-2.7), right 293.5 vs 286.4 ms (+7.1); was -11 and -21 ms.
    Partly a cancellation: touchdowns 11-14 ms early, toe-offs 7-13 ms early."""
    row = rows[(RBDS, "force 50 N")]
    for side in ("left", "right"):
        assert row[f"contact_{side}_ms"] == pytest.approx(row[f"contact_ref_{side}_ms"], abs=10.0)


@pytest.mark.parametrize("seed", [0, 2])  # the two seeds that hit the 40 ms limit (2.5 s each)
def test_rbds_heel_strikes_survive_swaps_and_dropouts(validation: ModuleType, seed: int) -> None:
    """The heel's jerk peak is only trusted up to 40 ms ahead of the foot centre's: gap-filled or
    swapped heel samples put one 86-92 ms early (seeds 0 and 2) before that limit. Worst touchdown
    over 10 seeds 30.7 ms (a dropout hiding the event; the same with the foot centre alone),
    median contact +3.3 to +4.2 ms vs the force (clean: +3.7)."""
    noisy = validation.perturb(rbds_sequence(), seed=seed)
    analysis = kneedrive.analyze(noisy, px_per_m=PX_PER_M, treadmill_speed_mps=validation.RBDS_BELT_MPS)
    row = validation.evaluate("perturbed", analysis, validation.Reference("force 50 N", rbds_force_events()))
    assert (row["n_found"], row["n_extra"]) == (156, 0)
    assert row["td_err_max_ms"] <= 35.0
    assert row["contact_ms"] == pytest.approx(row["contact_ref_ms"], abs=6.0)


def test_rbds_no_touchdown_before_the_foot_lands(rows: dict) -> None:
    """Was one extra touchdown at 29.903 s, ~90 ms before the left heel lands at the record's end
    (the force rises only in the last samples): its search window is cut by the clip, so refused."""
    assert rows[(RBDS, "force 50 N")]["n_extra"] == 0

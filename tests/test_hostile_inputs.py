"""Hostile but realistic input at the library level (issue 17): every case ends in a KneedriveError
with one clear line, or a correct result with a warning; fuzzed readers and analyses never crash.

The fuzz tests run a few examples in CI; KNEEDRIVE_FUZZ_EXAMPLES=N runs N per test (the long mode).
"""

from __future__ import annotations

import contextlib
import os
import time
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import kneedrive
from kneedrive.drills.sprinter import synthesize
from kneedrive.errors import InputError, KneedriveError
from kneedrive.events.ground import fit_ground
from kneedrive.io.analysis_json import load_analysis
from kneedrive.io.keypoints_csv import keypoints_csv_text, parse_keypoints_csv
from kneedrive.io.trc import read_trc, trc_text
from kneedrive.kinematics.swaps import correct_swaps
from kneedrive.sequence import BLAZEPOSE_LANDMARKS, PoseSequence

DORN_TRC = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "dorn2012_sprint" / "sprint.trc"
FUZZ_EXAMPLES = int(os.environ.get("KNEEDRIVE_FUZZ_EXAMPLES", "15"))
FUZZ = settings(
    max_examples=FUZZ_EXAMPLES,
    deadline=None if FUZZ_EXAMPLES > 15 else 20_000,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
#: numpy's RuntimeWarnings (NaN or inf met in arithmetic) are errors under fuzzing: the library handles
#: non-finite values explicitly, so none may reach a user's terminal or log.
NO_RUNTIME_WARNINGS = pytest.mark.filterwarnings("error::RuntimeWarning")


@pytest.fixture(scope="module")
def sprint() -> PoseSequence:
    return synthesize().sequence


def _one_line(exc: pytest.ExceptionInfo[KneedriveError]) -> str:
    message = str(exc.value)
    assert message and "\n" not in message
    return message


def _dorn_lines() -> list[str]:
    if not DORN_TRC.exists():
        pytest.skip("real data missing: ../shared/data/dorn2012_sprint/sprint.trc")
    return DORN_TRC.read_text().splitlines()


def _with_units(lines: list[str], units: str) -> list[str]:
    meta = lines[2].split("\t")
    meta[4] = units
    return [*lines[:2], "\t".join(meta), *lines[3:]]


# --- bounded work: outliers do not blow up the ground fit, long input is linear ---------------------


@pytest.mark.parametrize("value", [1e9, 1e12, 1e300])
def test_one_far_coordinate_is_a_dropout_with_a_warning(sprint: PoseSequence, value: float) -> None:
    xy = np.array(sprint.xy)
    xy[100, sprint.names.index("left_foot_index"), 0] = value
    start = time.perf_counter()
    analysis = kneedrive.analyze(sprint.replace(xy=xy), athlete_height_m=1.8)
    assert time.perf_counter() - start < 30
    assert any("far outside the rest of the skeleton" in w for w in analysis.warnings)
    clean = kneedrive.analyze(sprint, athlete_height_m=1.8)
    assert analysis.summary.cadence_spm == pytest.approx(clean.summary.cadence_spm, rel=0.01)


@NO_RUNTIME_WARNINGS
@pytest.mark.parametrize("value", [-1e300, np.inf])
def test_a_tenth_of_the_points_absurd_are_dropouts_without_numpy_warnings(sprint: PoseSequence, value: float) -> None:
    """So many that the clip's spread cannot tell them (1e300 then overflowed the view's leg lengths, the
    angles and the ground fit): beyond any unit's coordinates, each is a dropout."""
    xy = np.array(sprint.xy)
    hit = np.random.default_rng(5).random(xy.shape[:2]) < 0.1
    xy[hit, 0] = value
    analysis = kneedrive.analyze(sprint.replace(xy=xy), athlete_height_m=1.8)
    clean = kneedrive.analyze(sprint, athlete_height_m=1.8)
    if np.isinf(value):  # a non-finite value is a dropout, not worth a warning
        assert not any("far outside the rest of the skeleton" in w for w in analysis.warnings)
    else:
        assert any(f"{np.count_nonzero(hit)} keypoint position(s) lie far outside" in w for w in analysis.warnings)
    assert analysis.summary.cadence_spm == pytest.approx(clean.summary.cadence_spm, rel=0.02)


def test_ground_fit_ignores_the_x_range_of_an_outlier() -> None:
    x = np.linspace(0.0, 5.0, 2000)
    low = np.stack([x, 0.05 * np.sin(7 * x)], axis=1)
    low[10, 0] = 1e300
    start = time.perf_counter()
    line = fit_ground([low])
    assert time.perf_counter() - start < 1.0
    assert abs(line.slope) < 0.15 and np.isfinite(line.height_legs)


def test_swap_search_is_linear(sprint: PoseSequence) -> None:
    long = np.tile(sprint.xy, (20, 1, 1))
    seq = PoseSequence(time_s=np.arange(len(long)) / 240.0, xy=long, score=np.ones(long.shape[:2]), names=sprint.names)
    start = time.perf_counter()
    correct_swaps(seq)
    assert time.perf_counter() - start < 5.0  # 9,600 frames; the per-frame Python search took ~20 s


# --- validation at the edge -------------------------------------------------------------------------


def test_a_two_frame_csv_is_too_little_data(sprint: PoseSequence) -> None:
    text = "\n".join(keypoints_csv_text(sprint).splitlines()[:3])
    with pytest.raises(InputError, match="too little data") as info:
        kneedrive.analyze(parse_keypoints_csv(text))
    _one_line(info)


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"px_per_m": 1e-9}, "--px-per-m"),
        ({"px_per_m": 1e9}, "--px-per-m"),
        ({"px_per_m": 250.0, "athlete_height_m": 1.8}, "pass only one"),
    ],
)
def test_implausible_or_conflicting_scales_are_errors(
    sprint: PoseSequence, options: dict[str, float], message: str
) -> None:
    with pytest.raises(InputError, match=message) as info:
        kneedrive.analyze(sprint, **options)
    _one_line(info)


def test_right_scale_is_accepted(sprint: PoseSequence) -> None:
    analysis = kneedrive.analyze(sprint, px_per_m=250.0)
    assert analysis.summary.speed_mps == pytest.approx(9.0, rel=0.05)


@pytest.mark.parametrize("scores", [0.0, -np.inf, np.nan])
def test_no_usable_score_is_an_error(sprint: PoseSequence, scores: float) -> None:
    with pytest.raises(InputError) as info:
        kneedrive.analyze(sprint.replace(score=np.full(sprint.score.shape, scores)))
    _one_line(info)


def test_csv_time_going_back_names_the_line(sprint: PoseSequence) -> None:
    lines = keypoints_csv_text(sprint).splitlines()
    lines[5], lines[6] = lines[6], lines[5]
    with pytest.raises(InputError, match=r"not strictly increasing \(line 7\)"):
        parse_keypoints_csv("\n".join(lines))


def test_csv_scores_outside_0_1_are_clipped_with_a_warning() -> None:
    text = "time_s,left_hip_x,left_hip_y,left_hip_score\n0,1,2,5\n0.1,1,2,-1\n"
    seq = parse_keypoints_csv(text)
    assert list(seq.score[:, 0]) == [1.0, 0.0]
    assert any("clipped" in w for w in seq.warnings)


def test_trc_whose_header_says_m_but_holds_mm_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "m.trc"
    path.write_text("\n".join(_with_units(_dorn_lines(), "m")))
    with pytest.raises(InputError, match="leg is 914 m") as info:
        kneedrive.analyze(path)
    _one_line(info)


def test_trc_in_inches_is_scaled(tmp_path: Path, sprint: PoseSequence) -> None:
    inches = sprint.replace(xy=sprint.xy / 250.0 / 0.0254)  # 250 px per m -> inches
    path = tmp_path / "in.trc"
    path.write_text("\n".join(_with_units(trc_text(inches).splitlines(), "in")))
    analysis = kneedrive.analyze(path)
    assert analysis.summary.speed_mps == pytest.approx(9.0, rel=0.05)


def test_trc_with_unknown_units_is_an_error(tmp_path: Path, sprint: PoseSequence) -> None:
    path = tmp_path / "furlong.trc"
    path.write_text("\n".join(_with_units(trc_text(sprint).splitlines(), "furlong")))
    with pytest.raises(InputError, match="unknown Units 'furlong'"):
        read_trc(path)


def test_trc_cut_short_is_analyzed_with_a_warning(tmp_path: Path) -> None:
    path = tmp_path / "half.trc"
    path.write_text("\n".join(_dorn_lines()[: 6 + 160]))
    analysis = kneedrive.analyze(path)
    assert any("the header says 324 frames, the file holds 160" in w for w in analysis.warnings)
    assert analysis.summary.speed_mps == pytest.approx(9.47, rel=0.03)


@NO_RUNTIME_WARNINGS
def test_trc_without_times_and_an_infinite_frame_number_names_its_line(tmp_path: Path) -> None:
    lines = _dorn_lines()
    rows = [line.split("\t") for line in lines[6:13]]  # file lines 7-13 (line 6 is empty)
    for row in rows:
        row[1] = ""  # no time: the frame numbers and DataRate give it
    rows[3][0] = "1e310"
    path = tmp_path / "frames.trc"
    path.write_text("\n".join([*lines[:5], "", *("\t".join(r) for r in rows)]))
    with pytest.raises(InputError, match=r"line 10 has neither a time nor a frame number"):
        read_trc(path)


@pytest.mark.parametrize("case", ["no ankles", "no knees", "no known markers", "all NaN"])
def test_trc_without_limbs_is_an_input_error(tmp_path: Path, case: str) -> None:
    lines = _dorn_lines()
    if case == "no ankles":
        lines[3] = lines[3].replace("LLMAL", "XLMAL").replace("RLMAL", "XRMAL")
    elif case == "no knees":
        lines[3] = lines[3].replace("LLEPI", "XLEPI").replace("RLEPI", "XREPI")
    elif case == "no known markers":
        lines[3] = "\t".join(c if i < 2 or not c else f"M{i}" for i, c in enumerate(lines[3].split("\t")))
    else:
        lines = lines[:5] + ["\t".join(r.split("\t")[:2] + [""] * (len(r.split("\t")) - 2)) for r in lines[5:]]
    path = tmp_path / "bad.trc"
    path.write_text("\n".join(lines))
    with pytest.raises(InputError, match="no marker") as info:
        kneedrive.analyze(path)
    _one_line(info)


def test_json_nested_deeply_is_an_input_error(tmp_path: Path) -> None:
    path = tmp_path / "deep.json"
    path.write_text("[" * 100_000 + "]" * 100_000)
    with pytest.raises(InputError, match="nested too deeply"):
        load_analysis(path)


# --- no confident garbage ---------------------------------------------------------------------------


def test_uniform_random_keypoints_are_refused() -> None:
    rng = np.random.default_rng(0)
    n = 600
    seq = PoseSequence(
        time_s=np.arange(n) / 60.0,
        xy=rng.uniform(0, 1000, (n, len(BLAZEPOSE_LANDMARKS), 2)),
        score=np.ones((n, len(BLAZEPOSE_LANDMARKS))),
        names=BLAZEPOSE_LANDMARKS,
    )
    with pytest.raises(InputError, match="not form a plausible human skeleton") as info:
        kneedrive.analyze(seq)
    _one_line(info)


def test_one_ankle_marker_dropout_keeps_the_vertical_axis(tmp_path: Path) -> None:
    """240 ms without LLMAL made the knee-ankle guess pick a horizontal axis: 'Wall drill', trunk -83 deg."""
    lines = _dorn_lines()
    markers = [m for m in lines[3].split("\t")[2:] if m.strip()]
    k = 2 + 3 * markers.index("LLMAL")
    rows = []
    for i, line in enumerate(lines[5:]):
        cells = line.split("\t")
        if 100 <= i < 160:
            cells[k : k + 3] = ["", "", ""]
        rows.append("\t".join(cells))
    path = tmp_path / "dropout.trc"
    path.write_text("\n".join(lines[:5] + rows))
    analysis = kneedrive.analyze(path)
    assert analysis.drill.drill_id == "sprint"
    assert analysis.summary.speed_mps == pytest.approx(9.47, rel=0.02)


# --- fuzz: readers and the analysis raise KneedriveError or succeed, never anything else -------------

CSV_ALPHABET = st.sampled_from([*list('0123456789.,-+eE\n\r\t "naifNI'), "time_s", "left_hip_x", "_y", "1e300"])


@NO_RUNTIME_WARNINGS
@FUZZ
@given(text=st.lists(CSV_ALPHABET, max_size=200).map("".join))
def test_fuzz_csv_reader(text: str) -> None:
    try:
        seq = parse_keypoints_csv(text, fps_hz=30.0)
    except KneedriveError:
        return
    assert np.all(np.diff(seq.time_s) > 0)


@NO_RUNTIME_WARNINGS
@FUZZ
@given(body=st.lists(st.sampled_from([*list("0123456789.-e\t\n "), "nan", "inf"]), max_size=200).map("".join))
def test_fuzz_trc_reader(tmp_path: Path, body: str) -> None:
    head = trc_text(synthesize(duration_s=0.1).sequence).splitlines()[:5]
    path = tmp_path / "fuzz.trc"
    path.write_text("\n".join(head) + "\n" + body)
    try:
        read_trc(path)
    except KneedriveError:
        return


@NO_RUNTIME_WARNINGS
@FUZZ
@given(text=st.text(max_size=200) | st.recursive(st.just("1"), lambda s: s.map(lambda v: f"[{v}]"), max_leaves=50))
def test_fuzz_json_reader(tmp_path: Path, text: str) -> None:
    path = tmp_path / "fuzz.json"
    path.write_text(text)
    with pytest.raises(KneedriveError):
        load_analysis(path)


@NO_RUNTIME_WARNINGS
@FUZZ
@given(
    seed=st.integers(0, 2**16),
    value=st.sampled_from([np.nan, np.inf, -np.inf, 1e9, -1e300, 0.0, 1e-300]),
    fraction=st.floats(0.0, 0.5),
    frames=st.integers(2, 480),
)
def test_fuzz_analyze(sprint: PoseSequence, seed: int, value: float, fraction: float, frames: int) -> None:
    rng = np.random.default_rng(seed)
    xy = np.array(sprint.xy[:frames])
    xy[rng.random(xy.shape) < fraction] = value
    seq = PoseSequence(time_s=sprint.time_s[:frames], xy=xy, score=sprint.score[:frames], names=sprint.names)
    start = time.perf_counter()
    with contextlib.suppress(KneedriveError):
        kneedrive.analyze(seq)
    assert time.perf_counter() - start < 30

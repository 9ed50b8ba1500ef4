"""The pose stage on real video: backend contract, athlete choice on a multi-person clip, pose cache."""

from __future__ import annotations

import io
import json
from dataclasses import replace
from importlib import resources
from pathlib import Path

import jsonschema
import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from PIL import Image
from typer.testing import CliRunner

import kneedrive
from kneedrive.cli import app
from kneedrive.errors import InputError
from kneedrive.io.video import read_frames
from kneedrive.pose import (
    BlazePoseFull,
    PersonDetector,
    PoseBackend,
    PoseEstimate,
    VideoPose,
    estimate_pose,
    find_people,
)
from kneedrive.pose import run as pose_run
from kneedrive.pose.blazepose import read_by_estimate
from kneedrive.pose.detector import PersonDetection, ssd_anchors, weighted_nms
from kneedrive.pose.geometry import Roi
from kneedrive.pose.litert import bundled_model, load_interpreter
from kneedrive.pose.people import PeopleScan, Segment, merge, stitch
from kneedrive.pose.plugins import check_backend, load_backend
from kneedrive.pose.prune import keep_outputs, stored_keep_outputs
from kneedrive.pose.tracker import _Follower, region_from_pose, search_box
from kneedrive.pose.workers import Call, Workers
from kneedrive.report.people import ATHLETE_COLOUR, OTHER_COLOUR, draw_people
from kneedrive.sequence import BLAZEPOSE_LANDMARKS, REQUIRED_KEYPOINTS

from .videoclips import remux_faststart, shared, write_clip

SCHEMA = json.loads(resources.files("kneedrive").joinpath("schema/analysis-v1.schema.json").read_text())
DEMO = "sports2d_demo/demo.mp4"


@pytest.fixture(autouse=True)
def private_cache(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path_factory.mktemp("pose-cache")
    monkeypatch.setenv("KNEEDRIVE_CACHE_DIR", str(folder))
    return folder


@pytest.fixture(scope="module")
def demo_pose() -> VideoPose:
    return estimate_pose(shared(DEMO), use_cache=False)


@pytest.fixture(scope="module")
def walker_frame() -> np.ndarray:
    """Frame 120 of the Sports2D demo: the woman walks in the middle of the frame."""
    return next(f for f in read_frames(shared(DEMO), start_s=4.0) if f.index == 120).rgb


# --- geometry and detector decoding ---------------------------------------------------------------------


def test_ssd_anchors_follow_the_blazepose_layout() -> None:
    anchors = ssd_anchors()
    assert anchors.shape == (2254, 2)  # 28x28x2 + 14x14x2 + 7x7x6
    assert np.all((anchors > 0) & (anchors < 1))
    np.testing.assert_allclose(anchors[0], [0.5 / 28, 0.5 / 28])
    np.testing.assert_allclose(anchors[-1], [6.5 / 7, 6.5 / 7])


def test_weighted_nms_merges_overlaps_and_keeps_separate_people() -> None:
    scores = np.array([0.9, 0.6, 0.8])
    values = np.array([[0, 0, 10, 10, 1.0], [1, 1, 11, 11, 4.0], [50, 50, 60, 60, 7.0]])
    kept = weighted_nms(scores, values)
    assert [round(s, 2) for s, _ in kept] == [0.9, 0.8]
    np.testing.assert_allclose(kept[0][1][4], (0.9 * 1 + 0.6 * 4) / 1.5)


@settings(max_examples=40, deadline=None)
@given(
    cx=st.floats(40, 160),
    cy=st.floats(40, 110),
    size=st.floats(20, 120),
    angle=st.floats(-np.pi, np.pi),
    u=st.integers(8, 56),
    v=st.integers(8, 56),
)
def test_roi_crop_and_projection_agree(cx: float, cy: float, size: float, angle: float, u: int, v: int) -> None:
    """A bright spot at the image point a crop pixel maps to shows up at that crop pixel."""
    roi = Roi(cx, cy, size, angle)
    x, y = roi.to_image(np.array([[u + 0.5, v + 0.5]]), 64)[0]
    assume(4 < x < 196 and 4 < y < 146)  # the whole spot inside the image
    rgb = np.zeros((150, 200, 3), dtype=np.uint8)
    yy, xx = np.mgrid[0:150, 0:200]
    rgb[(xx + 0.5 - x) ** 2 + (yy + 0.5 - y) ** 2 <= 2.5**2] = 255
    crop = roi.crop(rgb, 64)[:, :, 0].astype(float)
    rows, cols = np.mgrid[0:64, 0:64]
    centre_u, centre_v = (cols * crop).sum() / crop.sum() + 0.5, (rows * crop).sum() / crop.sum() + 0.5
    assert abs(centre_u - (u + 0.5)) <= 1.0 and abs(centre_v - (v + 0.5)) <= 1.0


# --- backend contract: every backend must pass these -------------------------------------------------------


class SeedEcho:
    """A minimal plug-in backend: puts the six required keypoints around the region's hip centre."""

    names = REQUIRED_KEYPOINTS
    model_id = "seed-echo-1"

    def estimate(self, image: np.ndarray, seed: PersonDetection) -> PoseEstimate | None:
        x, y = seed.hip_xy
        offsets = np.array([[-5, 0], [5, 0], [-5, 40], [5, 40], [-5, 80], [5, 80]], dtype=float)
        return PoseEstimate(xy=offsets + np.array([x, y]), score=np.full(6, 0.9), presence=1.0)


BACKENDS = {"blazepose": BlazePoseFull, "plug-in": SeedEcho}


@pytest.fixture(scope="module")
def walker(walker_frame: np.ndarray) -> PersonDetection:
    detections = PersonDetector(bundled_model("detector")).detect(walker_frame)
    return min(detections, key=lambda d: abs(d.hip_xy[0] - 820))


@pytest.mark.parametrize("name", sorted(BACKENDS))
@pytest.mark.slow  # the pose model
def test_backend_contract(name: str, walker_frame: np.ndarray, walker: PersonDetection) -> None:
    backend = BACKENDS[name]()
    assert isinstance(backend, PoseBackend)
    check_backend(backend, name)
    assert set(backend.names) <= set(BLAZEPOSE_LANDMARKS) and backend.model_id
    first = backend.estimate(walker_frame, walker)
    assert first is not None
    assert first.xy.shape == (len(backend.names), 2) and first.score.shape == (len(backend.names),)
    assert np.all((first.score >= 0) & (first.score <= 1)) and 0 <= first.presence <= 1
    hip = first.hip_centre(backend.names)
    assert abs(hip[0] - 820) < 60 and abs(hip[1] - 720) < 60  # the walking woman's hips, frame 120
    # the region the tracker frames from an answer finds the same person again
    again = backend.estimate(walker_frame, region_from_pose(first, backend.names))
    assert again is not None and np.linalg.norm(again.hip_centre(backend.names) - hip) < 15


@pytest.mark.slow  # the pose model
def test_the_cut_down_landmark_model_answers_exactly_as_the_full_one(
    walker_frame: np.ndarray, walker: PersonDetection
) -> None:
    """Pruning keeps the three outputs we read, bit for bit, and drops the mask and world landmarks."""
    path = bundled_model("landmarks_full")
    full = load_interpreter(path, num_threads=1)
    cut = load_interpreter(keep_outputs(path.read_bytes(), read_by_estimate), num_threads=1)
    crop = walker.roi().crop(walker_frame, 256).astype(np.float32)[None] / 255.0
    answers = []
    for interpreter in (full, cut):
        interpreter.set_tensor(interpreter.get_input_details()[0]["index"], crop)
        interpreter.invoke()
        answers.append({d["name"]: d["index"] for d in interpreter.get_output_details()})
    assert len(answers[0]) == 5 and len(answers[1]) == 3
    for name, index in answers[1].items():
        assert np.array_equal(cut.get_tensor(index), full.get_tensor(answers[0][name]))


@pytest.mark.slow  # the pose model
def test_the_stored_cut_down_model_is_the_one_cut_now(tmp_path: Path, private_cache: Path) -> None:
    model = bundled_model("landmarks_full").read_bytes()
    fresh = keep_outputs(model, read_by_estimate)
    assert stored_keep_outputs(model, read_by_estimate, tmp_path) == fresh  # cut and stored
    (stored,) = tmp_path.iterdir()
    assert stored.read_bytes() == fresh
    stored.write_bytes(b"the stored copy")
    assert stored_keep_outputs(model, read_by_estimate, tmp_path) == b"the stored copy"  # read, not cut again
    BlazePoseFull()  # stores its copy in the pose cache's models folder
    (in_cache,) = (private_cache / "models").iterdir()
    in_cache.write_bytes(b"damaged")
    assert BlazePoseFull()._content == fresh  # a damaged copy is cut again...
    assert in_cache.read_bytes() == fresh  # ...and replaced


@pytest.mark.slow  # the pose model
def test_the_model_sees_nobody_where_nobody_is(walker_frame: np.ndarray) -> None:
    sky = PersonDetection(score=1.0, box_px=(1400, 0, 1700, 300), hip_xy=(1550, 150), scale_xy=(1550, 20))
    assert BlazePoseFull().estimate(walker_frame, sky) is None


@pytest.mark.slow  # the pose model
def test_the_model_gives_the_same_answer_from_two_threads_at_once(
    walker_frame: np.ndarray, walker: PersonDetection
) -> None:
    """The tracker runs two calls at once; each thread has its own interpreter, so answers do not mix."""
    backend = BlazePoseFull()
    alone = backend.estimate(walker_frame, walker)
    region = PersonDetection(score=1.0, box_px=walker.box_px, hip_xy=walker.hip_xy, scale_xy=walker.scale_xy)
    with Workers(parallel=True) as workers:
        answers = workers.run([Call(key, 0, backend.estimate, (walker_frame, region)) for key in range(4)])
    assert alone is not None
    for key in range(4):
        assert np.allclose(answers[(key, 0)].xy, alone.xy, atol=0.5)


def test_workers_answer_every_call_by_key_and_row() -> None:
    def twice(x: int) -> int:
        return 2 * x

    for parallel in (False, True):
        with Workers(parallel=parallel) as workers:
            calls = [Call(key, row, twice, (10 * key + row,)) for key in range(3) for row in range(2)][:5]
            answers = workers.run(calls)
        assert answers == {(c.key, c.row): 2 * (10 * c.key + c.row) for c in calls}
        assert workers.calls == 5


def test_a_region_is_moved_on_at_the_persons_speed() -> None:
    """Two poses 10 px apart per frame: the region two frames on is 20 px further; a lead of more than a
    body radius is not trusted; before the first pose, the region goes back."""
    hips = [np.array([100.0, 300.0]), np.array([110.0, 300.0])]
    segment = Segment(rows=[4, 5], time_s=[4 / 30, 5 / 30], xy=[], score=[], hip_xy=hips, radius_px=[100.0, 100.0])
    follower = _Follower(key=1, segment=segment, regions=[_region(100.0, 300.0), _region(110.0, 300.0)])
    assert follower.region_for(7).hip_xy == pytest.approx((130.0, 300.0))
    assert follower.region_for(7).scale_xy == pytest.approx((130.0, 250.0))
    assert follower.region_for(2).hip_xy == pytest.approx((80.0, 300.0))
    assert follower.region_for(100).hip_xy == pytest.approx((110.0, 300.0))  # 950 px on: not trusted


def _region(x: float, y: float) -> PersonDetection:
    return PersonDetection(score=1.0, box_px=(x - 50, y - 50, x + 50, y + 50), hip_xy=(x, y), scale_xy=(x, y - 50))


def test_plug_in_backends_load_by_name_and_are_checked() -> None:
    assert isinstance(load_backend("tests.test_pose:SeedEcho"), SeedEcho)
    with pytest.raises(InputError, match=r"package\.module:Class"):
        load_backend("no_colon_here")
    with pytest.raises(InputError, match="cannot import"):
        load_backend("no_such_module_xyz:Thing")

    class WrongNames(SeedEcho):
        names = ("hip", "knee", "ankle", "a", "b", "c")

    with pytest.raises(InputError, match="unknown: hip"):
        check_backend(WrongNames(), "wrong")


# --- the athlete on a multi-person clip ----------------------------------------------------------------------


@pytest.mark.slow  # the pose model
def test_the_walking_woman_is_analyzed_not_the_man_on_the_roof(demo_pose: VideoPose) -> None:
    seq = demo_pose.sequence
    hip = (seq.point("left_hip") + seq.point("right_hip")) / 2
    seen = np.isfinite(hip[:, 0])
    assert demo_pose.person == 1 and demo_pose.people >= 2
    # she comes out from behind a tree on the right at ~1.2 s (her legs seen from ~1.25 s; the scan finds her
    # at ~2.1 s and she is followed back from there, pose.follow_back) and leaves on the left at ~6.5 s:
    # tracked all the way, and nobody else (a man walks in on the right at ~6.8 s) is picked up once she
    # has gone
    t = seq.time_s
    in_view = (t >= 1.3) & (t <= 6.1)
    assert seen[in_view].mean() >= 0.97
    lost = np.flatnonzero(in_view & ~seen)
    assert len(lost) == 0 or max(len(run) for run in np.split(lost, np.flatnonzero(np.diff(lost) > 1) + 1)) <= 3
    assert 1.15 <= t[0] <= 1.6 and 6.1 <= t[-1] <= 6.9
    assert np.nanmax(hip[:, 0]) - np.nanmin(hip[:, 0]) > 0.6 * 1768
    # the man stands on a roof (hips above y = 600 px); her hips stay at the ground level (~720 px)
    assert np.nanmin(hip[:, 1]) > 640
    # while she is wholly in view, her ankles are on the grass (the man's feet are on the roof, y < 450 px)
    whole = (t >= 2.2) & (t <= 6.1)
    ankles = np.concatenate([seq.point("left_ankle")[whole], seq.point("right_ankle")[whole]])
    assert np.nanmin(ankles[:, 1]) > 800


@pytest.mark.slow  # the pose model
def test_the_demo_walk_gives_steps_and_a_schema_valid_video_block(demo_pose: VideoPose) -> None:
    analysis = kneedrive.analyze(demo_pose)
    assert len(analysis.steps) >= 3
    assert {e.side for e in analysis.events if e.kind == "touchdown"} == {"left", "right"}
    doc = analysis.to_dict()
    jsonschema.validate(doc, SCHEMA)
    video = doc["video"]
    assert (video["width"], video["height"], video["frames"], video["person"]) == (1768, 994, 230, 1)
    assert video["frames_without_pose"] == demo_pose.frames_without_pose
    assert 70 <= video["frames_without_pose"] <= 110  # in view from ~2 s to ~6.5 s of 7.7 s
    assert video["keypoint_confidence"]["left_hip"] > 0.9


@pytest.fixture(scope="module")
def demo_people() -> PeopleScan:
    return find_people(shared(DEMO))[1]


@pytest.mark.slow  # the pose model
def test_people_preview_numbers_the_people(demo_people: PeopleScan, tmp_path: Path) -> None:
    assert len(demo_people.tracks) >= 2
    with Image.open(io.BytesIO(draw_people(demo_people))) as image:
        assert image.width == 640 and image.height == 360
        pixels = np.asarray(image.convert("RGB")).reshape(-1, 3)
    assert np.any(np.all(pixels == ATHLETE_COLOUR, axis=1)) and np.any(np.all(pixels == OTHER_COLOUR, axis=1))


@pytest.mark.slow  # the pose model
def test_people_command_writes_the_preview(tmp_path: Path) -> None:
    out = tmp_path / "people.png"
    result = CliRunner().invoke(app, ["people", str(shared("sports2d_demo/demo3.mp4")), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert "person 1" in result.output and "analyzed by default" in result.output
    with Image.open(out) as image:
        assert image.size == (480, 352)


@pytest.mark.slow  # the pose model
def test_another_person_can_be_chosen_by_number(demo_people: PeopleScan) -> None:
    second = demo_people.athlete(2)
    assert second.number == 2 and second.activity <= demo_people.athlete().activity
    assert not np.array_equal(second.rows, demo_people.athlete().rows)
    with pytest.raises(InputError, match="--person 99"):
        demo_people.athlete(99)


# --- cache -----------------------------------------------------------------------------------------------------


@pytest.mark.slow  # the pose model
def test_pose_cache_hit_miss_and_no_cache(monkeypatch: pytest.MonkeyPatch) -> None:
    clip = shared("sports2d_demo/demo3.mp4")
    first = estimate_pose(clip)
    assert not first.cache_hit

    def must_not_run(*args: object, **kwargs: object) -> None:
        raise AssertionError("the pose model ran on a cache hit")

    with monkeypatch.context() as patch:
        patch.setattr(pose_run, "follow_people", must_not_run)
        again = estimate_pose(clip)
    assert again.cache_hit
    np.testing.assert_array_equal(again.sequence.xy, first.sequence.xy)
    np.testing.assert_array_equal(again.sequence.time_s, first.sequence.time_s)
    assert again.person == first.person and again.people == first.people
    assert not estimate_pose(clip, end_s=1.2).cache_hit  # a pose-affecting option: another entry
    assert not estimate_pose(clip, use_cache=False).cache_hit


@pytest.mark.slow  # the pose model
def test_a_damaged_cache_entry_is_ignored(private_cache: Path) -> None:
    clip = shared("sports2d_demo/demo3.mp4")
    estimate_pose(clip)
    (entry,) = private_cache.glob("*.npz")
    entry.write_bytes(b"not a zip")
    assert not estimate_pose(clip).cache_hit


# --- bad video input ---------------------------------------------------------------------------------------------


@pytest.mark.slow  # the pose model
def test_a_video_without_a_person_is_a_one_line_error(tmp_path: Path) -> None:
    clip = tmp_path / "empty_room.mp4"
    write_clip(clip, [k / 30 for k in range(20)], width=160, height=120)
    with pytest.raises(InputError, match=r"no person|no frame"):
        estimate_pose(clip, use_cache=False)
    result = CliRunner().invoke(app, ["analyze", str(clip), "--no-cache"])
    assert result.exit_code == 2
    assert [line for line in result.output.splitlines() if line.startswith("error:")]


@pytest.mark.slow  # the pose model
def test_a_cut_video_is_never_presented_as_complete(tmp_path: Path) -> None:
    whole = tmp_path / "whole.mp4"
    remux_faststart(shared("sports2d_demo/demo3.mp4"), whole)
    cut = tmp_path / "cut.mp4"
    cut.write_bytes(whole.read_bytes()[: int(whole.stat().st_size * 0.6)])
    try:
        pose = estimate_pose(cut, use_cache=False)
    except InputError as exc:
        assert "cut.mp4" in str(exc)
        return
    assert pose.frames_decoded < 40
    assert any("could be decoded" in w for w in pose.warnings)


def _runner(rows: range, x0_px: float, speed_px: float, radius_px: float, score: float = 0.9) -> Segment:
    """A person moving right at `speed_px` per frame (30 fps) from x0 at frame 0, hips at y = 300."""
    hips = [np.array([x0_px + speed_px * r, 300.0]) for r in rows]
    return Segment(
        rows=list(rows),
        time_s=[r / 30 for r in rows],
        xy=[np.tile(h, (33, 1)) for h in hips],
        score=[np.full(33, score) for _ in rows],
        hip_xy=hips,
        radius_px=[radius_px] * len(rows),
    )


def test_pieces_of_one_person_are_joined_when_they_overlap_briefly_or_nearly_touch() -> None:
    first = _runner(range(0, 40), 100.0, 8.0, 60.0)
    again = _runner(range(37, 90), 100.0, 8.0, 60.0, score=0.8)  # found again 3 frames before being let go
    later = _runner(range(92, 120), 100.0, 8.0, 60.0)  # 2 frames lost
    other = _runner(range(0, 120), 100.0, 8.0, 20.0)  # a smaller runner on the same line (further away)
    people = stitch([later, other, again, first])
    assert sorted(len(p) for p in people) == [1, 3]
    whole = merge(next(p for p in people if len(p) == 3))
    assert whole.rows == sorted(set(whole.rows)) and len(whole.rows) == 40 + 50 + 28
    overlap = [whole.score[whole.rows.index(r)][0] for r in (37, 38, 39)]
    assert overlap == [0.9, 0.9, 0.9]  # the better-scored pose where they overlap


def test_a_long_overlap_or_a_jump_is_two_people() -> None:
    first = _runner(range(0, 40), 100.0, 8.0, 60.0)
    side_by_side = _runner(range(10, 60), 100.0, 8.0, 60.0)  # 30 frames at once: two people
    elsewhere = _runner(range(42, 60), 600.0, 8.0, 60.0)  # 2 frames later, 8 body radii away
    assert len(stitch([first, side_by_side])) == 2
    assert len(stitch([first, elsewhere])) == 2


def _on(runner: Segment, y_px: float) -> Segment:
    hips = [np.array([h[0], y_px]) for h in runner.hip_xy]
    return Segment(runner.rows, runner.time_s, runner.xy, runner.score, hips, runner.radius_px)


def test_a_fragment_of_another_runner_does_not_take_the_athletes_place_where_runners_cross() -> None:
    # the athlete is lost where he passes two others (frames 40-51) and found again at 52; in the gap the
    # tracker briefly follows the runner behind him (a few frames at a time, a little off his line)
    athlete_before = _runner(range(0, 40), 100.0, 8.0, 60.0)
    athlete_after = _runner(range(52, 120), 100.0, 8.0, 60.0)
    # (he is slower: 5 px a frame; near where the athlete was lost, but not where the athlete is found again)
    behind = [_on(_runner(range(a, a + 3), 206.0, 5.0, 60.0), 320.0) for a in (42, 47)]
    behind_later = _on(_runner(range(53, 70), 206.0, 5.0, 60.0), 320.0)
    people = stitch([athlete_before, *behind, athlete_after, behind_later])
    athlete = next(p for p in people if athlete_before in p)
    assert athlete_after in athlete  # the long pieces are joined over the fragments
    assert not any(b in athlete for b in behind)  # neither fits both the piece before and the one after
    assert any(behind_later in p and athlete_after not in p for p in people)


def test_a_fragment_that_fits_the_gap_on_both_sides_is_put_into_it() -> None:
    before = _runner(range(0, 40), 100.0, 8.0, 60.0)
    glimpse = _runner(range(44, 46), 100.0, 8.0, 60.0)
    after = _runner(range(50, 90), 100.0, 8.0, 60.0)
    people = stitch([after, glimpse, before])
    assert len(people) == 1 and [s.rows[0] for s in people[0]] == [0, 44, 50]


def test_a_gap_bridged_only_by_fragments_still_joins_its_two_sides() -> None:
    before = _runner(range(0, 40), 100.0, 8.0, 60.0)
    glimpses = [_runner(range(a, a + 4), 100.0, 8.0, 60.0) for a in (55, 68)]  # each too short to join first
    after = _runner(range(80, 140), 100.0, 8.0, 60.0)  # 1.3 s after `before`: beyond MAX_GAP_S on its own
    assert [[s.rows[0] for s in p] for p in stitch([after, *glimpses, before])] == [[0, 55, 68, 80]]


def test_the_piece_that_continues_at_once_is_preferred_to_one_that_fits_the_prediction_later() -> None:
    # the athlete is lost for one frame; the runner behind him, found 8 frames later, sits exactly where the
    # athlete's straight-line path would have taken him (the panning race slowed 3x)
    before = _runner(range(0, 40), 100.0, 8.0, 60.0)
    himself = _on(_runner(range(41, 100), 100.0 + 8.0 * 1.0, 8.0, 60.0), 306.0)  # 0.1 radii off the path
    behind = _runner(range(48, 60), 100.0, 8.0, 60.0)  # on the path, 8 frames later
    people = stitch([before, himself, behind])
    assert any(before in p and himself in p for p in people)


def _slowed(runner: Segment, times: int) -> Segment:
    """The runner's piece in a file slowed `times` times (each image shown that many times)."""
    return replace(runner, time_s=[t * times for t in runner.time_s])


def test_people_are_joined_on_the_bodys_clock_when_the_footage_is_known_to_be_slowed() -> None:
    # lost for 0.6 s of the run: 1.8 s of a file slowed 3x, beyond MAX_GAP_S in the file's time
    before = _slowed(_runner(range(0, 40), 100.0, 8.0, 60.0), 3)
    after = _slowed(_runner(range(58, 120), 100.0, 8.0, 60.0), 3)
    assert len(stitch([before, after])) == 2
    joined = stitch([before, after], clock=1 / 3)
    assert len(joined) == 1 and joined[0] == [before, after]  # the file's own pieces, its times unchanged


def test_the_lost_athlete_is_searched_for_around_where_they_should_be() -> None:
    assert search_box(np.array([100.0, 100.0]), 50.0, 1280, 720) == (0, 0, 400, 400)  # kept inside the image
    assert search_box(np.array([640.0, 360.0]), 50.0, 1280, 720) == (440, 160, 840, 560)
    assert search_box(np.array([640.0, 360.0]), 500.0, 1280, 720) == (280, 0, 1000, 720)  # never above the image


class _SmallRunnerDetector:
    """A detector that finds one runner of body radius 40 px at (300, 300) in a 1280x720 frame: roughly in
    the whole frame (the region a few pixels at 224 px give), well in a zoomed-in part of it."""

    def detect(self, image: np.ndarray) -> list[PersonDetection]:
        whole = image.shape[1] == 1280
        # the whole frame's detection is 25 px off and half the size: the model sees nobody there
        hip = np.array([325.0, 300.0]) if whole else np.array([300.0, 300.0]) - np.array(_SmallRunnerDetector.at)
        return [PersonDetection.around(hip, hip + np.array([0.0, -(20.0 if whole else 40.0)]), 0.9)]

    at = (0, 0)


class _RunnerModel:
    """A pose model that sees the runner only from a region framed within 10 px and 10 % of his size."""

    names = BLAZEPOSE_LANDMARKS
    model_id = "fake-runner"

    def estimate(self, image: np.ndarray, seed: PersonDetection) -> PoseEstimate | None:
        hip = np.array([300.0, 300.0])
        if np.hypot(*(np.asarray(seed.hip_xy) - hip)) > 10 or abs(seed.radius_px - 40.0) > 4:
            return None
        xy = np.tile(hip, (len(self.names), 1))
        xy[[self.names.index(n) for n in ("left_shoulder", "right_shoulder")]] = hip + np.array([0.0, -25.0])
        xy[[self.names.index(n) for n in ("left_ankle", "right_ankle")]] = hip + np.array([0.0, 40.0])
        return PoseEstimate(xy=xy, score=np.ones(len(self.names)), presence=1.0, region=seed)


def test_a_small_runner_the_model_cannot_see_from_the_whole_frames_detection_is_found_zoomed_in() -> None:
    """The detector sees the whole frame shrunk to 224 px; its region for a runner 80 px tall in a 1280 px
    frame is too rough for the pose model (the panning race's bend). The tracker looks again, zoomed in on a
    square around the detection, and follows him from the frame after he was detected."""
    from kneedrive.io.video import VideoFrame
    from kneedrive.pose.tracker import follow_people, search_box

    box = search_box(np.array([325.0, 300.0]), 20.0, 1280, 720)
    _SmallRunnerDetector.at = (box[0], box[1])
    frames = (VideoFrame(i, i / 30, np.zeros((720, 1280, 3), dtype=np.uint8)) for i in range(12))
    result = follow_people(frames, _SmallRunnerDetector(), _RunnerModel(), detect_every=3, sparse_every=3)  # type: ignore[arg-type]
    assert len(result.segments) == 1 and result.segments[0].rows == list(range(1, 12))


def _wearing(rgb: tuple[int, int, int], seed: int) -> np.ndarray:
    """The colours of a torso of one colour (with sensor noise) seen by appearance.clothes."""
    from kneedrive.pose.appearance import clothes

    rng = np.random.default_rng(seed)
    image = np.clip(rng.normal(rgb, 12.0, size=(200, 200, 3)), 0, 255).astype(np.uint8)
    image[:, :20] = (200, 120, 110)  # the track beside him, outside the torso
    names = BLAZEPOSE_LANDMARKS
    xy = np.full((len(names), 2), 100.0)
    spots = {"left_shoulder": (80, 40), "right_shoulder": (120, 40), "left_hip": (85, 110), "right_hip": (115, 110)}
    spots |= {"left_knee": (85, 170), "right_knee": (115, 170)}
    for name, spot in spots.items():
        xy[names.index(name)] = spot
    colours = clothes(image, xy, names)
    assert colours is not None
    return colours


def test_a_follower_that_slides_onto_another_runner_is_split_where_the_clothes_change() -> None:
    """Where one runner passes another the model's region can slide from one to the other with no jump of the
    hips (the panning race's bend exit: the runner in white's follower ended on the shirtless lead runner).
    The colours of what they wear change there: the segment is cut, and each part joins its own person."""
    from kneedrive.pose.appearance import difference
    from kneedrive.pose.people import split_where_clothes_change

    white, skin = (235, 235, 235), (190, 130, 95)
    assert difference(_wearing(white, 1), _wearing(white, 2)) < 0.3  # one shirt, two frames
    assert difference(_wearing(white, 1), _wearing(skin, 3)) > 0.9
    slid = _runner(range(0, 60), 100.0, 8.0, 60.0)
    slid.colours = [_wearing(white if r < 35 else skin, r) for r in slid.rows]
    parts = split_where_clothes_change(slid)
    assert [(p.rows[0], p.rows[-1]) for p in parts] == [(0, 34), (35, 59)]
    steady = _runner(range(0, 60), 100.0, 8.0, 60.0)
    steady.colours = [_wearing(white, r) for r in steady.rows]
    assert split_where_clothes_change(steady) == [steady]
    # the lead runner's own piece, lost at frame 34, continues in the part the follower took over
    lead = _runner(range(0, 34), 100.0, 8.0, 60.0)
    lead.colours = [_wearing(skin, 100 + r) for r in lead.rows]
    people = stitch([slid, lead])
    assert sorted(sorted((s.rows[0], s.rows[-1]) for s in p) for p in people) == [[(0, 33), (35, 59)], [(0, 34)]]

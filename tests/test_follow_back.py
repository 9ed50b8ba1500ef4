"""The athlete followed back from his first pose to where the clip starts (pose.follow_back)."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import av
import numpy as np
import pytest

from kneedrive.io.video import read_frames
from kneedrive.pose import follow_back as back
from kneedrive.pose.backend import PoseEstimate
from kneedrive.pose.detector import PersonDetection
from kneedrive.pose.people import PersonTrack
from kneedrive.sequence import BLAZEPOSE_LANDMARKS

NAMES = BLAZEPOSE_LANDMARKS
WIDTH, HEIGHT = 320, 240
RADIUS = 40.0  # body radius (px): torso 25 px


def _hip(row: int) -> np.ndarray:
    """The runner runs right at 4 px a frame."""
    return np.array([60.0 + 4.0 * row, 140.0])


def _pose(hip: np.ndarray) -> np.ndarray:
    xy = np.tile(hip, (len(NAMES), 1))
    for name, offset in {
        "left_shoulder": (-8, -25),
        "right_shoulder": (8, -25),
        "left_hip": (-6, 0),
        "right_hip": (6, 0),
        "left_knee": (-6, 30),
        "right_knee": (6, 30),
        "left_ankle": (-6, 60),
        "right_ankle": (6, 60),
    }.items():
        xy[NAMES.index(name)] = hip + np.array(offset, dtype=float)
    return xy


def _write(path: Path, frames: int, shirt: dict[int, tuple[int, int, int]]) -> None:
    """A clip of a runner (a torso and shorts of one colour on a grey track; `shirt` by frame, red else)."""
    with av.open(str(path), "w") as container:
        stream = container.add_stream("libx264", rate=30)
        stream.width, stream.height, stream.pix_fmt = WIDTH, HEIGHT, "yuv420p"
        stream.options = {"crf": "12"}
        stream.codec_context.time_base = Fraction(1, 30)
        for row in range(frames):
            rgb = np.full((HEIGHT, WIDTH, 3), 120, dtype=np.uint8)
            x, y = (int(v) for v in _hip(row))
            rgb[y - 30 : y + 15, x - 12 : x + 12] = shirt.get(row, (220, 30, 30))
            frame = av.VideoFrame.from_ndarray(rgb, format="rgb24")
            frame.pts = row
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)


class _Model:
    """Sees the runner from a region within 10 px of him, in the rows `seen`; `elsewhere`: rows where it
    answers with someone else's pose 100 px away."""

    names = NAMES
    model_id = "fake-follow-back"

    def __init__(self, seen: range, elsewhere: frozenset[int] = frozenset(), legless: range = range(0)) -> None:
        self.seen, self.elsewhere, self.legless, self.calls = seen, elsewhere, legless, 0

    def estimate(self, image: np.ndarray, seed: PersonDetection) -> PoseEstimate | None:
        self.calls += 1
        row = _frame_shown(image)
        if row not in self.seen or np.hypot(*(np.asarray(seed.hip_xy) - _hip(row))) > 10:
            return None
        hip = _hip(row) + (np.array([100.0, 0.0]) if row in self.elsewhere else 0.0)
        region = PersonDetection.around(hip, hip + np.array([0.0, -RADIUS]), 1.0)
        score = np.ones(len(NAMES))
        if row in self.legless:  # half hidden: the model guesses the legs
            score[[NAMES.index("left_ankle"), NAMES.index("right_ankle")]] = 0.3
        return PoseEstimate(xy=_pose(hip), score=score, presence=1.0, region=region)


def _frame_shown(image: np.ndarray) -> int:
    """Which frame this is: where the runner's torso is."""
    torso = np.flatnonzero(np.abs(image[130].astype(int) - 120).max(axis=1) > 40)
    return round((float(torso.mean()) - 0.5 - 60.0) / 4.0) if len(torso) else -1


class _NoDetector:
    def detect(self, image: np.ndarray) -> list[PersonDetection]:
        return []


def _athlete(rows: range) -> PersonTrack:
    xy = np.array([_pose(_hip(r)) for r in rows])
    return PersonTrack(
        number=1,
        rows=np.array(list(rows), dtype=np.int64),
        time_s=np.array([r / 30 for r in rows]),
        xy=xy,
        score=np.ones((len(rows), len(NAMES))),
        hip_xy=np.array([_hip(r) for r in rows]),
        radius_px=np.full(len(rows), RADIUS),
        travel_radii=5.0,
        leg_motion_radii=0.5,
        coverage=0.5,
        activity=10.0,
    )


def _times(frames: int) -> np.ndarray:
    return np.array([r / 30 for r in range(frames)])


def _follow(path: Path, model: _Model, first: int, frames: int = 40) -> PersonTrack:
    return back.follow_back(
        path, _times(frames), _athlete(range(first, frames)), model, _NoDetector, 30.0, WIDTH * HEIGHT * 3
    )  # type: ignore[arg-type]


def test_frames_come_back_last_first_stretch_by_stretch_and_skip_the_rows_left_out(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "run.mp4"
    _write(path, 30, {})
    every = {f.index: f.rgb for f in read_frames(path)}
    monkeypatch.setattr(back, "STRETCH_BYTES", 4 * WIDTH * HEIGHT * 3)  # four frames a stretch
    kept = [i for i in range(30) if i % 5 != 3]  # repeated images the scan left out
    times = np.array([i / 30 for i in kept])
    got = list(back.frames_backwards(path, times, range(2, 20), WIDTH * HEIGHT * 3))
    assert [row for row, _ in got] == list(range(19, 1, -1))
    assert all(np.array_equal(image, every[kept[row]]) for row, image in got)


def test_the_athlete_is_followed_back_to_where_the_model_last_sees_him(tmp_path: Path) -> None:
    path = tmp_path / "run.mp4"
    _write(path, 40, {})
    model = _Model(seen=range(6, 40))
    track = _follow(path, model, first=20)
    assert track.rows.tolist() == list(range(6, 40))
    np.testing.assert_allclose(track.hip_xy[:14], [_hip(r) for r in range(6, 20)])
    assert np.all(np.diff(track.time_s) > 0) and track.xy.shape == (34, len(NAMES), 2)


def test_following_back_stops_where_the_hips_jump_to_someone_else(tmp_path: Path) -> None:
    path = tmp_path / "run.mp4"
    _write(path, 40, {})
    track = _follow(path, _Model(seen=range(0, 40), elsewhere=frozenset({11})), first=20)
    assert track.rows[0] == 12


def test_following_back_stops_where_the_legs_are_not_seen(tmp_path: Path) -> None:
    path = tmp_path / "run.mp4"
    _write(path, 40, {})
    track = _follow(path, _Model(seen=range(0, 40), legless=range(0, 9)), first=20)
    assert track.rows[0] == 9


def test_following_back_stops_where_the_clothes_change(tmp_path: Path) -> None:
    # frames 0-13 show a runner in blue where the athlete (red) is later: the model's region slid onto him
    path = tmp_path / "run.mp4"
    _write(path, 40, {r: (30, 60, 220) for r in range(14)})
    track = _follow(path, _Model(seen=range(0, 40)), first=24)
    assert track.rows[0] == 14


def test_an_athlete_seen_from_the_first_frame_is_left_as_he_is(tmp_path: Path) -> None:
    path = tmp_path / "run.mp4"
    _write(path, 20, {})
    model = _Model(seen=range(0, 20))
    athlete = _athlete(range(0, 20))
    assert back.follow_back(path, _times(20), athlete, model, _NoDetector, 30.0, 1) is athlete  # type: ignore[arg-type]
    assert model.calls == 0


def test_the_athlete_is_followed_back_no_further_than_long_backfill_s(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "run.mp4"
    _write(path, 40, {})
    monkeypatch.setattr(back, "LONG_BACKFILL_S", 0.2)  # 6 frames at 30 fps
    track = _follow(path, _Model(seen=range(0, 40)), first=20)
    assert track.rows[0] == 14

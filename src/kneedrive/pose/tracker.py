"""Follow everyone in view in one pass over the video (each frame is decoded once).

The person detector runs on every `detect_every`-th frame (and on every frame while nobody is followed);
each person it finds that nobody is following yet gets a backend of their own (a `fork`), which follows
them from its previous answer. The most active person so far (see people.py) is followed in every frame;
the others, to save time, only in every `sparse_every`-th frame (about 3 per second), which is enough to
keep them in sight and to score them; one of them who starts moving more takes over the dense following.
Newcomers are followed densely for their first 0.3 s, so an athlete who walks or runs into view is
followed in every frame from the start. A follower stops when its model no longer sees a person,
when the person is half out of the image, or when it slides onto someone another follower has. The people
are chosen afterwards (see people.py), so the athlete's track never switches to someone else mid-clip
because of who happened to be seen first.
"""

from __future__ import annotations

import logging
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import cv2
import numpy as np
from numpy.typing import NDArray

from ..io.video import VideoFrame
from .backend import PoseBackend, PoseEstimate
from .detector import PersonDetection, PersonDetector
from .people import LEG_MOTION_WEIGHT, WINDOW_S, Segment, body_radius_px

log = logging.getLogger(__name__)

#: A detection within this many body radii of a followed person is that person.
SAME_PERSON_RADII = 0.8
#: Two followers whose hip centres come this close (in body radii) are on the same person.
DUPLICATE_RADII = 0.35
#: A pose whose hip centre is closer than this (in torso lengths) to the image's edge is a person half out
#: of view: the model guesses the missing half, so the frame counts as one without a pose.
EDGE_MARGIN_TORSOS = 1.0
#: At most this many people are followed at once (the largest detections first).
MAX_PEOPLE = 4
#: Newcomers are followed in every frame for this long (s).
NEWCOMER_S = 0.3
#: Someone else becomes the densely followed person when more active than the current one by this factor.
TAKE_OVER_FACTOR = 1.3
PREVIEW_SIDE_PX = 640
#: At most this many small preview frames are kept, spread over the clip.
PREVIEW_FRAMES = 24


@dataclass(frozen=True)
class FollowResult:
    """Every segment followed, the number of frames, their times, and small copies of frames spread over the
    clip (row, pixels), shrunk by `preview_scale`, to show the people on (see people.choose_preview)."""

    segments: tuple[Segment, ...]
    time_s: NDArray[np.float64]
    previews: tuple[tuple[int, NDArray[np.uint8]], ...]
    preview_scale: float
    detector_runs: int


class _PreviewFrames:
    """Every `every`-th frame, shrunk; when more than PREVIEW_FRAMES are kept, every other one is dropped
    and `every` doubles: bounded memory on any clip length, still spread over the whole clip."""

    def __init__(self) -> None:
        self.every = 8
        self.frames: list[tuple[int, NDArray[np.uint8]]] = []
        self.scale = 1.0

    def offer(self, row: int, image: NDArray[np.uint8]) -> None:
        if row % self.every:
            return
        height, width = image.shape[:2]
        self.scale = min(1.0, PREVIEW_SIDE_PX / max(width, height))
        size = (round(width * self.scale), round(height * self.scale))
        small = image if self.scale == 1.0 else cv2.resize(image, size, interpolation=cv2.INTER_AREA)
        self.frames.append((row, np.array(small, dtype=np.uint8)))
        if len(self.frames) > PREVIEW_FRAMES:
            self.frames = self.frames[::2]
            self.every *= 2


@dataclass
class _Follower:
    backend: PoseBackend
    segment: Segment

    def recent_activity(self, names: tuple[str, ...]) -> float:
        """Travel speed + weighted leg motion over the last second followed (body radii)."""
        seg = self.segment
        if len(seg.rows) < 3:
            return 0.0
        end = seg.time_s[-1]
        first = next(i for i, t in enumerate(seg.time_s) if t >= end - WINDOW_S)
        hip_x = np.array([h[0] for h in seg.hip_xy[first:]])
        radius = float(np.median(seg.radius_px[first:]))
        span_s = max(end - seg.time_s[first], WINDOW_S / 2)
        left, right = names.index("left_ankle"), names.index("right_ankle")
        gaps = np.array(
            [
                xy[left] - xy[right]
                for xy, sc in zip(seg.xy[first:], seg.score[first:], strict=True)
                if min(sc[left], sc[right]) >= 0.5
            ]
        )
        legs = float(np.sqrt(np.sum(np.var(gaps, axis=0)))) / radius if len(gaps) >= 3 else 0.0
        return float(np.ptp(hip_x)) / radius / span_s + LEG_MOTION_WEIGHT * legs


def _usable(estimate: PoseEstimate | None, names: tuple[str, ...], width_px: int, height_px: int) -> bool:
    """A pose to keep: seen, and the hip centre not at the image's edge."""
    if estimate is None:
        return False
    hip = estimate.hip_centre(names)
    margin = EDGE_MARGIN_TORSOS * body_radius_px(estimate.xy, names, 0.0) / 1.6
    return bool(min(hip[0], hip[1], width_px - hip[0], height_px - hip[1]) >= margin)


def _scores_inside(estimate: PoseEstimate, width_px: int, height_px: int) -> NDArray[np.float64]:
    """Keypoints outside the image are the model's guesses: score 0 (the analysis drops them)."""
    x, y = estimate.xy[:, 0], estimate.xy[:, 1]
    outside = (x < 0) | (y < 0) | (x >= width_px) | (y >= height_px)
    return np.where(outside, 0.0, estimate.score)


def _record(
    segment: Segment, row: int, time_s: float, estimate: PoseEstimate, names: tuple[str, ...], size: tuple[int, int]
) -> None:
    segment.rows.append(row)
    segment.time_s.append(time_s)
    segment.xy.append(estimate.xy)
    segment.score.append(_scores_inside(estimate, *size))
    segment.hip_xy.append(estimate.hip_centre(names))
    segment.radius_px.append(body_radius_px(estimate.xy, names, 1.0))


def _new_segment() -> Segment:
    return Segment(rows=[], time_s=[], xy=[], score=[], hip_xy=[], radius_px=[])


def follow_people(
    frames: Iterable[VideoFrame],
    detector: PersonDetector,
    backend: PoseBackend,
    *,
    detect_every: int,
    sparse_every: int,
    backfill_frames: int = 0,
    on_frame: Callable[[int], None] | None = None,
) -> FollowResult:
    """Follow everyone; `backfill_frames` recent frames are kept so that a person the detector finds late
    (entering the frame, or missed for a few detector runs) is followed back in time to where they came
    into view."""
    names = backend.names
    recent: deque[tuple[int, float, NDArray[np.uint8]]] = deque(maxlen=max(backfill_frames, 1))
    leader: _Follower | None = None
    spare: list[PoseBackend] = [backend]
    active: list[_Follower] = []
    done: list[Segment] = []
    times: list[float] = []
    previews = _PreviewFrames()
    detector_runs = 0

    def stop(follower: _Follower) -> None:
        follower.backend.reset()
        spare.append(follower.backend)
        if follower.segment.rows:
            done.append(follower.segment)

    for row, frame in enumerate(frames):
        image = frame.rgb
        times.append(frame.time_s)
        size = (image.shape[1], image.shape[0])
        if active:
            leader = _leader(active, leader, names)
        for follower in list(active):
            newcomer = follower.segment.time_s[-1] - follower.segment.time_s[0] < NEWCOMER_S
            if follower is not leader and not newcomer and row % sparse_every:
                continue
            estimate = follower.backend.estimate(image, None)
            if _usable(estimate, names, *size):
                assert estimate is not None
                _record(follower.segment, row, frame.time_s, estimate, names, size)
            else:
                active.remove(follower)
                stop(follower)
        _drop_duplicates(active, row, stop)
        if row % detect_every == 0 or not active:
            detector_runs += 1
            for follower, detection in _add_new_people(image, row, frame.time_s, detector, active, spare, names, size):
                if backfill_frames:
                    others = [f.segment for f in active if f is not follower] + done[-2 * MAX_PEOPLE :]
                    _backfill(follower, detection, image, recent, names, others)
        recent.append((row, frame.time_s, image))
        previews.offer(row, image)
        if on_frame is not None:
            on_frame(frame.index)
    for follower in active:
        stop(follower)
    if not previews.frames:
        from ..errors import InputError

        raise InputError("the video holds no frame in the chosen time range")
    log.info("followed %d segments in %d frames, %d detector runs", len(done), len(times), detector_runs)
    return FollowResult(
        segments=tuple(done),
        time_s=np.asarray(times, dtype=np.float64),
        previews=tuple(previews.frames),
        preview_scale=previews.scale,
        detector_runs=detector_runs,
    )


def _leader(active: list[_Follower], leader: _Follower | None, names: tuple[str, ...]) -> _Follower:
    """The person to follow densely: the most active, with some hysteresis."""
    scored = [(f.recent_activity(names), f) for f in active]
    best_activity, best = max(scored, key=lambda pair: pair[0])
    if leader in active and best is not leader:
        current = next(a for a, f in scored if f is leader)
        if best_activity <= TAKE_OVER_FACTOR * current:
            return leader
    return best


def _drop_duplicates(active: list[_Follower], row: int, stop: Callable[[_Follower], None]) -> None:
    """Two followers on one person: the one followed for less time lets go (its last frame is dropped)."""
    by_age = sorted(active, key=lambda f: len(f.segment.rows), reverse=True)
    for i, younger in enumerate(by_age):
        if younger not in active:
            continue
        for older in by_age[:i]:
            if older not in active:
                continue
            a, b = older.segment, younger.segment
            distance = float(np.hypot(*(a.hip_xy[-1] - b.hip_xy[-1])))
            if distance <= DUPLICATE_RADII * max(a.radius_px[-1], b.radius_px[-1]):
                for column in (b.rows, b.time_s, b.xy, b.score, b.hip_xy, b.radius_px):
                    column.pop()
                active.remove(younger)
                stop(younger)
                break


def _add_new_people(
    image: NDArray[np.uint8],
    row: int,
    time_s: float,
    detector: PersonDetector,
    active: list[_Follower],
    spare: list[PoseBackend],
    names: tuple[str, ...],
    size: tuple[int, int],
) -> list[tuple[_Follower, PersonDetection]]:
    detections = sorted(detector.detect(image), key=lambda d: -d.radius_px)
    added: list[tuple[_Follower, PersonDetection]] = []
    for detection in detections:
        if len(active) >= MAX_PEOPLE:
            break
        hip = np.asarray(detection.hip_xy)
        if any(
            float(np.hypot(*(hip - f.segment.hip_xy[-1]))) <= SAME_PERSON_RADII * f.segment.radius_px[-1]
            for f in active
            if f.segment.rows
        ):
            continue
        backend = spare.pop() if spare else active[0].backend.fork()
        estimate = backend.estimate(image, detection)
        if not _usable(estimate, names, *size):
            backend.reset()
            spare.append(backend)
            continue
        assert estimate is not None
        centre, radius = estimate.hip_centre(names), body_radius_px(estimate.xy, names, detection.radius_px)
        if any(
            float(np.hypot(*(centre - f.segment.hip_xy[-1]))) <= DUPLICATE_RADII * max(radius, f.segment.radius_px[-1])
            for f in active
            if f.segment.rows
        ):
            backend.reset()
            spare.append(backend)
            continue
        segment = _new_segment()
        _record(segment, row, time_s, estimate, names, size)
        active.append(_Follower(backend, segment))
        added.append((active[-1], detection))
    return added


def _backfill(
    follower: _Follower,
    detection: PersonDetection,
    image: NDArray[np.uint8],
    recent: deque[tuple[int, float, NDArray[np.uint8]]],
    names: tuple[str, ...],
    others: list[Segment],
) -> None:
    """Follow a newcomer backwards through the recent frames, while the model sees them, they do not jump
    and nobody else was followed there (a person lost and found again, or someone else), and put those
    poses in front of their segment."""
    taken: dict[int, list[tuple[NDArray[np.float64], float]]] = {}
    oldest = recent[0][0] if recent else 0
    for other in others:
        for i in range(len(other.rows) - 1, -1, -1):
            if other.rows[i] < oldest:
                break
            taken.setdefault(other.rows[i], []).append((other.hip_xy[i], other.radius_px[i]))
    twin = follower.backend.fork()
    if twin.estimate(image, detection) is None:
        return
    segment = follower.segment
    for row, time_s, past in reversed(recent):
        if segment.rows and row >= segment.rows[0]:
            continue
        estimate = twin.estimate(past, None)
        if not _usable(estimate, names, past.shape[1], past.shape[0]):
            return
        assert estimate is not None
        hip, later = estimate.hip_centre(names), segment.hip_xy[0]
        if float(np.hypot(*(hip - later))) > SAME_PERSON_RADII * segment.radius_px[0]:
            return
        if any(float(np.hypot(*(hip - h))) <= SAME_PERSON_RADII * r for h, r in taken.get(row, [])):
            return
        segment.rows.insert(0, row)
        segment.time_s.insert(0, time_s)
        segment.xy.insert(0, estimate.xy)
        segment.score.insert(0, _scores_inside(estimate, past.shape[1], past.shape[0]))
        segment.hip_xy.insert(0, hip)
        segment.radius_px.insert(0, body_radius_px(estimate.xy, names, 1.0))

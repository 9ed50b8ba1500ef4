"""Follow everyone in view in one pass over the video (each frame is decoded once).

The person detector runs on every `detect_every`-th frame (and on every frame while nobody is followed);
each person it finds that nobody is following yet is looked for in the next frame and followed from
there. The tracker, not the pose model, keeps each person's region: the model's own framing from their
last pose (for people followed only now and then, moved on at their recent speed). The model calls of one
frame (the athlete, others due then, the detector) run side by side, one per core (see `workers.py`).

When the most active person is lost (small, blurred or hidden by another runner for a few frames), the
detector can look for them in every frame until they are found again (for at most `search_frames`; the
pipeline gives 1 s, pose.run.SEARCH_S; not when they were lost at the image's edge, walking out of view):
over the whole frame and, zoomed in, over a square of
SEARCH_SIDE_RADII body radii around where they should be (a runner 60 px tall is a few pixels in the
whole frame shrunk to the detector's 224 px). A person found there is looked for even when another
runner is close by (people.py joins the pieces of one person afterwards).

The most active person so far (see people.py) is followed in every frame; the others, to save time, only
in every `sparse_every`-th frame (about 3 per second), which is enough to keep them in sight and to score
them; one of them who starts moving more takes over the dense following. Newcomers are followed densely
for their first 0.3 s, so an athlete who walks or runs into view is followed in every frame from the
start. A follower stops when its model no longer sees a person, when the person is half out of the image,
or when it slides onto someone another follower has. The people are chosen afterwards (see people.py), so
the athlete's track never switches to someone else mid-clip because of who happened to be seen first.
"""

from __future__ import annotations

import bisect
import logging
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

from ..io.video import VideoFrame
from .appearance import clothes
from .backend import PoseBackend, PoseEstimate
from .camera import CameraMotionEstimator
from .detector import PersonDetection, PersonDetector
from .geometry import shrink
from .people import LEG_MOTION_WEIGHT, WINDOW_S, Segment, body_radius_px, typical_radius_px
from .repeats import RepeatedFrames
from .workers import Call, Workers

log = logging.getLogger(__name__)

#: Someone at least this share as active as the most active person is followed in every frame too: runners
#: side by side (the panning race's bend) trade the lead back and forth, and the athlete followed only now
#: and then while another leads loses his touchdowns there (frames 192-200 unposed, two of them missed).
CONTENDER_SHARE = 0.6
#: A detection within this many body radii of a followed person is that person.
SAME_PERSON_RADII = 0.8
#: Two followers whose hip centres come this close (in body radii) are on the same person.
DUPLICATE_RADII = 0.35
#: A pose whose hip centre is closer than this (in torso lengths) to the image's edge is a person half out
#: of view: the model guesses the missing half, so the frame counts as one without a pose.
EDGE_MARGIN_TORSOS = 1.0
#: A person lost with the hip centre closer than this (body radii) to the image's edge walked out of view.
SEARCH_EDGE_RADII = 2.0
#: At most this many people are followed at once (the largest detections first).
MAX_PEOPLE = 4
#: Newcomers are followed in every frame for this long (s).
NEWCOMER_S = 0.3
#: A newcomer is followed back in time (see _backfill) beyond the frame they were detected in only when,
#: after NEWCOMER_S, they move at least this
#: much (recent_activity, body radii per second): someone walking, running or drilling into view. A person
#: standing still whom the detector only noticed late is not worth the model calls; the ranking does not
#: need their first half second.
BACKFILL_ACTIVITY = 0.5
#: Someone else becomes the densely followed person when more active than the current one by this factor.
TAKE_OVER_FACTOR = 1.3
#: A region is moved on at the person's speed over at most this many body radii (beyond that the speed is
#: more likely a bad pose than a sprint: the region stays where it was).
MAX_LEAD_RADII = 1.0
#: The speed a region is moved on at is measured over this many frames back (or the nearest pose beyond).
LEAD_BASE_FRAMES = 6
#: While the most active person is lost, the detector also looks at a square this many body radii wide
#: around where they should be (the whole frame when that is smaller) ...
SEARCH_SIDE_RADII = 8.0
#: ... and a person it finds there within this many body radii of that place is looked for.
SEARCH_REACH_RADII = 2.5
PREVIEW_SIDE_PX = 640
#: At most this many small preview frames are kept, spread over the clip.
PREVIEW_FRAMES = 24
_DETECTOR = -1  # the detector's key among a frame's calls


@dataclass(frozen=True)
class FollowResult:
    """Every segment followed, the number of frames, their times, and small copies of frames spread over the
    clip (row, pixels), shrunk by `preview_scale`, to show the people on (see people.choose_preview)."""

    segments: tuple[Segment, ...]
    time_s: NDArray[np.float64]
    previews: tuple[tuple[int, NDArray[np.uint8]], ...]
    preview_scale: float
    detector_runs: int
    model_calls: int


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
        small = image if self.scale == 1.0 else shrink(image, *size)
        self.frames.append((row, np.array(small, dtype=np.uint8)))
        if len(self.frames) > PREVIEW_FRAMES:
            self.frames = self.frames[::2]
            self.every *= 2


def region_from_pose(estimate: PoseEstimate, names: tuple[str, ...]) -> PersonDetection:
    """Where to look for the person next: the model's own region when it gives one, else a circle of one
    body radius around the hip centre, pointing from the hips to the shoulders."""
    if estimate.region is not None:
        return estimate.region
    hip = estimate.hip_centre(names)
    radius = body_radius_px(estimate.xy, names, 100.0)
    up = np.array([0.0, -1.0])
    if "left_shoulder" in names and "right_shoulder" in names:
        shoulders = (estimate.xy[names.index("left_shoulder")] + estimate.xy[names.index("right_shoulder")]) / 2
        if float(np.hypot(*(shoulders - hip))) > 0:
            up = (shoulders - hip) / float(np.hypot(*(shoulders - hip)))
    return PersonDetection.around(hip, hip + radius * up, estimate.presence)


@dataclass(eq=False)
class _Follower:
    key: int
    segment: Segment
    #: The region each recorded pose gives for the next frame, in step with segment.rows.
    regions: list[PersonDetection] = field(default_factory=list)
    _activity: tuple[int, float] = (-1, 0.0)  # (poses recorded, recent_activity then)

    def region_for(self, row: int) -> PersonDetection:
        """The region to look in at `row`: the nearest recorded pose's (the last one, or the first when
        following back in time). For the next frame it is used as it is (as in BlazePose's own tracking:
        moving it on at a speed estimated from the poses only adds their jitter); further away (people
        followed now and then) it is moved on at the hip centre's speed over the last LEAD_BASE_FRAMES."""
        rows, hips = self.segment.rows, self.segment.hip_xy
        ahead = row > rows[-1] or len(rows) == 1
        near = -1 if ahead else 0
        region = self.regions[near]
        if len(rows) < 2 or abs(row - rows[near]) <= 1:
            return region
        base = [i for i in range(len(rows)) if 0 < abs(rows[i] - rows[near]) <= LEAD_BASE_FRAMES]
        other = max(base, key=lambda i: abs(rows[i] - rows[near])) if base else (-2 if ahead else 1)
        velocity = (hips[near] - hips[other]) / (rows[near] - rows[other])
        lead = velocity * (row - rows[near])
        if float(np.hypot(*lead)) > MAX_LEAD_RADII * self.segment.radius_px[near]:
            return region
        return region.moved(float(lead[0]), float(lead[1]))

    def recent_activity(self, names: tuple[str, ...]) -> float:
        """Travel speed + weighted leg motion over the last second followed (body radii); worked out again
        only when a pose was recorded since."""
        if self._activity[0] != len(self.segment.rows):
            self._activity = (len(self.segment.rows), self._work_out_activity(names))
        return self._activity[1]

    def _work_out_activity(self, names: tuple[str, ...]) -> float:
        seg = self.segment
        if len(seg.rows) < 3:
            return 0.0
        end = seg.time_s[-1]
        first = bisect.bisect_left(seg.time_s, end - WINDOW_S)
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


def _inside(segment: Segment, width_px: int, height_px: int) -> bool:
    """The segment's last hip centre at least SEARCH_EDGE_RADII body radii from the image's edge."""
    hip, radius = segment.hip_xy[-1], segment.radius_px[-1]
    return bool(min(hip[0], hip[1], width_px - hip[0], height_px - hip[1]) >= SEARCH_EDGE_RADII * radius)


def _scores_inside(estimate: PoseEstimate, width_px: int, height_px: int) -> NDArray[np.float64]:
    """Keypoints outside the image are the model's guesses: score 0 (the analysis drops them)."""
    x, y = estimate.xy[:, 0], estimate.xy[:, 1]
    outside = (x < 0) | (y < 0) | (x >= width_px) | (y >= height_px)
    return np.where(outside, 0.0, estimate.score)


def _record(
    follower: _Follower,
    row: int,
    time_s: float,
    estimate: PoseEstimate,
    names: tuple[str, ...],
    image: NDArray[np.uint8],
    *,
    front: bool = False,
) -> None:
    at = 0 if front else len(follower.segment.rows)
    seg = follower.segment
    size = (image.shape[1], image.shape[0])
    seg.colours.insert(at, clothes(image, estimate.xy, names))
    seg.rows.insert(at, row)
    seg.time_s.insert(at, time_s)
    seg.xy.insert(at, estimate.xy)
    seg.score.insert(at, _scores_inside(estimate, *size))
    seg.hip_xy.insert(at, estimate.hip_centre(names))
    seg.radius_px.insert(at, body_radius_px(estimate.xy, names, 1.0))
    follower.regions.insert(at, region_from_pose(estimate, names))


def _new_follower(key: int) -> _Follower:
    return _Follower(key, Segment(rows=[], time_s=[], xy=[], score=[], hip_xy=[], radius_px=[]))


@dataclass(frozen=True)
class _Lost:
    """The most active person, no longer followed since `row`: where they were (their segment)."""

    segment: Segment
    row: int

    def where(self, time_s: float) -> tuple[NDArray[np.float64], float]:
        """Where the hip centre should be at `time_s`, moved on at their last speed for at most one body
        radius (the region search is wide), and their body radius."""
        radius = typical_radius_px(self.segment, last=True)
        hip = self.segment.hip_xy[-1]
        lead = self.segment.predict(time_s) - hip
        length = float(np.hypot(*lead))
        if length > radius:
            lead = lead * radius / length
        return np.asarray(hip + lead, dtype=np.float64), radius


def search_box(
    centre: NDArray[np.float64], radius_px: float, width_px: int, height_px: int
) -> tuple[int, int, int, int]:
    """The square (x0, y0, x1, y1) SEARCH_SIDE_RADII body radii wide around `centre`, moved inside the image
    (and no larger than it)."""
    side = int(min(max(SEARCH_SIDE_RADII * radius_px, 64), width_px, height_px))
    x0 = int(np.clip(round(float(centre[0]) - side / 2), 0, width_px - side))
    y0 = int(np.clip(round(float(centre[1]) - side / 2), 0, height_px - side))
    return x0, y0, x0 + side, y0 + side


def detect_in(
    detector: PersonDetector, image: NDArray[np.uint8], box: tuple[int, int, int, int] | None
) -> tuple[list[PersonDetection], list[PersonDetection]]:
    """People in the whole frame, and (when a box is given) in that part of it, zoomed in, in frame pixels."""
    everywhere = detector.detect(image)
    if box is None:
        return everywhere, []
    return everywhere, detect_in_box(detector, image, box)


def detect_in_box(
    detector: PersonDetector, image: NDArray[np.uint8], box: tuple[int, int, int, int]
) -> list[PersonDetection]:
    """People in the `box` part of the frame, zoomed in, in frame pixels."""
    x0, y0, x1, y1 = box
    zoomed = detector.detect(np.ascontiguousarray(image[y0:y1, x0:x1]))
    return [d.moved(float(x0), float(y0)) for d in zoomed]


def look_again(
    detector: PersonDetector,
    estimate: Callable[[PersonDetection], PoseEstimate | None],
    image: NDArray[np.uint8],
    hip: NDArray[np.float64],
    radius: float,
    names: tuple[str, ...],
) -> PoseEstimate | None:
    """A person the model did not see in this frame from their region (a follower's last pose, or a
    detection in the whole frame), looked for again in it: the detector zoomed in on a square around
    their hip centre, the model (`estimate`) on the detection nearest to it (within SAME_PERSON_RADII). The
    detector sees the whole frame at 224 px, where a runner 110-130 px tall in a 1280 px frame is a few
    pixels: its region for him is too rough for the pose model (on the panning race's bend, presence about 0
    from the whole frame's detections, about 1.0 from a detection in a 480 px square around him)."""
    height, width = image.shape[:2]
    zoomed = detect_in_box(detector, image, search_box(hip, radius, width, height))
    # (the zoomed detection's size counts: the whole frame's can be half of it)
    near = [
        d
        for d in zoomed
        if float(np.hypot(*(np.asarray(d.hip_xy) - hip))) <= SAME_PERSON_RADII * max(radius, d.radius_px)
    ]
    if not near:
        return None
    detection = min(near, key=lambda d: float(np.hypot(*(np.asarray(d.hip_xy) - hip))))
    found = estimate(detection)
    if found is None:
        return None
    moved = float(np.hypot(*(found.hip_centre(names) - hip)))
    return found if moved <= SAME_PERSON_RADII * max(radius, detection.radius_px) else None


@dataclass(eq=False)
class _Candidate:
    """A person the detector found whom nobody follows yet: looked for in the next frame (with the
    detection as the region) and followed from there if the model sees them."""

    key: int
    detection: PersonDetection


def follow_people(
    frames: Iterable[VideoFrame],
    detector: PersonDetector,
    backend: PoseBackend,
    *,
    detect_every: int,
    sparse_every: int,
    backfill_frames: int = 0,
    newcomer_frames: int = 0,
    on_frame: Callable[[int], None] | None = None,
    camera: CameraMotionEstimator | None = None,
    repeats: RepeatedFrames | None = None,
    search_frames: int = 0,
) -> FollowResult:
    """Follow everyone. A person the detector finds late (entering the frame, or missed for a few detector
    runs) and who turns out to be moving is followed back in time, through up to `backfill_frames` frames
    before they were found, to where they came into view; the decision is taken once they have been
    followed for NEWCOMER_S (`newcomer_frames` frames at most), so that many more recent frames are kept.

    The most active person, once lost, is searched for in every frame for `search_frames` frames (see the
    module's docstring; 0: not searched for). On the panning race it follows the lead runner through the
    frames where the others hide him (36 of 38 touchdowns found, with events.alternation telling his legs
    apart; without the search 32).

    `repeats`: frames that repeat the last one kept are left out (rows count the frames kept). `camera`: each
    kept frame, measured beforehand (`CameraMotionEstimator.measure`, e.g. in the decode thread), is handed
    to it with everyone's region once the frame is followed."""
    with Workers(parallel=bool(getattr(backend, "parallel", False))) as workers:
        tracker = _Tracker(
            detector, backend, workers, detect_every, sparse_every, backfill_frames, newcomer_frames, search_frames
        )
        row = 0
        for frame in frames:
            if repeats is not None and repeats.repeats(frame.rgb, tracker.people(row)):
                if camera is not None:
                    camera.skip(frame.index)
            else:
                tracker.take(row, frame)
                if camera is not None:
                    camera.take(frame.index, tracker.people(row))
                row += 1
            if on_frame is not None:
                on_frame(frame.index)
        return tracker.result()


class _Tracker:
    def __init__(
        self,
        detector: PersonDetector,
        backend: PoseBackend,
        workers: Workers,
        detect_every: int,
        sparse_every: int,
        backfill_frames: int,
        newcomer_frames: int,
        search_frames: int = 0,
    ) -> None:
        self.detector, self.backend, self.workers = detector, backend, workers
        self.search_frames = search_frames
        self.lost: _Lost | None = None
        self.names = backend.names
        self.detect_every, self.sparse_every, self.backfill_frames = detect_every, sparse_every, backfill_frames
        self.recent: deque[tuple[int, float, NDArray[np.uint8]]] = deque(
            maxlen=max(backfill_frames + newcomer_frames, 1)
        )
        self.leader: _Follower | None = None
        self.active: list[_Follower] = []
        self.done: list[Segment] = []
        self.candidates: list[_Candidate] = []
        self.pending: list[tuple[_Follower, int]] = []  # newcomers whose backfill is undecided, found at row
        self.times: list[float] = []
        self.previews = _PreviewFrames()
        self.detector_runs = 0
        self.next_key = 0

    # --- one frame ------------------------------------------------------------------------------------------

    def people(self, row: int) -> list[tuple[float, float, float]]:
        """Everyone's region at `row` (followed, or found and about to be): (centre x, centre y, radius) px."""
        regions = [f.region_for(row) for f in self.active] + [c.detection for c in self.candidates]
        return [(float(r.hip_xy[0]), float(r.hip_xy[1]), r.radius_px) for r in regions]

    def take(self, row: int, frame: VideoFrame) -> None:
        if self.active:
            self.leader = _leader(self.active, self.leader, self.names)
        self.times.append(frame.time_s)
        calls: list[Call] = []
        if self.lost is not None and (row - self.lost.row > self.search_frames or self._found_lost(self.lost)):
            self.lost = None
        box = None
        if self.lost is not None:
            height, width = frame.rgb.shape[:2]
            box = search_box(*self.lost.where(frame.time_s), width, height)
        if box is not None or row % self.detect_every == 0 or not (self.active or self.candidates):
            # first: an odd one out is a pose
            calls.append(Call(_DETECTOR, row, detect_in, (self.detector, frame.rgb, box)))
            self.detector_runs += 1
        top = self.leader.recent_activity(self.names) if self.leader is not None else 0.0
        for follower in self.active:
            newcomer = follower.segment.time_s[-1] - follower.segment.time_s[0] < NEWCOMER_S
            close = top > 0 and follower.recent_activity(self.names) >= CONTENDER_SHARE * top
            if follower is self.leader or newcomer or close or row % self.sparse_every == 0:
                region = follower.region_for(row)
                calls.append(Call(follower.key, row, self.backend.estimate, (frame.rgb, region)))
        for candidate in self.candidates:
            calls.append(Call(candidate.key, row, self.backend.estimate, (frame.rgb, candidate.detection)))
        results = self.workers.run(calls)
        candidates, self.candidates = self.candidates, []
        self._settle(row, frame, candidates, results)
        self.pending = self._decide_backfills(final=False)

    def _settle(
        self,
        row: int,
        frame: VideoFrame,
        candidates: list[_Candidate],
        results: dict[tuple[int, int], Any],
    ) -> None:
        """Book one frame's answers: poses of the followed, newcomers confirmed (a confirmed candidate's key
        becomes its follower's), people detected."""
        image = frame.rgb
        size = (image.shape[1], image.shape[0])
        for follower in list(self.active):
            if (follower.key, row) not in results:
                continue
            estimate = results[(follower.key, row)]
            if not _usable(estimate, self.names, *size):
                seg = follower.segment
                estimate = self._zoomed_in(follower.key, row, image, seg.hip_xy[-1], typical_radius_px(seg, last=True))
            if _usable(estimate, self.names, *size):
                assert isinstance(estimate, PoseEstimate)
                _record(follower, row, frame.time_s, estimate, self.names, image)
            else:
                log.debug("row %d: follower %d lost by the model (or at the edge)", row, follower.key)
                self._stop(follower, size)
        for candidate in list(candidates):
            estimate = results.get((candidate.key, row))
            if not _usable(estimate, self.names, *size):
                found = candidate.detection
                estimate = self._zoomed_in(candidate.key, row, image, np.asarray(found.hip_xy), found.radius_px)
            if isinstance(estimate, PoseEstimate) and self._confirm(candidate, estimate, row, frame.time_s, image):
                candidates.remove(candidate)
        self._drop_duplicates()
        detections = results.get((_DETECTOR, row))
        if isinstance(detections, tuple):
            everywhere, zoomed = detections
            self._add_candidates(everywhere, row)
            if self.lost is not None:
                self._add_searched(zoomed + everywhere, frame.time_s)
        self.recent.append((row, frame.time_s, image))
        self.previews.offer(row, image)

    def _zoomed_in(
        self, key: int, row: int, image: NDArray[np.uint8], hip: NDArray[np.float64], radius: float
    ) -> PoseEstimate | None:
        """A person the model did not see in this frame from their region, looked for again (look_again)."""

        def estimate(detection: PersonDetection) -> PoseEstimate | None:
            answer = self.workers.run([Call(key, row, self.backend.estimate, (image, detection))])[(key, row)]
            return answer if isinstance(answer, PoseEstimate) else None

        return look_again(self.detector, estimate, image, hip, radius, self.names)

    def _confirm(
        self, candidate: _Candidate, estimate: PoseEstimate, row: int, time_s: float, image: NDArray[np.uint8]
    ) -> bool:
        size = (image.shape[1], image.shape[0])
        if len(self.active) >= MAX_PEOPLE or not _usable(estimate, self.names, *size):
            return False
        centre = estimate.hip_centre(self.names)
        radius = body_radius_px(estimate.xy, self.names, candidate.detection.radius_px)
        for other in self.active:
            if float(np.hypot(*(centre - other.segment.hip_xy[-1]))) <= DUPLICATE_RADII * max(
                radius, other.segment.radius_px[-1]
            ):
                return False
        follower = _new_follower(candidate.key)
        _record(follower, row, time_s, estimate, self.names, image)
        self.active.append(follower)
        if self.backfill_frames:
            self.pending.append((follower, row))
        return True

    def _add_candidates(self, detections: list[PersonDetection], row: int) -> None:
        for detection in sorted(detections, key=lambda d: -d.radius_px):
            if len(self.active) + len(self.candidates) >= MAX_PEOPLE:
                break
            hip = np.asarray(detection.hip_xy)
            if any(
                float(np.hypot(*(hip - f.segment.hip_xy[-1]))) <= SAME_PERSON_RADII * f.segment.radius_px[-1]
                for f in self.active
            ):
                continue
            self.next_key += 1
            self.candidates.append(_Candidate(self.next_key, detection))

    def _add_searched(self, detections: list[PersonDetection], time_s: float) -> None:
        """The detection nearest to where the lost person should be, within SEARCH_REACH_RADII, is looked for
        in the next frame (unless someone followed is there already, or a candidate is close by)."""
        assert self.lost is not None
        centre, radius = self.lost.where(time_s)
        near = [
            (float(np.hypot(*(np.asarray(d.hip_xy) - centre))), d)
            for d in detections
            if float(np.hypot(*(np.asarray(d.hip_xy) - centre))) <= SEARCH_REACH_RADII * radius
        ]
        if not near:
            return
        detection = min(near, key=lambda pair: pair[0])[1]
        hip = np.asarray(detection.hip_xy)
        others = [(f.segment.hip_xy[-1], f.segment.radius_px[-1]) for f in self.active]
        others += [(np.asarray(c.detection.hip_xy), radius) for c in self.candidates]
        if any(float(np.hypot(*(hip - h))) <= DUPLICATE_RADII * max(r, radius) for h, r in others):
            return
        self.next_key += 1
        self.candidates.append(_Candidate(self.next_key, detection))

    def _stop(self, follower: _Follower, size: tuple[int, int] | None = None) -> None:
        """Stop following; the most active person, lost inside the image (`size`: width, height), is searched
        for (one who walked out of view is not: the search would run the detector on every frame for nothing,
        +15 % on the Sports2D demo)."""
        self.active.remove(follower)
        if follower.segment.rows:
            self.done.append(follower.segment)
        inside = size is not None and _inside(follower.segment, *size)
        if follower is self.leader and self.search_frames and len(follower.segment.rows) >= 3 and inside:
            self.lost = _Lost(follower.segment, follower.segment.rows[-1])
            self.leader = None

    def _drop_duplicates(self) -> None:
        """Two followers on one person: the one followed for less time lets go (its last frame is dropped)."""
        by_age = sorted(self.active, key=lambda f: len(f.segment.rows), reverse=True)
        for i, younger in enumerate(by_age):
            if younger not in self.active:
                continue
            for older in by_age[:i]:
                if older not in self.active:
                    continue
                a, b = older.segment, younger.segment
                distance = float(np.hypot(*(a.hip_xy[-1] - b.hip_xy[-1])))
                if distance <= DUPLICATE_RADII * max(a.radius_px[-1], b.radius_px[-1]):
                    for column in (b.rows, b.time_s, b.xy, b.score, b.hip_xy, b.radius_px, younger.regions):
                        column.pop()
                    log.debug("follower %d on the same person as %d: stopped", younger.key, older.key)
                    self._stop(younger)
                    break

    # --- following newcomers back in time ------------------------------------------------------------------

    def _decide_backfills(self, *, final: bool) -> list[tuple[_Follower, int]]:
        """Follow back the newcomers who have been followed long enough to tell whether they move (or whose
        first frame is about to leave the buffer); drop those lost meanwhile. Returns those still undecided."""
        waiting = []
        for follower, found_row in self.pending:
            if follower not in self.active:
                continue  # lost within their first moments: a flicker of the detector, not worth following back
            segment = follower.segment
            losing_frames = self.recent[0][0] > max(found_row - self.backfill_frames, 0)
            settled = segment.time_s[-1] - segment.time_s[0] >= NEWCOMER_S or losing_frames
            if not (settled or final):
                waiting.append((follower, found_row))
                continue
            activity = follower.recent_activity(self.names)
            log.debug("newcomer at row %d: activity %.2f", found_row, activity)
            # the frame they were detected in, at least (they are confirmed in the next one)
            self._backfill(follower, self.backfill_frames if activity >= BACKFILL_ACTIVITY else 1)
        return waiting

    def _found_lost(self, lost: _Lost) -> bool:
        """Someone followed for NEWCOMER_S since the lost person was lost, from where they should have been
        then, is them: the search ends."""
        for follower in self.active:
            segment = follower.segment
            if segment.rows[0] <= lost.row or segment.time_s[-1] - segment.time_s[0] < NEWCOMER_S:
                continue
            centre, radius = lost.where(segment.time_s[0])
            if float(np.hypot(*(segment.hip_xy[0] - centre))) <= SEARCH_REACH_RADII * radius:
                return True
        return False

    def _backfill(self, follower: _Follower, reach: int) -> None:
        """Follow a newcomer backwards through the recent frames, one at a time, while the model sees them,
        they do not jump and nobody else was followed there (a person lost and found again, or someone
        else), and put those poses in front of their segment."""
        first = follower.segment.rows[0]
        frames = [(r, t, past) for r, t, past in self.recent if first - reach <= r < first]
        taken: dict[int, list[tuple[NDArray[np.float64], float]]] = {}
        for other in [f.segment for f in self.active if f is not follower] + self.done[-2 * MAX_PEOPLE :]:
            for row, hip, radius in zip(other.rows, other.hip_xy, other.radius_px, strict=True):
                if first - reach <= row < first:
                    taken.setdefault(row, []).append((hip, radius))
        for row, time_s, past in reversed(frames):
            call = Call(follower.key, row, self.backend.estimate, (past, follower.region_for(row)))
            estimate = self.workers.run([call])[(follower.key, row)]
            if not _usable(estimate, self.names, past.shape[1], past.shape[0]):
                return
            assert isinstance(estimate, PoseEstimate)
            seg = follower.segment
            hip = estimate.hip_centre(self.names)
            if float(np.hypot(*(hip - seg.hip_xy[0]))) > SAME_PERSON_RADII * seg.radius_px[0]:
                return
            if any(float(np.hypot(*(hip - h))) <= SAME_PERSON_RADII * r for h, r in taken.get(row, [])):
                return
            _record(follower, row, time_s, estimate, self.names, past, front=True)

    # --- the end ---------------------------------------------------------------------------------------------

    def result(self) -> FollowResult:
        self.pending = self._decide_backfills(final=True)
        for follower in list(self.active):
            self._stop(follower)
        if not self.previews.frames:
            from ..errors import InputError

            raise InputError("the video holds no frame in the chosen time range")
        log.info(
            "followed %d segments in %d frames, %d detector runs, %d model calls",
            len(self.done),
            len(self.times),
            self.detector_runs,
            self.workers.calls,
        )
        return FollowResult(
            segments=tuple(self.done),
            time_s=np.asarray(self.times, dtype=np.float64),
            previews=tuple(self.previews.frames),
            preview_scale=self.previews.scale,
            detector_runs=self.detector_runs,
            model_calls=self.workers.calls,
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

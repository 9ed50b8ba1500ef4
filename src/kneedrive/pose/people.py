"""Who is in the video, and which of them is the athlete.

Every person the tracker follows leaves a track (their pose in the frames they were followed in). Tracks
of one person split by lost frames (or overlapping briefly, when they were found again before being let
go) are stitched back together by where they are and how big they look, then ranked by *sustained* activity:
in each 1 s window in which the person is seen, how fast they travel plus how much their legs move (the
spread of the left-minus-right ankle offset), both in body radii (half the standing height) per second; the
person's activity is the median over their windows times the time they are seen. So a runner crossing the
frame or drilling in place for the whole clip scores high, while a coach who stands for most of the clip
(low median) or someone walking through for a moment (short time) scores low. The athlete is the
most active person (number 1) unless the user names another (`--person N`, the numbers drawn by
`kneedrive people`).
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields, replace

import numpy as np
from numpy.typing import NDArray

from ..errors import InputError
from .appearance import Colours, changes, difference, typical
from .camera import CameraMotion

#: A person may go unseen this long and still be the same person.
MAX_GAP_S = 1.0
#: A track starting further than this (in body radii) from where another one ended is someone else.
MAX_JUMP_RADII = 0.8
#: Two tracks of one person may overlap this long (the person found again before the tracker let go of
#: them; the model's pose of one frame is the same whichever follower asked for it).
MAX_OVERLAP_S = 0.2
#: Segments followed at least this long (s) are joined into people first; shorter ones are fragments.
MIN_ANCHOR_S = 0.2
#: Where two tracks could continue one, the one that starts sooner is preferred by this many body radii
#: per second of gap: a person unseen is predicted on a straight path at their last speed, and a runner
#: who speeds up or turns drifts off it (a sprinter accelerating at 5 m/s2, body radius 0.9 m, is about
#: 0.4 radii off after 0.4 s). On the panning race slowed 3x the lead runner, lost for one image, was joined
#: to a runner behind him found 8 images later, 0.02 radii off the prediction, instead of to himself
#: 0.14 radii away.
DRIFT_RADII_PER_S = 1.0
#: Two tracks whose body sizes differ more than this factor where they meet are two people.
MAX_SIZE_RATIO = 1.6
#: Weight of leg motion against travel in the activity score (both in body radii).
LEG_MOTION_WEIGHT = 2.0
#: Body radius (half the standing height) per torso length (hip centre to shoulder centre ~ 0.3 of the
#: standing height; Winter 2009, anthropometric segment lengths).
TORSO_TO_RADIUS = 1.6
#: Activity windows (s).
WINDOW_S = 1.0


#: Poses compared on each side of a possible change of person (appearance.clothes) ...
CLOTHES_WINDOW = 8
#: ... and how different their colours must be (Bhattacharyya distance). Measured with 8 poses a side: within
#: one runner or walker followed the largest change is 0.28-0.62 (the panning race, the Sports2D demo,
#: GaitLab); where the follower of the race's runner in white slid onto the shirtless lead runner, 0.77.
CLOTHES_CHANGE = 0.7


@dataclass(frozen=True)
class PersonTrack:
    """One person's pose in the frames they were followed in: rows are indices into the clip's frames."""

    number: int
    rows: NDArray[np.int64]
    time_s: NDArray[np.float64]
    xy: NDArray[np.float64]
    score: NDArray[np.float64]
    hip_xy: NDArray[np.float64]
    radius_px: NDArray[np.float64]
    travel_radii: float
    leg_motion_radii: float
    coverage: float
    activity: float

    @property
    def first_s(self) -> float:
        return float(self.time_s[0])

    @property
    def last_s(self) -> float:
        return float(self.time_s[-1])

    def box_at_row(self, row: int, *, within_rows: int = 0) -> tuple[float, float, float, float] | None:
        """Box around the person (hip centre +/- body radius) in frame `row`, if followed then or, for people
        followed only now and then, in the nearest frame followed at most `within_rows` away."""
        if len(self.rows) == 0:
            return None
        nearest = int(np.argmin(np.abs(self.rows - row)))
        if abs(int(self.rows[nearest]) - row) > within_rows:
            return None
        (x, y), r = self.hip_xy[nearest], float(self.radius_px[nearest])
        return (float(x - r), float(y - r), float(x + r), float(y + r))


@dataclass(frozen=True)
class PeopleScan:
    """Everyone followed in the clip, ranked by activity, and the frame that shows the athlete with most of
    the others (for the preview, see choose_preview), downscaled by `preview_scale` (preview px = full px x
    scale)."""

    tracks: tuple[PersonTrack, ...]
    time_s: NDArray[np.float64]
    preview: NDArray[np.uint8]
    preview_row: int
    preview_scale: float
    #: People followed now and then are drawn where they were followed this close to the preview frame.
    preview_within_rows: int = 0
    #: The camera's motion over the rows (pose/camera.py; None when not measured) and the repeated images
    #: left out before the rows were counted (pose/repeats.py).
    camera: CameraMotion | None = None
    frames_repeated: int = 0

    def athlete(self, person: int | None = None) -> PersonTrack:
        if not self.tracks:
            raise InputError("no person found in the video (is the athlete in view, large and lit enough?)")
        if person is None:
            return self.tracks[0]
        for track in self.tracks:
            if track.number == person:
                return track
        raise InputError(f"--person {person}: the video shows people 1-{len(self.tracks)} (see `kneedrive people`)")


def choose_preview(
    tracks: tuple[PersonTrack, ...], frames: tuple[tuple[int, NDArray[np.uint8]], ...], *, within_rows: int
) -> tuple[int, NDArray[np.uint8]]:
    """The preview frame: the one showing the athlete (person 1) and as many of the others as can be seen
    at once (people followed now and then count when followed `within_rows` of it); the earliest such."""

    def shown(row: int) -> tuple[bool, int]:
        seen = [t.box_at_row(row, within_rows=within_rows) is not None for t in tracks]
        return (bool(seen and seen[0]), sum(seen))

    return max(frames, key=lambda frame: (*shown(frame[0]), -frame[0]))


@dataclass
class Segment:
    """A stretch of frames in which the tracker followed one person without losing them."""

    rows: list[int]
    time_s: list[float]
    xy: list[NDArray[np.float64]]
    score: list[NDArray[np.float64]]
    hip_xy: list[NDArray[np.float64]]
    radius_px: list[float]
    #: What they wear in each pose (appearance.clothes; None where not seen), when it was measured.
    colours: list[Colours | None] = field(default_factory=list)

    def predict(self, time_s: float) -> NDArray[np.float64]:
        """Where the hip centre should be at `time_s` (constant velocity over the last 0.2 s)."""
        hip = self.hip_xy[-1]
        back = max(0, len(self.time_s) - 7)
        dt = self.time_s[-1] - self.time_s[back]
        if dt <= 0:
            return hip
        velocity = (hip - self.hip_xy[back]) / dt
        return np.asarray(hip + velocity * (time_s - self.time_s[-1]), dtype=np.float64)


def body_radius_px(xy: NDArray[np.float64], names: tuple[str, ...], fallback_px: float) -> float:
    """Half the body's height, from the torso (steadier than the detector's own size estimate)."""
    if "left_shoulder" not in names or "right_shoulder" not in names:
        return fallback_px
    shoulders = (xy[names.index("left_shoulder")] + xy[names.index("right_shoulder")]) / 2
    hips = (xy[names.index("left_hip")] + xy[names.index("right_hip")]) / 2
    torso = float(np.hypot(*(shoulders - hips)))
    return TORSO_TO_RADIUS * torso if torso > 0 else fallback_px


def typical_radius_px(segment: Segment, *, last: bool, frames: int = 7) -> float:
    """The body radius at one end of a segment: the median over its last (or first) few poses (one torso can
    be foreshortened or misread)."""
    radii = segment.radius_px[-frames:] if last else segment.radius_px[:frames]
    return float(np.median(radii))


def _distance_radii(before: Segment, after: Segment) -> float | None:
    """How far `after` starts from where `before`'s person is (body radii): at the rows they share when they
    overlap (the median hip distance), else from `before`'s path moved on to `after`'s first frame. None when
    they cannot be one person: apart too long, overlapping too long, or of too different a size."""
    gap_s = after.time_s[0] - before.time_s[-1]
    if gap_s > MAX_GAP_S or after.time_s[-1] <= before.time_s[-1] or after.time_s[0] <= before.time_s[0]:
        return None
    if gap_s < 0 and -gap_s > min(MAX_OVERLAP_S, (after.time_s[-1] - after.time_s[0]) / 2):
        return None
    end_r, start_r = typical_radius_px(before, last=True), typical_radius_px(after, last=False)
    if max(end_r, start_r) > MAX_SIZE_RATIO * min(end_r, start_r) or _dressed_differently(before, after):
        return None
    radius = max(end_r, start_r)
    if gap_s <= 0:
        shared = {row: hip for row, hip in zip(before.rows, before.hip_xy, strict=True) if row >= after.rows[0]}
        distances = [
            float(np.hypot(*(hip - shared[row])))
            for row, hip in zip(after.rows, after.hip_xy, strict=True)
            if row in shared
        ]
        if distances:
            return float(np.median(distances)) / radius
    return float(np.hypot(*(after.hip_xy[0] - before.predict(after.time_s[0])))) / radius


def _dressed_differently(before: Segment, after: Segment) -> bool:
    """`before`'s last poses and `after`'s first wear clearly different colours (CLOTHES_CHANGE apart); False
    when either was not seen."""
    if len(before.colours) != len(before.rows) or len(after.colours) != len(after.rows):
        return False
    end, start = typical(before.colours[-CLOTHES_WINDOW:]), typical(after.colours[:CLOTHES_WINDOW])
    return end is not None and start is not None and difference(end, start) >= CLOTHES_CHANGE


def _link_cost(before: Segment, after: Segment, distance_radii: float) -> float:
    """How unlikely `after` is to continue `before`: the distance from the prediction plus the drift a
    gap that long allows (see DRIFT_RADII_PER_S)."""
    return distance_radii + DRIFT_RADII_PER_S * max(after.time_s[0] - before.time_s[-1], 0.0)


def stitch(segments: list[Segment], *, clock: float = 1.0) -> list[list[Segment]]:
    """Group segments into people (see _stitch). `clock` is the real seconds per second of the file (1/N on
    footage slowed N times, when that is known before the people are joined: the capture rate, or an edit
    that shows every image N times): the time limits are the body's, so they are applied on its clock (the
    lead runner of the panning race slowed 3x is lost for 2 s of the file, 0.7 s of the race)."""
    segments = [piece for segment in segments for piece in split_where_clothes_change(segment)]
    if clock == 1.0:
        return _stitch(segments)
    scaled = [replace(segment, time_s=[t * clock for t in segment.time_s]) for segment in segments]
    original = {id(copy): segment for copy, segment in zip(scaled, segments, strict=True)}
    return [[original[id(copy)] for copy in person] for person in _stitch(scaled)]


def split_where_clothes_change(segment: Segment) -> list[Segment]:
    """A segment in two where the colours of what the person wears change (CLOTHES_WINDOW poses before
    against as many after, at least CLOTHES_CHANGE apart): the follower slid onto someone else without a
    jump of the hips, where one runner passes another. The largest change first, then each part again. (Two
    pieces this differently dressed are not joined again: _dressed_differently.)"""
    colours, window = segment.colours, CLOTHES_WINDOW
    if len(colours) != len(segment.rows) or len(colours) < 2 * window:
        return [segment]
    change = changes(colours, window)
    if not np.any(change >= CLOTHES_CHANGE):
        return [segment]
    cut = window + int(np.nanargmax(change))
    return split_where_clothes_change(_part(segment, 0, cut)) + split_where_clothes_change(
        _part(segment, cut, len(segment.rows))
    )


def _part(segment: Segment, start: int, end: int) -> Segment:
    """Poses start..end-1 of a segment (every per-pose list cut alike)."""
    return Segment(**{f.name: getattr(segment, f.name)[start:end] for f in fields(segment)})


def _stitch(segments: list[Segment]) -> list[list[Segment]]:
    """Group segments into people. Segments followed for at least MIN_ANCHOR_S are joined first, best pair
    first: each continues the one it starts nearest to (after it ended, within MAX_GAP_S, or overlapping it
    briefly; a later start counts as further, see DRIFT_RADII_PER_S), at about the same size, and each has
    at most one before and one after it. A fragment (a few frames of a person found and lost again, often on
    the wrong runner where runners cross) is then put into the gap of the person it fits on both sides, or
    stands alone. Joining the long pieces first keeps
    a fragment of another runner from taking the athlete's place in the chain."""
    anchors = sorted((s for s in segments if _duration_s(s) >= MIN_ANCHOR_S), key=lambda s: s.time_s[0])
    fragments = sorted((s for s in segments if _duration_s(s) < MIN_ANCHOR_S), key=lambda s: s.time_s[0])
    links = sorted(
        (_link_cost(before, after, distance), i, j)
        for i, before in enumerate(anchors)
        for j, after in enumerate(anchors)
        if i != j and (distance := _distance_radii(before, after)) is not None and distance <= MAX_JUMP_RADII
    )
    after_of: dict[int, int] = {}
    before_of: dict[int, int] = {}
    for _, i, j in links:
        if i not in after_of and j not in before_of:
            after_of[i], before_of[j] = j, i
    people: list[list[Segment]] = []
    for i in range(len(anchors)):
        if i in before_of:
            continue
        chain = [anchors[i]]
        while i in after_of:
            i = after_of[i]
            chain.append(anchors[i])
        people.append(chain)
    for fragment in fragments:
        best: tuple[float, list[Segment]] | None = None
        for person in people:
            fit = _fit_in_gap(person, fragment)
            if fit is not None and (best is None or fit < best[0]):
                best = (fit, person)
        if best is None:
            people.append([fragment])
        else:
            best[1].append(fragment)
            best[1].sort(key=lambda s: s.time_s[0])
    return _join_chains(people)


def _join_chains(people: list[list[Segment]]) -> list[list[Segment]]:
    """People whose end leads into another's start (within MAX_GAP_S, MAX_JUMP_RADII) joined, best pair
    first: a gap bridged only by fragments (each too short to be joined first) still joins its two sides."""
    people = sorted(people, key=lambda person: person[0].time_s[0])
    while True:
        links = sorted(
            (_link_cost(before[-1], after[0], distance), i, j)
            for i, before in enumerate(people)
            for j, after in enumerate(people)
            if i != j
            and after[0].time_s[0] > before[-1].time_s[0]
            and (distance := _distance_radii(before[-1], after[0])) is not None
            and distance <= MAX_JUMP_RADII
        )
        if not links:
            return people
        _, i, j = links[0]
        joined = sorted([*people[i], *people[j]], key=lambda s: s.time_s[0])
        people = [p for k, p in enumerate(people) if k not in (i, j)] + [joined]
        people.sort(key=lambda person: person[0].time_s[0])


def _duration_s(segment: Segment) -> float:
    return segment.time_s[-1] - segment.time_s[0]


def _fit_in_gap(person: list[Segment], fragment: Segment) -> float | None:
    """How well `fragment` continues the person's last segment before it and leads into their next one
    (summed body radii), None when it does not fit either side."""
    before = [s for s in person if s.time_s[0] < fragment.time_s[0]]
    after = [s for s in person if s.time_s[0] > fragment.time_s[0]]
    if not before:
        return None
    into = _distance_radii(before[-1], fragment)
    if into is None or into > MAX_JUMP_RADII:
        return None
    if not after:
        return into
    out = _distance_radii(fragment, after[0])
    return None if out is None or out > MAX_JUMP_RADII else into + out


def merge(segments: list[Segment]) -> Segment:
    """One person's segments as one, in time order; where two overlap, the pose with the higher mean score."""
    best: dict[int, tuple[float, int, int]] = {}
    for k, segment in enumerate(segments):
        for i, row in enumerate(segment.rows):
            quality = float(np.mean(segment.score[i]))
            if row not in best or quality > best[row][0]:
                best[row] = (quality, k, i)
    picks = [(segments[k], i) for _, (_, k, i) in sorted(best.items())]
    return Segment(
        rows=[s.rows[i] for s, i in picks],
        time_s=[s.time_s[i] for s, i in picks],
        xy=[s.xy[i] for s, i in picks],
        score=[s.score[i] for s, i in picks],
        hip_xy=[s.hip_xy[i] for s, i in picks],
        radius_px=[s.radius_px[i] for s, i in picks],
    )


def _window_activity(
    time_s: NDArray[np.float64], hip_x: NDArray[np.float64], gaps: NDArray[np.float64], radius: float
) -> float:
    """Median over 1 s windows (half overlapping) of travel speed + weighted leg motion, in body radii."""
    values: list[float] = []
    start = float(time_s[0])
    while start <= time_s[-1] - WINDOW_S / 2 or not values:
        inside = (time_s >= start) & (time_s < start + WINDOW_S)
        if inside.sum() >= 3:
            span_s = max(float(np.ptp(time_s[inside])), 1e-6)
            speed = float(np.ptp(hip_x[inside])) / radius / max(span_s, WINDOW_S / 2)
            window_gaps = gaps[inside]
            window_gaps = window_gaps[np.all(np.isfinite(window_gaps), axis=1)]
            legs = float(np.sqrt(np.sum(np.var(window_gaps, axis=0)))) / radius if len(window_gaps) >= 3 else 0.0
            values.append(speed + LEG_MOTION_WEIGHT * legs)
        start += WINDOW_S / 2
        if start > time_s[-1]:
            break
    return float(np.median(values)) if values else 0.0


def rank(people: list[list[Segment]], names: tuple[str, ...], n_frames: int) -> tuple[PersonTrack, ...]:
    """Score and number the people (1 = most active). Followed for less than 3 frames: not a person."""
    left, right = names.index("left_ankle"), names.index("right_ankle")
    tracks = []
    for segments in people:
        whole = merge(segments)
        rows = np.asarray(whole.rows, dtype=np.int64)
        if len(rows) < 3:
            continue
        time_s = np.asarray(whole.time_s, dtype=np.float64)
        xy, score = np.asarray(whole.xy), np.asarray(whole.score)
        hip, radius_px = np.asarray(whole.hip_xy), np.asarray(whole.radius_px, dtype=np.float64)
        radius = float(np.median(radius_px))
        seen = np.minimum(score[:, left], score[:, right]) >= 0.5
        gaps = np.where(seen[:, None], xy[:, left] - xy[:, right], np.nan)
        finite_gaps = gaps[seen]
        seen_s = float(time_s[-1] - time_s[0])
        tracks.append(
            PersonTrack(
                number=0,
                rows=rows,
                time_s=time_s,
                xy=xy,
                score=score,
                hip_xy=hip,
                radius_px=radius_px,
                travel_radii=float(np.ptp(np.percentile(hip[:, 0], [5, 95]))) / radius,
                leg_motion_radii=float(np.sqrt(np.sum(np.var(finite_gaps, axis=0)))) / radius
                if len(finite_gaps) >= 3
                else 0.0,
                coverage=len(rows) / max(n_frames, 1),
                activity=_window_activity(time_s, hip[:, 0], gaps, radius) * seen_s,
            )
        )
    tracks.sort(key=lambda t: -t.activity)
    return tuple(PersonTrack(**{**t.__dict__, "number": number}) for number, t in enumerate(tracks, start=1))

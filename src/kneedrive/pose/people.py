"""Who is in the video, and which of them is the athlete.

Every person the tracker follows leaves a track (their pose in the frames they were followed in). Tracks
of one person split by a lost frame or two are stitched back together, then ranked by *sustained* activity:
in each 1 s window in which the person is seen, how fast they travel plus how much their legs move (the
spread of the left-minus-right ankle offset), both in body radii (half the standing height) per second; the
person's activity is the median over their windows times the time they are seen. So a runner crossing the
frame or drilling in place for the whole clip scores high, while a coach who stands for most of the clip
(low median) or someone walking through for a moment (short time) scores low. The athlete is the
most active person (number 1) unless the user names another (`--person N`, the numbers drawn by
`kneedrive people`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from ..errors import InputError
from .camera import CameraMotion

#: A person may go unseen this long and still be the same person.
MAX_GAP_S = 1.0
#: A track starting further than this (in body radii) from where another one ended is someone else.
MAX_JUMP_RADII = 0.8
#: Weight of leg motion against travel in the activity score (both in body radii).
LEG_MOTION_WEIGHT = 2.0
#: Body radius (half the standing height) per torso length (hip centre to shoulder centre ~ 0.3 of the
#: standing height; Winter 2009, anthropometric segment lengths).
TORSO_TO_RADIUS = 1.6
#: Activity windows (s).
WINDOW_S = 1.0


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


def stitch(segments: list[Segment]) -> list[list[Segment]]:
    """Group segments into people: a segment that starts after another ends (within MAX_GAP_S) near where
    that one's person should be continues it."""
    people: list[list[Segment]] = []
    for segment in sorted(segments, key=lambda s: s.time_s[0]):
        start_hip, start_s = segment.hip_xy[0], segment.time_s[0]
        best: tuple[float, list[Segment]] | None = None
        for person in people:
            last = person[-1]
            gap_s = start_s - last.time_s[-1]
            if not 0 < gap_s <= MAX_GAP_S:
                continue
            radius = max(last.radius_px[-1], segment.radius_px[0])
            distance = float(np.hypot(*(start_hip - last.predict(start_s)))) / radius
            if distance <= MAX_JUMP_RADII and (best is None or distance < best[0]):
                best = (distance, person)
        if best is None:
            people.append([segment])
        else:
            best[1].append(segment)
    return people


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
        rows = np.concatenate([np.asarray(s.rows, dtype=np.int64) for s in segments])
        if len(rows) < 3:
            continue
        time_s = np.concatenate([np.asarray(s.time_s) for s in segments])
        xy = np.concatenate([np.asarray(s.xy) for s in segments])
        score = np.concatenate([np.asarray(s.score) for s in segments])
        hip = np.concatenate([np.asarray(s.hip_xy) for s in segments])
        radius_px = np.concatenate([np.asarray(s.radius_px) for s in segments])
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

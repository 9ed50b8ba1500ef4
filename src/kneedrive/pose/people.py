"""Who is in the video, and which of them is the athlete.

A scan runs the person detector (and the landmark model on each person found) on sampled frames, links the
sightings into tracks by position, and ranks the tracks by activity: how far the person travels plus how
much their legs move, in body sizes, times the share of the clip in which they are seen. The athlete is
the most active person (number 1) unless the user names another (`--person N`, the numbers drawn by
`kneedrive people`). A coach standing still or a bystander on a wall scores near zero.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from PIL import Image

from ..errors import InputError
from ..io.video import VideoFrame
from .backend import PoseBackend, PoseEstimate
from .detector import PersonDetection, PersonDetector

log = logging.getLogger(__name__)

#: A track may go unseen this long and still be the same person.
MAX_GAP_S = 1.0
#: Sightings further than this from a track's predicted position (in body radii) are someone else.
MAX_JUMP_RADII = 0.8
#: A sighting this much larger or smaller than the track's last one is someone else.
MAX_SIZE_RATIO = 2.0
#: Body radius (half the standing height) per torso length (hip centre to shoulder centre).
TORSO_TO_RADIUS = 1.6
#: Weight of leg motion against travel in the activity score (both in body radii).
LEG_MOTION_WEIGHT = 2.0


@dataclass(frozen=True)
class Sighting:
    """A person seen in one scanned frame: hip centre and body radius in full-frame pixels, the left-minus-
    right ankle offset (NaN when an ankle is not seen)."""

    time_s: float
    hip_xy: tuple[float, float]
    radius_px: float
    ankle_gap_xy: tuple[float, float]


@dataclass(frozen=True)
class PersonTrack:
    """One person over the clip, with the figures that rank them (number 1 = most active)."""

    number: int
    sightings: tuple[Sighting, ...]
    travel_radii: float
    leg_motion_radii: float
    coverage: float

    @property
    def activity(self) -> float:
        return self.coverage * (self.travel_radii + LEG_MOTION_WEIGHT * self.leg_motion_radii)

    @property
    def first_s(self) -> float:
        return self.sightings[0].time_s

    @property
    def last_s(self) -> float:
        return self.sightings[-1].time_s

    def expected_at(self, time_s: float) -> tuple[NDArray[np.float64], float] | None:
        """Where this person's hip centre should be at `time_s` (interpolated between sightings) and their
        radius, or None when the track does not cover that time (margin: MAX_GAP_S / 2)."""
        if time_s < self.first_s - MAX_GAP_S / 2 or time_s > self.last_s + MAX_GAP_S / 2:
            return None
        times = np.array([s.time_s for s in self.sightings])
        hips = np.array([s.hip_xy for s in self.sightings])
        radii = np.array([s.radius_px for s in self.sightings])
        hip = np.array([np.interp(time_s, times, hips[:, 0]), np.interp(time_s, times, hips[:, 1])])
        return hip, float(np.interp(time_s, times, radii))

    def box_at(self, time_s: float) -> tuple[float, float, float, float] | None:
        expected = self.expected_at(time_s)
        if expected is None:
            return None
        (x, y), r = expected
        return (x - r, y - r, x + r, y + r)


@dataclass(frozen=True)
class PeopleScan:
    """The scan's result: tracks ranked by activity, and the scanned frame showing most of them (for the
    preview), downscaled by `preview_scale` (preview px = full px x scale)."""

    tracks: tuple[PersonTrack, ...]
    preview: NDArray[np.uint8]
    preview_time_s: float
    preview_scale: float
    frames_scanned: int

    def athlete(self, person: int | None = None) -> PersonTrack:
        if not self.tracks:
            raise InputError("no person found in the video (is the athlete in view, large and lit enough?)")
        if person is None:
            return self.tracks[0]
        for track in self.tracks:
            if track.number == person:
                return track
        raise InputError(f"--person {person}: the video shows people 1-{len(self.tracks)} (see `kneedrive people`)")


@dataclass
class _Open:
    sightings: list[Sighting]

    def predict(self, time_s: float) -> NDArray[np.float64]:
        last = self.sightings[-1]
        hip = np.array(last.hip_xy)
        if len(self.sightings) >= 2:
            prev = self.sightings[-2]
            velocity = (hip - np.array(prev.hip_xy)) / max(last.time_s - prev.time_s, 1e-6)
            hip = hip + velocity * (time_s - last.time_s)
        return hip


def _body_radius_px(estimate: PoseEstimate, names: tuple[str, ...], fallback_px: float) -> float:
    """Half the body's height, from the torso (hip centre to shoulder centre ~ 0.3 of standing height,
    Winter 2009): steadier than the detector's own size estimate."""
    if "left_shoulder" not in names or "right_shoulder" not in names:
        return fallback_px
    shoulders = (estimate.xy[names.index("left_shoulder")] + estimate.xy[names.index("right_shoulder")]) / 2
    torso = float(np.hypot(*(shoulders - estimate.hip_centre(names))))
    return TORSO_TO_RADIUS * torso if torso > 0 else fallback_px


def _sighting(
    image: Image.Image, detection: PersonDetection, backend: PoseBackend, time_s: float, scale: float
) -> Sighting | None:
    """Confirm a detection with the landmark model (None: the model sees nobody there) and express the
    person's hip centre, size and ankles in full-frame px."""
    estimate = backend.estimate(image, detection)
    backend.reset()
    if estimate is None:
        return None
    names = backend.names
    hip = estimate.hip_centre(names)
    gap = np.array([np.nan, np.nan])
    left, right = names.index("left_ankle"), names.index("right_ankle")
    if min(estimate.score[left], estimate.score[right]) >= 0.5:
        gap = estimate.xy[left] - estimate.xy[right]
    return Sighting(
        time_s=time_s,
        hip_xy=(float(hip[0] / scale), float(hip[1] / scale)),
        radius_px=_body_radius_px(estimate, names, detection.radius_px) / scale,
        ankle_gap_xy=(float(gap[0] / scale), float(gap[1] / scale)),
    )


def _link(tracks: list[_Open], sightings: list[Sighting], time_s: float) -> None:
    """Greedy nearest-first matching of this frame's sightings to the tracks still open."""
    alive = [t for t in tracks if time_s - t.sightings[-1].time_s <= MAX_GAP_S]
    pairs = []
    for i, track in enumerate(alive):
        predicted, radius = track.predict(time_s), track.sightings[-1].radius_px
        for j, s in enumerate(sightings):
            ratio = s.radius_px / radius
            distance = float(np.hypot(*(np.array(s.hip_xy) - predicted))) / radius
            if 1 / MAX_SIZE_RATIO <= ratio <= MAX_SIZE_RATIO and distance <= MAX_JUMP_RADII:
                pairs.append((distance, i, j))
    used_tracks: set[int] = set()
    used_sightings: set[int] = set()
    for _, i, j in sorted(pairs):
        if i in used_tracks or j in used_sightings:
            continue
        alive[i].sightings.append(sightings[j])
        used_tracks.add(i)
        used_sightings.add(j)
    tracks.extend(_Open([s]) for j, s in enumerate(sightings) if j not in used_sightings)


def _stitch(tracks: list[_Open]) -> list[_Open]:
    """Join a track to one that starts after it ends (within MAX_GAP_S) near where it left off: one
    person whose sightings were split by a few bad frames."""
    tracks = sorted(tracks, key=lambda t: t.sightings[0].time_s)
    joined: list[_Open] = []
    for track in tracks:
        first = track.sightings[0]
        best: tuple[float, _Open] | None = None
        for earlier in joined:
            last = earlier.sightings[-1]
            gap_s = first.time_s - last.time_s
            if not 0 < gap_s <= MAX_GAP_S:
                continue
            distance = float(np.hypot(*(np.array(first.hip_xy) - earlier.predict(first.time_s))))
            distance /= max(last.radius_px, first.radius_px)
            if distance <= MAX_JUMP_RADII and (best is None or distance < best[0]):
                best = (distance, earlier)
        if best is None:
            joined.append(_Open(list(track.sightings)))
        else:
            best[1].sightings.extend(track.sightings)
    return joined


def _rank(tracks: list[_Open], frames_scanned: int) -> tuple[PersonTrack, ...]:
    tracks = _stitch(tracks)
    figures = []
    for track in tracks:
        sightings = tuple(track.sightings)
        if len(sightings) < 3 and len(tracks) > 1:  # a flicker of the detector, not a person
            continue
        hips = np.array([s.hip_xy for s in sightings])
        radius = float(np.median([s.radius_px for s in sightings]))
        travel = float(np.ptp(np.percentile(hips[:, 0], [5, 95]))) / radius
        gaps = np.array([s.ankle_gap_xy for s in sightings])
        gaps = gaps[np.all(np.isfinite(gaps), axis=1)]
        legs = float(np.sqrt(np.sum(np.var(gaps, axis=0)))) / radius if len(gaps) >= 3 else 0.0
        figures.append((sightings, travel, legs, len(sightings) / max(frames_scanned, 1)))
    ranked = sorted(figures, key=lambda f: -f[3] * (f[1] + LEG_MOTION_WEIGHT * f[2]))
    return tuple(
        PersonTrack(number=n, sightings=s, travel_radii=t, leg_motion_radii=leg, coverage=c)
        for n, (s, t, leg, c) in enumerate(ranked, start=1)
    )


def scan_people(
    frames: Iterable[VideoFrame],
    detector: PersonDetector,
    backend: PoseBackend,
    *,
    full_width_px: int,
    on_frame: Callable[[int], None] | None = None,
) -> PeopleScan:
    """Find and rank the people in (sampled, possibly downscaled) frames; `full_width_px` is the upright
    width of the full frames, so that tracks are in full-frame pixels."""
    tracks: list[_Open] = []
    preview: tuple[int, float, NDArray[np.uint8], float] | None = None
    scanned = 0
    for frame in frames:
        scale = frame.rgb.shape[1] / full_width_px
        image = Image.fromarray(frame.rgb)
        found = [_sighting(image, d, backend, frame.time_s, scale) for d in detector.detect(image)]
        sightings = [s for s in found if s is not None]
        _link(tracks, sightings, frame.time_s)
        scanned += 1
        if preview is None or len(sightings) > preview[0]:
            preview = (len(sightings), frame.time_s, frame.rgb, scale)
        if on_frame is not None:
            on_frame(frame.index)
    if preview is None:
        raise InputError("the video holds no frame in the chosen time range")
    ranked = _rank(tracks, scanned)
    log.info("scan: %d frames, %d people: %s", scanned, len(ranked), [(t.number, round(t.activity, 2)) for t in ranked])
    return PeopleScan(
        tracks=ranked,
        preview=preview[2],
        preview_time_s=preview[1],
        preview_scale=preview[3],
        frames_scanned=scanned,
    )

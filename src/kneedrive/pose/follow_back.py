"""The athlete followed back in time from where the people scan first has him to where the clip starts.

The scan (tracker.py) finds a person once the detector sees them, and follows a newcomer back only
BACKFILL_S (the frames it keeps). An athlete the detector misses for longer is lost for all that: on the
panning race mirrored, the lead runner is first followed on the straight, after the bend where the three
runners overlap in the image. The pose model itself, given the region his first pose gives, still sees him
before that: once the athlete is chosen, he is followed frame by frame back from his first pose (the video
decoded again, a bounded stretch at a time), as the tracker follows anyone: the model's own region from the
pose after, the detector zoomed in around him when the model loses him (tracker.look_again). It stops where
the model no longer sees him, at the image's edge, where his legs are not seen (ANKLE_SEEN), where the hips
jump (SAME_PERSON_RADII), or at LONG_BACKFILL_S. Then the poses whose clothes differ from his own are
dropped from there back: where runners overlap in the image the model's region can slide from one to
another without a jump (people.split_where_clothes_change).
"""

from __future__ import annotations

import functools
import logging
import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from ..io.video import read_frames
from .appearance import Colours, clothes
from .backend import PoseBackend, PoseEstimate
from .detector import PersonDetector
from .people import CLOTHES_WINDOW, PersonTrack, Segment, body_radius_px, split_where_clothes_change
from .tracker import SAME_PERSON_RADII, _scores_inside, _usable, look_again, region_from_pose

log = logging.getLogger(__name__)

#: The athlete is followed back at most this far (s of the file) before his first pose.
LONG_BACKFILL_S = 10.0
#: A pose in which neither ankle scores this much is where following back stops: a person coming out from
#: behind something (the Sports2D demo's walker, from behind a tree) is only half seen, and the model guesses
#: the legs the analysis reads.
ANKLE_SEEN = 0.5
#: Frames decoded again are held this many bytes at a time (the stretch is followed back, then the one
#: before it is decoded).
STRETCH_BYTES = 150_000_000


def frames_backwards(
    path: Path, time_s: NDArray[np.float64], rows: range, frame_bytes: int
) -> Iterator[tuple[int, NDArray[np.uint8]]]:
    """The frames of `rows` (the scan's frames, at times `time_s`), last first: each stretch of STRETCH_BYTES
    decoded from the file (frames the scan left out, repeated images, are skipped by their time), then
    handed over in reverse."""
    stretch = max(2, STRETCH_BYTES // max(frame_bytes, 1))
    end = rows.stop
    while end > rows.start:
        begin = max(rows.start, end - stretch)
        wanted = {round(float(time_s[r]), 6): r for r in range(begin, end)}
        kept = [
            (wanted[key], frame.rgb)
            for frame in read_frames(path, float(time_s[begin]), float(time_s[end - 1]))
            if (key := round(frame.time_s, 6)) in wanted
        ]
        yield from reversed(kept)
        end = begin


@dataclass(frozen=True)
class _Pose:
    row: int
    xy: NDArray[np.float64]
    score: NDArray[np.float64]
    hip_xy: NDArray[np.float64]
    radius_px: float
    colours: Colours | None


def follow_back(
    path: Path,
    time_s: NDArray[np.float64],
    athlete: PersonTrack,
    backend: PoseBackend,
    detector: Callable[[], PersonDetector],
    fps_hz: float,
    frame_bytes: int,
) -> PersonTrack:
    """The athlete's track with the poses found before its first one put in front (see the module);
    `detector` makes the person detector, when one is needed (most clips follow the athlete back without)."""
    first = int(athlete.rows[0])
    if first == 0 or len(athlete.rows) < CLOTHES_WINDOW:
        return athlete
    reach = math.ceil(LONG_BACKFILL_S * (fps_hz if fps_hz > 0 else 30.0))
    names = backend.names
    own_rows = {int(r): i for i, r in enumerate(athlete.rows[:CLOTHES_WINDOW])}
    own_colours: dict[int, Colours | None] = {}
    region = region_from_pose(PoseEstimate(athlete.xy[0], athlete.score[0], 1.0, None), names)
    hip, radius = athlete.hip_xy[0], float(athlete.radius_px[0])
    found: list[_Pose] = []
    rows = range(max(0, first - reach), int(athlete.rows[CLOTHES_WINDOW - 1]) + 1)
    for row, image in frames_backwards(path, time_s, rows, frame_bytes):
        height, width = image.shape[:2]
        if row >= first:  # his own first poses: what he wears
            if row in own_rows:
                own_colours[row] = clothes(image, athlete.xy[own_rows[row]], names)
            if row == first:  # the model's own region from his first pose
                refit = backend.estimate(image, region)
                if refit is not None and _usable(refit, names, width, height):
                    region = region_from_pose(refit, names)
            continue
        estimate = backend.estimate(image, region)
        if not _usable(estimate, names, width, height):
            estimate = look_again(detector(), functools.partial(backend.estimate, image), image, hip, radius, names)
        if estimate is None or not _usable(estimate, names, width, height):
            log.debug("followed back to row %d: lost by the model", row + 1)
            break
        scores = _scores_inside(estimate, width, height)
        if max(scores[names.index("left_ankle")], scores[names.index("right_ankle")]) < ANKLE_SEEN:
            log.debug("followed back to row %d: the legs are not seen", row + 1)
            break
        moved = float(np.hypot(*(estimate.hip_centre(names) - hip)))
        if moved > SAME_PERSON_RADII * radius:
            log.debug("followed back to row %d: the hips jump %.0f px", row + 1, moved)
            break
        hip, radius = estimate.hip_centre(names), body_radius_px(estimate.xy, names, radius)
        found.append(
            _Pose(
                row,
                estimate.xy,
                scores,
                hip,
                radius,
                clothes(image, estimate.xy, names),
            )
        )
        region = region_from_pose(estimate, names)
    kept = _his(found[::-1], athlete, own_colours)
    log.info("athlete followed back from row %d to row %d", first, kept[0].row if kept else first)
    if not kept:
        return athlete
    new_rows = np.array([p.row for p in kept], dtype=np.int64)
    return replace(
        athlete,
        rows=np.concatenate([new_rows, athlete.rows]),
        time_s=np.concatenate([time_s[new_rows], athlete.time_s]),
        xy=np.concatenate([np.array([p.xy for p in kept]), athlete.xy]),
        score=np.concatenate([np.array([p.score for p in kept]), athlete.score]),
        hip_xy=np.concatenate([np.array([p.hip_xy for p in kept]), athlete.hip_xy]),
        radius_px=np.concatenate([np.array([p.radius_px for p in kept]), athlete.radius_px]),
    )


def _his(found: list[_Pose], athlete: PersonTrack, own_colours: dict[int, Colours | None]) -> list[_Pose]:
    """The poses followed back (in time order) that lead into the athlete's own without a change of
    clothes (people.split_where_clothes_change over them and his first CLOTHES_WINDOW poses)."""
    if not found:
        return []
    own = range(CLOTHES_WINDOW)
    segment = Segment(
        rows=[p.row for p in found] + [int(athlete.rows[i]) for i in own],
        time_s=[0.0] * len(found) + [float(athlete.time_s[i]) for i in own],
        xy=[p.xy for p in found] + [athlete.xy[i] for i in own],
        score=[p.score for p in found] + [athlete.score[i] for i in own],
        hip_xy=[p.hip_xy for p in found] + [athlete.hip_xy[i] for i in own],
        radius_px=[p.radius_px for p in found] + [float(athlete.radius_px[i]) for i in own],
        colours=[p.colours for p in found] + [own_colours.get(int(athlete.rows[i])) for i in own],
    )
    start = split_where_clothes_change(segment)[-1].rows[0]
    return [p for p in found if p.row >= start]

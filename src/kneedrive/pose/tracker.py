"""Follow the chosen athlete frame by frame with the landmark model, never switching to someone else.

While the backend tracks (its region comes from its previous answer), each answer is checked against the
athlete's track from the people scan: a hip centre further than MAX_OFFSET_RADII body radii from where the
athlete should be means the model slid onto someone else, and the detector is asked again, keeping only
the detection nearest the athlete's expected position.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from PIL import Image

from ..io.video import VideoFrame
from .backend import PoseBackend, PoseEstimate
from .detector import PersonDetection, PersonDetector
from .people import PersonTrack

MAX_OFFSET_RADII = 0.9
#: A pose whose hip centre is closer than this (in torso lengths) to the image's edge is a person half out
#: of view: the model guesses the missing half, so the frame counts as one without a pose.
EDGE_MARGIN_TORSOS = 1.0


@dataclass(frozen=True)
class TrackedPose:
    """Per frame: time, keypoints (NaN where no pose), scores (0 where no pose)."""

    time_s: NDArray[np.float64]
    xy: NDArray[np.float64]
    score: NDArray[np.float64]
    detections_run: int

    @property
    def frames_without_pose(self) -> int:
        return int(np.sum(~np.any(np.isfinite(self.xy[:, :, 0]), axis=1)))


def _consistent(
    estimate: PoseEstimate | None, names: tuple[str, ...], expected: tuple[NDArray[np.float64], float]
) -> bool:
    if estimate is None:
        return False
    hip, radius = expected
    return float(np.hypot(*(estimate.hip_centre(names) - hip))) <= MAX_OFFSET_RADII * radius


def _nearest(detections: list[PersonDetection], expected: tuple[NDArray[np.float64], float]) -> PersonDetection | None:
    hip, radius = expected
    scored = [(float(np.hypot(*(np.array(d.hip_xy) - hip))), d) for d in detections]
    scored = [(dist, d) for dist, d in scored if dist <= MAX_OFFSET_RADII * radius]
    return min(scored, key=lambda pair: pair[0])[1] if scored else None


def _inside(estimate: PoseEstimate, names: tuple[str, ...], width_px: int, height_px: int) -> PoseEstimate | None:
    """Keypoints outside the image are the model's guesses: score 0 (the analysis drops them); a person
    half out of view (hip centre at the edge) is no pose at all."""
    hip = estimate.hip_centre(names)
    if "left_shoulder" in names and "right_shoulder" in names:
        shoulders = (estimate.xy[names.index("left_shoulder")] + estimate.xy[names.index("right_shoulder")]) / 2
        margin = EDGE_MARGIN_TORSOS * float(np.hypot(*(shoulders - hip)))
        if min(hip[0], hip[1], width_px - hip[0], height_px - hip[1]) < margin:
            return None
    x, y = estimate.xy[:, 0], estimate.xy[:, 1]
    outside = (x < 0) | (y < 0) | (x >= width_px) | (y >= height_px)
    if not np.any(outside):
        return estimate
    return PoseEstimate(xy=estimate.xy, score=np.where(outside, 0.0, estimate.score), presence=estimate.presence)


def _someone_else(
    estimate: PoseEstimate, names: tuple[str, ...], others: tuple[PersonTrack, ...], time_s: float
) -> bool:
    for other in others:
        expected = other.expected_at(time_s)
        if expected is not None and _consistent(estimate, names, expected):
            return True
    return False


def follow_athlete(
    frames: Iterable[VideoFrame],
    athlete: PersonTrack,
    detector: PersonDetector,
    backend: PoseBackend,
    *,
    others: tuple[PersonTrack, ...] = (),
    on_frame: Callable[[int], None] | None = None,
) -> TrackedPose:
    """The athlete's pose in every frame. Past the end of the athlete's scanned track (the detector often
    misses a person leaving the frame) the backend keeps following as long as it is sure of a person who is
    not where one of the `others` should be."""
    names = backend.names
    times: list[float] = []
    xys: list[NDArray[np.float64]] = []
    scores: list[NDArray[np.float64]] = []
    missing_xy = np.full((len(names), 2), np.nan)
    missing_score = np.zeros(len(names))
    detections_run = 0
    backend.reset()
    for frame in frames:
        expected = athlete.expected_at(frame.time_s)
        estimate: PoseEstimate | None = None
        if expected is None or frame.time_s > athlete.last_s:
            if frame.time_s > athlete.last_s:
                estimate = backend.estimate(Image.fromarray(frame.rgb), None)
                if estimate is not None and _someone_else(estimate, names, others, frame.time_s):
                    estimate = None
            if estimate is None:
                backend.reset()
        else:
            image = Image.fromarray(frame.rgb)
            estimate = backend.estimate(image, None)
            if not _consistent(estimate, names, expected):
                detections_run += 1
                seed = _nearest(detector.detect(image), expected)
                estimate = backend.estimate(image, seed) if seed is not None else None
                if not _consistent(estimate, names, expected):
                    estimate = None
                    backend.reset()
        if estimate is not None:
            estimate = _inside(estimate, names, frame.rgb.shape[1], frame.rgb.shape[0])
        times.append(frame.time_s)
        xys.append(estimate.xy if estimate is not None else missing_xy)
        scores.append(estimate.score if estimate is not None else missing_score)
        if on_frame is not None:
            on_frame(frame.index)
    return TrackedPose(
        time_s=np.asarray(times, dtype=np.float64),
        xy=np.asarray(xys, dtype=np.float64).reshape(len(times), len(names), 2),
        score=np.asarray(scores, dtype=np.float64).reshape(len(times), len(names)),
        detections_run=detections_run,
    )

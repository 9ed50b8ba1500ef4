"""Video -> PoseSequence of the athlete: people scan, athlete choice, landmark tracking, quality figures."""

from __future__ import annotations

import contextlib
import functools
import logging
import math
import queue
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, TypeVar

import numpy as np
from numpy.typing import NDArray

from ..errors import InputError
from ..io.video import VideoFrame, VideoInfo, probe, read_frames
from ..sequence import PoseSequence
from . import cache
from .backend import PoseBackend
from .blazepose import BlazePoseFull
from .camera import CameraMotion, CameraMotionEstimator
from .detector import PersonDetector
from .follow_back import follow_back
from .litert import bundled_model
from .people import PeopleScan, choose_preview, rank, stitch
from .ramp import find_speed_changes
from .repeats import RepeatedFrames, shown_times
from .timing import Source, Timing, judge_slow_motion, known_timing, ramp_timing
from .tracker import NEWCOMER_S, follow_people

log = logging.getLogger(__name__)

#: The person detector looks for newcomers about this often (and on every frame while nobody is followed).
DETECT_RATE_HZ = 3.0
#: People other than the most active one are followed about this often.
SPARSE_RATE_HZ = 3.0
#: A person found late who moves is followed back in time this far (s); the frames kept for it (this much
#: plus the tracker's NEWCOMER_S) take at most BACKFILL_BYTES.
BACKFILL_S = 0.6
#: The most active person, lost inside the image, is searched for in every frame for this long (s): on the
#: panning race the lead runner is lost for about 0.7 s among the others (see pose.tracker). Counted in
#: frames kept at the file's rate, so in an export whose repeated images are left out it lasts longer
#: (3 s when two images in three repeat), as the backfill limits do.
SEARCH_S = 1.0
BACKFILL_BYTES = 150_000_000

#: progress(phase, frames done, frames expected); one phase, "pose".
Progress = Callable[[str, int, int], None]

T = TypeVar("T")


@dataclass(frozen=True)
class VideoPose:
    """The athlete's keypoints from a video, and how trustworthy they are. `sequence` runs from the first
    to the last frame with a pose; `frames_decoded` counts every frame of the chosen time range."""

    sequence: PoseSequence
    info: VideoInfo
    person: int
    people: int
    frames_decoded: int
    frames_without_pose: int
    model_id: str
    cache_hit: bool
    warnings: tuple[str, ...] = ()
    #: The camera's motion over the sequence's rows: keypoints are in the ground frame when it moved.
    camera: CameraMotion | None = None
    #: Repeated images left out (a paused player, an export repeating images).
    frames_repeated: int = 0
    timing: Timing | None = None

    def file_time_s(self, time_s: float) -> float:
        """The video file's time of a sequence time (they differ when slow motion was rescaled)."""
        scale = self.timing.time_scale if self.timing is not None else 1.0
        return time_s / scale

    def image_xy(self, xy: NDArray[np.float64]) -> NDArray[np.float64]:
        """Points (N, K, 2) of the sequence's rows, in the sequence's frame, back in image pixels."""
        if self.camera is None or not self.camera.in_ground_frame:
            return xy
        return self.camera.image_xy(xy)

    def keypoint_confidence(self) -> dict[str, float]:
        """Mean score per keypoint over the frames with a pose."""
        seen = np.any(np.isfinite(self.sequence.xy[:, :, 0]), axis=1)
        if not np.any(seen):
            return {name: 0.0 for name in self.sequence.names}
        means = self.sequence.score[seen].mean(axis=0)
        return {name: round(float(m), 3) for name, m in zip(self.sequence.names, means, strict=True)}

    def to_dict(self) -> dict[str, Any]:
        """The analysis JSON's "video" block."""
        return {
            "path": self.info.path,
            "width": self.info.width,
            "height": self.info.height,
            "fps_hz": self.info.fps_hz,
            "codec": self.info.codec,
            "rotation_deg": self.info.rotation_deg,
            "frames": self.frames_decoded,
            "frames_without_pose": self.frames_without_pose,
            "pose_start_s": self.file_time_s(float(self.sequence.time_s[0])),  # where it is in the file
            "pose_end_s": self.file_time_s(float(self.sequence.time_s[-1])),
            "keypoint_confidence": self.keypoint_confidence(),
            "person": self.person,
            "people": self.people,
            "model": self.model_id,
            "cache_hit": self.cache_hit,
            "frames_repeated": self.frames_repeated,
            "camera": self.camera.to_dict() if self.camera is not None else None,
            "timing": self.timing.to_dict() if self.timing is not None else None,
        }


def prefetch(items: Iterator[T], depth: int = 4) -> Iterator[T]:
    """Run an iterator (video decode) in a thread, `depth` items ahead, so that decoding overlaps the
    model; errors in the thread are raised here."""
    box: queue.Queue[tuple[str, Any]] = queue.Queue(maxsize=depth)
    stop = threading.Event()

    def produce() -> None:
        try:
            for item in items:
                if stop.is_set():
                    return
                box.put(("item", item))
            box.put(("end", None))
        except BaseException as exc:
            box.put(("error", exc))

    worker = threading.Thread(target=produce, name="kneedrive-decode", daemon=True)
    worker.start()
    try:
        while True:
            kind, value = box.get()
            if kind == "end":
                return
            if kind == "error":
                raise value
            yield value
    finally:
        stop.set()
        while worker.is_alive():  # unblock a producer waiting on a full queue
            with contextlib.suppress(queue.Empty):
                box.get(timeout=0.05)


def _frames_expected(info: VideoInfo, start_s: float | None, end_s: float | None) -> int:
    begin = max(start_s or 0.0, 0.0)
    end = min(end_s if end_s is not None else info.duration_s, info.duration_s)
    return max(1, round((end - begin) * info.fps_hz)) if info.fps_hz > 0 else max(info.n_frames, 1)


def find_people(
    path: Path,
    *,
    start_s: float | None = None,
    end_s: float | None = None,
    backend: PoseBackend | None = None,
    progress: Progress | None = None,
    track_camera: bool = True,
) -> tuple[VideoInfo, PeopleScan]:
    """Follow everyone in a video (one pass) and rank them, the athlete first; repeated images are left out
    and the camera's motion is measured in the same pass (`track_camera`)."""
    info = probe(path)
    scan = _follow_everyone(
        path, info, start_s=start_s, end_s=end_s, backend=backend, progress=progress, track_camera=track_camera
    )
    return info, scan


def _follow_everyone(
    path: Path,
    info: VideoInfo,
    *,
    start_s: float | None,
    end_s: float | None,
    backend: PoseBackend | None,
    progress: Progress | None,
    track_camera: bool = True,
    capture_fps: float | None = None,
) -> PeopleScan:
    """find_people on a video already probed (`info`)."""
    detector = PersonDetector(bundled_model("detector"))
    backend = backend or BlazePoseFull()
    every = max(1, round(info.fps_hz / DETECT_RATE_HZ)) if info.fps_hz > 0 else 1
    total = _frames_expected(info, start_s, end_s)
    done = [0]

    def tick(index: int) -> None:
        done[0] += 1
        if progress is not None:
            progress("pose", done[0], total)

    camera = CameraMotionEstimator() if track_camera else None
    repeats = RepeatedFrames()

    def measured(decoded: Iterator[VideoFrame]) -> Iterator[VideoFrame]:
        for frame in decoded:  # in the decode thread, beside the pose model
            if camera is not None:
                camera.measure(frame.index, frame.rgb)
            yield frame

    frames = prefetch(measured(read_frames(path, start_s, end_s)))
    sparse = max(1, round(info.fps_hz / SPARSE_RATE_HZ)) if info.fps_hz > 0 else 1
    # Frames kept for following newcomers back: BACKFILL_S before they were found plus the NEWCOMER_S it
    # takes to see whether they move, within BACKFILL_BYTES.
    fps = info.fps_hz if info.fps_hz > 0 else 30.0
    affordable = max(2, BACKFILL_BYTES // max(info.width * info.height * 3, 1))
    newcomer = min(math.ceil(NEWCOMER_S * fps) + 1, affordable // 2)
    backfill = max(1, min(round(BACKFILL_S * fps), affordable - newcomer))
    followed = follow_people(
        frames,
        detector,
        backend,
        detect_every=every,
        sparse_every=sparse,
        backfill_frames=backfill,
        newcomer_frames=newcomer,
        on_frame=tick,
        camera=camera,
        repeats=repeats,
        search_frames=math.ceil(SEARCH_S * fps),
    )
    if repeats.dropped:
        log.info("%d repeated images left out", repeats.dropped)
    clock = _body_clock(followed.time_s, info, capture_fps)
    tracks = rank(stitch(list(followed.segments), clock=clock), backend.names, len(followed.time_s))
    log.info("people: %s", [(t.number, round(t.activity, 2)) for t in tracks])
    preview_row, preview = choose_preview(tracks, followed.previews, within_rows=sparse // 2)
    return PeopleScan(
        tracks=tracks,
        time_s=followed.time_s,
        preview=preview,
        preview_row=preview_row,
        preview_scale=followed.preview_scale,
        preview_within_rows=sparse // 2,
        camera=camera.result() if camera is not None else None,
        frames_repeated=repeats.dropped,
    )


def _body_clock(time_s: NDArray[np.float64], info: VideoInfo, capture_fps: float | None) -> float:
    """Real seconds per second of the file, as far as it is known before the athlete's pose: from the capture
    rate (given, else in the file's metadata), else from an edit that shows every image N times (1/N); 1
    when neither says (slow motion judged from the legs' rhythm comes after, see pose.timing)."""
    known = known_timing(info.fps_hz, capture_fps or info.capture_fps_hz, None)
    if known.capture_fps_hz is not None:
        return known.time_scale
    repeats = shown_times(time_s, info.fps_hz)
    return 1.0 / repeats if repeats else 1.0


def estimate_pose(
    path: Path,
    *,
    start_s: float | None = None,
    end_s: float | None = None,
    person: int | None = None,
    backend: PoseBackend | None = None,
    use_cache: bool = True,
    progress: Progress | None = None,
    capture_fps: float | None = None,
    track_camera: bool = True,
) -> VideoPose:
    """The athlete's keypoints in a video (see the README: one pass following everyone, athlete choice,
    cache), in a frame fixed to the ground when the camera moves, with time rescaled to real time when the
    capture rate is known (`capture_fps`, else the file's metadata)."""
    if capture_fps is not None and not (math.isfinite(capture_fps) and 1.0 <= capture_fps <= 2000.0):
        raise InputError(f"--capture-fps must be a frame rate between 1 and 2000, got {capture_fps}")
    path = Path(path)
    info = probe(path)
    backend = backend or BlazePoseFull()
    key = ""
    if use_cache:
        options = {
            "start_s": start_s,
            "end_s": end_s,
            "person": person,
            "camera": track_camera,
            "capture_fps": capture_fps,  # the people are joined on the body's clock (see _body_clock)
        }
        key = cache.cache_key(cache.file_sha256(path), backend.model_id, options)
        hit = cache.load(key, len(backend.names))
        if hit is not None:
            log.info("pose cache hit %s", key)
            return _video_pose(path, info, hit, backend, cache_hit=True, capture_fps=capture_fps)
    scan = _follow_everyone(
        path,
        info,
        start_s=start_s,
        end_s=end_s,
        backend=backend,
        progress=progress,
        track_camera=track_camera,
        capture_fps=capture_fps,
    )
    athlete = follow_back(
        path,
        scan.time_s,
        scan.athlete(person),
        backend,
        functools.cache(lambda: PersonDetector(bundled_model("detector"))),
        info.fps_hz,
        info.width * info.height * 3,
    )
    n, k = len(scan.time_s), len(backend.names)
    xy = np.full((n, k, 2), np.nan)
    score = np.zeros((n, k))
    xy[athlete.rows], score[athlete.rows] = athlete.xy, athlete.score
    result = cache.CachedPose(
        time_s=scan.time_s,
        xy=xy,
        score=score,
        meta={
            "person": athlete.number,
            "people": len(scan.tracks),
            "whole_clip": start_s is None and end_s is None,
            "frames_repeated": scan.frames_repeated,
            "camera": scan.camera.to_dict() if scan.camera is not None else None,
        },
        camera=scan.camera.to_ground if scan.camera is not None and scan.camera.moving else None,
    )
    if use_cache:
        cache.store(key, result)
    return _video_pose(path, info, result, backend, cache_hit=False, capture_fps=capture_fps)


def _camera(pose: cache.CachedPose) -> CameraMotion | None:
    described = pose.meta.get("camera")
    if described is None:
        return None
    if pose.camera is None:
        return CameraMotion.fixed(len(pose.time_s))
    return CameraMotion(
        pose.camera,
        described["kind"],
        float(described["pan_px"]),
        float(described["scale_change"]),
        int(described["unmeasured_frames"]),
    )


def _ground_sequence(
    path: Path, pose: cache.CachedPose, span: slice, backend: PoseBackend
) -> tuple[PoseSequence, CameraMotion | None]:
    """The rows `span` of the athlete's pose as a sequence on the file's clock (in the ground frame when the
    camera moved and its motion was measured), and the camera's motion over those rows."""
    camera = _camera(pose)
    xy = pose.xy[span]
    if camera is not None and camera.moving:
        if camera.in_ground_frame:  # an implausible estimate leaves the keypoints in the image (warned below)
            xy = camera.ground_xy(xy, span)
        camera = CameraMotion(
            camera.to_ground[span], camera.kind, camera.pan_px, camera.scale_change, camera.unmeasured_frames
        )
    sequence = PoseSequence(
        time_s=pose.time_s[span],
        xy=xy,
        score=pose.score[span],
        names=backend.names,
        source=str(path),
    )
    return sequence, camera


def _video_pose(
    path: Path,
    info: VideoInfo,
    pose: cache.CachedPose,
    backend: PoseBackend,
    *,
    cache_hit: bool,
    capture_fps: float | None = None,
) -> VideoPose:
    """The sequence spans the first to the last frame with a pose (an athlete walking into view later
    leaves no empty head on the clip); frames without a pose inside that span stay as NaN."""
    seen = np.any(np.isfinite(pose.xy[:, :, 0]) & (pose.score > 0), axis=1)
    if not np.any(seen):
        raise InputError(f"{path}: the athlete's pose was found in no frame")
    first, last = int(np.argmax(seen)), len(seen) - 1 - int(np.argmax(seen[::-1]))
    if last - first + 1 < 2:
        raise InputError(f"{path}: the athlete's pose was found in {last - first + 1} frame; at least 2 are needed")
    span = slice(first, last + 1)
    repeated = int(pose.meta.get("frames_repeated", 0))
    source: Source | None = (
        "given" if capture_fps is not None else "metadata" if info.capture_fps_hz is not None else None
    )
    timing = known_timing(info.fps_hz, capture_fps or info.capture_fps_hz, source)
    sequence, camera = _ground_sequence(path, pose, span, backend)
    changes = find_speed_changes(sequence)
    if changes:  # a slow-motion ramp: only its longest steady part is analysed
        kept = (pose.time_s >= changes[-1].kept_s[0]) & (pose.time_s <= changes[-1].kept_s[1]) & seen
        span = slice(int(np.argmax(kept)), len(kept) - int(np.argmax(kept[::-1])))
        sequence, camera = _ground_sequence(path, pose, span, backend)
        timing = ramp_timing(timing, changes)
    sequence = replace(sequence, time_s=sequence.time_s * timing.time_scale)
    if not timing.suspected_slow_motion:
        timing = judge_slow_motion(timing, sequence, shown_times=shown_times(pose.time_s[span], info.fps_hz))
        if timing.suspected_slow_motion:  # analysed on the estimated real time (its times withheld downstream)
            sequence = replace(sequence, time_s=sequence.time_s * timing.time_scale)
    warnings = []
    if repeated:
        warnings.append(
            f"{repeated} repeated images (a paused player, or an export that shows each image more than once) "
            "were left out"
        )
    if camera is not None and (line := camera.describe()) is not None:
        warnings.append(line)
    if (line := timing.warning()) is not None:
        warnings.append(line)
    expected = _frames_expected(info, None, None) if pose.meta.get("whole_clip") else 0
    if expected and len(seen) + repeated < 0.9 * expected:
        warnings.append(
            f"only {len(seen) + repeated} of the {expected} frames the video announces could be decoded (truncated "
            "file?): the results cover that part only"
        )
    if np.sum(~seen) > len(seen) / 2:
        warnings.append(
            f"the athlete's pose is missing in {int(np.sum(~seen))} of {len(seen)} frames: results cover part of "
            "the clip only"
        )
    return VideoPose(
        sequence=sequence,
        info=info,
        person=int(pose.meta["person"]),
        people=int(pose.meta["people"]),
        frames_decoded=len(seen) + repeated,
        frames_without_pose=int(np.sum(~seen)),
        model_id=backend.model_id,
        cache_hit=cache_hit,
        warnings=tuple(warnings),
        camera=camera,
        frames_repeated=repeated,
        timing=timing,
    )

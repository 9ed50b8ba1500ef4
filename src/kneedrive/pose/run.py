"""Video -> PoseSequence of the athlete: people scan, athlete choice, landmark tracking, quality figures."""

from __future__ import annotations

import contextlib
import logging
import math
import queue
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import numpy as np

from ..errors import InputError
from ..io.video import VideoInfo, probe, read_frames
from ..sequence import PoseSequence
from . import cache
from .backend import PoseBackend
from .blazepose import BlazePoseFull
from .detector import PersonDetector
from .litert import bundled_model
from .people import PeopleScan, choose_preview, rank, stitch
from .tracker import NEWCOMER_S, follow_people

log = logging.getLogger(__name__)

#: The person detector looks for newcomers about this often (and on every frame while nobody is followed).
DETECT_RATE_HZ = 3.0
#: People other than the most active one are followed about this often.
SPARSE_RATE_HZ = 3.0
#: A person found late who moves is followed back in time this far (s); the frames kept for it (this much
#: plus the tracker's NEWCOMER_S) take at most BACKFILL_BYTES.
BACKFILL_S = 0.6
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
            "pose_start_s": float(self.sequence.time_s[0]),
            "pose_end_s": float(self.sequence.time_s[-1]),
            "keypoint_confidence": self.keypoint_confidence(),
            "person": self.person,
            "people": self.people,
            "model": self.model_id,
            "cache_hit": self.cache_hit,
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
) -> tuple[VideoInfo, PeopleScan]:
    """Follow everyone in a video (one pass) and rank them, the athlete first."""
    info = probe(path)
    return info, _follow_everyone(path, info, start_s=start_s, end_s=end_s, backend=backend, progress=progress)


def _follow_everyone(
    path: Path,
    info: VideoInfo,
    *,
    start_s: float | None,
    end_s: float | None,
    backend: PoseBackend | None,
    progress: Progress | None,
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

    frames = prefetch(read_frames(path, start_s, end_s))
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
    )
    tracks = rank(stitch(list(followed.segments)), backend.names, len(followed.time_s))
    log.info("people: %s", [(t.number, round(t.activity, 2)) for t in tracks])
    preview_row, preview = choose_preview(tracks, followed.previews, within_rows=sparse // 2)
    return PeopleScan(
        tracks=tracks,
        time_s=followed.time_s,
        preview=preview,
        preview_row=preview_row,
        preview_scale=followed.preview_scale,
        preview_within_rows=sparse // 2,
    )


def estimate_pose(
    path: Path,
    *,
    start_s: float | None = None,
    end_s: float | None = None,
    person: int | None = None,
    backend: PoseBackend | None = None,
    use_cache: bool = True,
    progress: Progress | None = None,
) -> VideoPose:
    """The athlete's keypoints in a video (see the README: one pass following everyone, athlete choice,
    cache)."""
    path = Path(path)
    info = probe(path)
    backend = backend or BlazePoseFull()
    key = ""
    if use_cache:
        options = {"start_s": start_s, "end_s": end_s, "person": person}
        key = cache.cache_key(cache.file_sha256(path), backend.model_id, options)
        hit = cache.load(key)
        if hit is not None:
            log.info("pose cache hit %s", key)
            return _video_pose(path, info, hit, backend, cache_hit=True)
    scan = _follow_everyone(path, info, start_s=start_s, end_s=end_s, backend=backend, progress=progress)
    athlete = scan.athlete(person)
    n, k = len(scan.time_s), len(backend.names)
    xy = np.full((n, k, 2), np.nan)
    score = np.zeros((n, k))
    xy[athlete.rows], score[athlete.rows] = athlete.xy, athlete.score
    result = cache.CachedPose(
        time_s=scan.time_s,
        xy=xy,
        score=score,
        meta={"person": athlete.number, "people": len(scan.tracks), "whole_clip": start_s is None and end_s is None},
    )
    if use_cache:
        cache.store(key, result)
    return _video_pose(path, info, result, backend, cache_hit=False)


def _video_pose(
    path: Path, info: VideoInfo, pose: cache.CachedPose, backend: PoseBackend, *, cache_hit: bool
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
    sequence = PoseSequence(
        time_s=pose.time_s[span], xy=pose.xy[span], score=pose.score[span], names=backend.names, source=str(path)
    )
    warnings = []
    expected = _frames_expected(info, None, None) if pose.meta.get("whole_clip") else 0
    if expected and len(seen) < 0.9 * expected:
        warnings.append(
            f"only {len(seen)} of the {expected} frames the video announces could be decoded (truncated file?): "
            "the results cover that part only"
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
        frames_decoded=len(seen),
        frames_without_pose=int(np.sum(~seen)),
        model_id=backend.model_id,
        cache_hit=cache_hit,
        warnings=tuple(warnings),
    )

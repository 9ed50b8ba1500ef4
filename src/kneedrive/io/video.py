"""Video decode with PyAV: frames upright (rotation metadata honoured) with their real time stamps.

Phone video is often variable frame rate and stored sideways with a display matrix saying how to turn
it: every frame's time is its own `pts * time_base`, never `index / fps`, and every frame is rotated
as the display matrix says before anyone sees it.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import av
import numpy as np
from numpy.typing import NDArray

from ..errors import InputError
from .formats import VIDEO_SUFFIXES as VIDEO_SUFFIXES

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class VideoInfo:
    """What a video holds. width/height are the upright (displayed) size; rotation_deg is the clockwise
    turn the display matrix asks for (90 for a phone held upright that stores landscape pixels)."""

    path: str
    width: int
    height: int
    fps_hz: float
    n_frames: int
    duration_s: float
    rotation_deg: int
    codec: str
    #: The rate the camera captured at, when the file says so (phones' slow motion: Android's
    #: com.android.capture.fps, a capture-fps tag) and it differs from the file's rate; else None.
    capture_fps_hz: float | None = None


@dataclass(frozen=True)
class VideoFrame:
    """One decoded frame: index in the file, time stamp in seconds from the stream start, upright RGB."""

    index: int
    time_s: float
    rgb: NDArray[np.uint8]


def _open(path: Path) -> av.container.InputContainer:
    path = Path(path)
    if not path.exists():
        raise InputError(f"{path}: no such file")
    if path.is_dir():
        raise InputError(f"{path}: is a folder, not a video")
    try:
        container = av.open(str(path), mode="r")
    except (av.error.FFmpegError, UnicodeDecodeError, ValueError) as exc:
        raise InputError(f"{path}: not a readable video ({_reason(exc)})") from None
    if not container.streams.video:
        container.close()
        raise InputError(f"{path}: holds no video stream")
    return container


def _reason(exc: Exception) -> str:
    text = str(exc).split(":")[0] if isinstance(exc, av.error.FFmpegError) else type(exc).__name__
    return getattr(exc, "strerror", None) or text


def _clockwise_deg(frame: av.VideoFrame) -> int:
    """The clockwise display rotation of a frame, snapped to a multiple of 90 degrees."""
    counter_clockwise = float(getattr(frame, "rotation", 0) or 0)
    return round(-counter_clockwise / 90.0) % 4 * 90


def _upright(rgb: NDArray[np.uint8], clockwise_deg: int) -> NDArray[np.uint8]:
    if clockwise_deg == 0:
        return rgb
    return np.ascontiguousarray(np.rot90(rgb, k=-(clockwise_deg // 90)))


def probe(path: Path) -> VideoInfo:
    """Size (upright), frame rate, frame count, duration, rotation and codec of a video.

    Decodes the first frame (the display matrix reaches us with the frames) but nothing more.
    """
    path = Path(path)
    container = _open(path)
    try:
        stream = container.streams.video[0]
        rate = stream.average_rate or stream.guessed_rate or stream.base_rate
        fps_hz = float(rate) if rate else 0.0
        if stream.duration is not None and stream.time_base is not None:
            duration_s = float(stream.duration * stream.time_base)
        elif container.duration is not None:
            duration_s = container.duration / 1_000_000
        else:
            duration_s = 0.0
        n_frames = int(stream.frames) or round(duration_s * fps_hz)
        first = next(_decode(container, path), None)
        if first is None:
            raise InputError(f"{path}: the video holds no decodable frame")
        rotation = _clockwise_deg(first)
        width, height = int(first.width), int(first.height)
        if rotation in (90, 270):
            width, height = height, width
        return VideoInfo(
            path=str(path),
            width=width,
            height=height,
            fps_hz=fps_hz,
            n_frames=n_frames,
            duration_s=duration_s,
            rotation_deg=rotation,
            codec=stream.codec_context.name,
            capture_fps_hz=_capture_fps(container, stream, fps_hz),
        )
    finally:
        container.close()


#: Metadata keys (lower case, container or stream) that phones write the capture rate under.
CAPTURE_FPS_KEYS = ("com.android.capture.fps", "com.apple.quicktime.capture-fps", "capture_fps", "capture-fps")


def _capture_fps(
    container: av.container.InputContainer, stream: av.video.stream.VideoStream, fps_hz: float
) -> float | None:
    """The capture rate the metadata gives, when it is a frame rate and not the file's own."""
    for tags in (stream.metadata, container.metadata):
        for key, value in tags.items():
            if key.lower() not in CAPTURE_FPS_KEYS:
                continue
            try:
                rate = float(str(value).strip())
            except ValueError:
                log.warning("capture rate metadata %s=%r is not a number; ignored", key, value)
                continue
            if 1.0 <= rate <= 2000.0 and (fps_hz <= 0 or abs(rate / fps_hz - 1) > 0.02):
                return rate
    return None


def _decode(container: av.container.InputContainer, path: Path) -> Iterator[av.VideoFrame]:
    stream = container.streams.video[0]
    stream.thread_type = "AUTO"
    try:
        yield from container.decode(stream)
    except av.error.FFmpegError as exc:
        raise InputError(f"{path}: the video is corrupt or truncated ({_reason(exc)})") from None


def read_frames(
    path: Path,
    start_s: float | None = None,
    end_s: float | None = None,
    *,
    max_side_px: int | None = None,
    every: int = 1,
) -> Iterator[VideoFrame]:
    """Decode upright RGB frames with their own time stamps, from start_s to end_s (seconds, inclusive).

    Streaming: one frame in memory at a time. `max_side_px` shrinks frames while converting (cheap
    previews and person scans); `every` > 1 converts and yields only every n-th frame of the trimmed clip
    (all frames are still decoded). Frame indices count every frame of the file, also the trimmed ones.
    """
    path = Path(path)
    if start_s is not None and end_s is not None and end_s <= start_s:
        raise InputError(f"--end ({end_s} s) must be after --start ({start_s} s)")
    container = _open(path)
    try:
        stream = container.streams.video[0]
        time_base = stream.time_base or Fraction(1, 1_000_000)
        origin: float | None = None
        last_time = -np.inf
        kept = 0
        for index, frame in enumerate(_decode(container, path)):
            if frame.pts is None:
                time_s = float(frame.time) if frame.time is not None else index / float(stream.average_rate or 30)
            else:
                time_s = float(frame.pts * time_base)
            if origin is None:
                origin = time_s
            time_s -= origin
            if time_s <= last_time:  # duplicated or out-of-order stamps: keep time strictly increasing
                log.warning("%s: frame %d has a non-increasing time stamp; dropped", path, index)
                continue
            if start_s is not None and time_s < start_s - 1e-6:
                continue
            if end_s is not None and time_s > end_s + 1e-6:
                break
            last_time = time_s
            kept += 1
            if (kept - 1) % every:
                continue
            rotation = _clockwise_deg(frame)
            if max_side_px is not None and max(frame.width, frame.height) > max_side_px:
                scale = max_side_px / max(frame.width, frame.height)
                rgb = frame.to_ndarray(
                    format="rgb24", width=max(2, round(frame.width * scale)), height=max(2, round(frame.height * scale))
                )
            else:
                rgb = frame.to_ndarray(format="rgb24")
            rgb = np.asarray(rgb, dtype=np.uint8)
            yield VideoFrame(index=index, time_s=time_s, rgb=_upright(rgb, rotation))
    finally:
        container.close()

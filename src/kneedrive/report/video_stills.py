"""Key moments on the real video frames: the athlete cropped out of the frame (a small JPEG data URI)
with the skeleton drawn over it.

Used by report.html when the analysis came from a readable video; a report re-rendered from a saved
analysis.json has no image-pixel keypoints and falls back to stick figures. One decode pass from the
earliest to the latest moment asked for; frames are shrunk while decoding, so a 4K clip costs no more
memory than a small one.
"""

from __future__ import annotations

import base64
import io
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from PIL import Image

from ..io.video import probe, read_frames
from .annotated import ImagePose, image_pose
from .keyframes import KeyFrame
from .skeleton import Point, skeleton_svg

if TYPE_CHECKING:
    from .annotated import LiveAnalysis

#: The side of a key-frame image (px; square, cropped around the athlete): sharp on a phone, tens of kB.
STILL_SIDE_PX = 480
JPEG_QUALITY = 78
#: Frames are shrunk to this longer side while decoding (cheap on 4K) before the athlete is cropped out.
DECODE_SIDE_PX = 1280
#: Room around the athlete in a key frame, as a share of the body's size on each side.
ATHLETE_MARGIN = 0.2
#: Fault evidence frames are shown smaller than the key moments.
EVIDENCE_SCALE = 2 / 3


def jpeg_data_uri(image: Image.Image, quality: int = JPEG_QUALITY) -> str:
    buf = io.BytesIO()
    image.save(buf, format="JPEG", quality=quality, optimize=True)
    return "data:image/jpeg;base64," + base64.b64encode(buf.getvalue()).decode("ascii")


def athlete_box(pose: Mapping[str, Point], width_px: int, height_px: int) -> tuple[int, int, int, int]:
    """A square around the athlete (ATHLETE_MARGIN of the body's size on each side), kept inside the frame
    (smaller than the frame's short side only when the athlete is): (left, top, right, bottom)."""
    xs, ys = [p[0] for p in pose.values()], [p[1] for p in pose.values()]
    size = max(max(xs) - min(xs), max(ys) - min(ys)) * (1 + 2 * ATHLETE_MARGIN)
    side = round(min(max(size, 32.0), width_px, height_px))
    cx, cy = (max(xs) + min(xs)) / 2.0, (max(ys) + min(ys)) / 2.0
    left = int(np.clip(round(cx - side / 2.0), 0, width_px - side))
    top = int(np.clip(round(cy - side / 2.0), 0, height_px - side))
    return left, top, left + side, top + side


class VideoStills:
    """Draws report key frames over the video frames of an analysis (see `svgs`)."""

    def __init__(self, video_path: Path, analysis: LiveAnalysis, *, side_px: int = STILL_SIDE_PX) -> None:
        self.video_path = Path(video_path)
        self.info = probe(self.video_path)  # a missing or unreadable video fails here, in one line
        self.pose: ImagePose = image_pose(analysis)  # its rows on the file's time
        video = analysis.video
        self._to_file = (lambda t: t) if video is None else video.file_time_s  # key frames: the analysis's time
        self.side_px = side_px
        self._jpegs: dict[tuple[int, int], str] = {}  # (row, size): two faults seen at one frame share it

    def crops(self, keys: Sequence[KeyFrame], side_px: int) -> list[tuple[Image.Image, dict[str, Point]] | None]:
        """Per key frame: the frame cropped to a square around the athlete at `side_px` (or smaller, when
        the athlete is), with the keypoints in that crop's pixels; None outside the analyzed video span."""
        rows = [self.pose.index_at(self._to_file(k.time_s)) for k in keys]
        frames = self._decode(rows)
        out: list[tuple[Image.Image, dict[str, Point]] | None] = []
        for row in rows:
            frame = None if row is None else frames.get(row)
            crop = None if frame is None or row is None else self._crop(frame, row, side_px)
            out.append(crop)
        return out

    def _decode(self, rows: Sequence[int | None]) -> dict[int, Image.Image]:
        """The analyzed frames at `rows`, in one decode pass."""
        pending = sorted({r for r in rows if r is not None})
        frames: dict[int, Image.Image] = {}
        if not pending:
            return frames
        times = self.pose.time_s
        slack_s = 0.5 / self.info.fps_hz if self.info.fps_hz > 0 else 0.02
        span = (float(times[pending[0]]) - slack_s, float(times[pending[-1]]) + slack_s)
        for frame in read_frames(self.video_path, *span, max_side_px=DECODE_SIDE_PX):
            while pending and abs(float(times[pending[0]]) - frame.time_s) <= 1e-4:
                frames[pending.pop(0)] = Image.fromarray(frame.rgb)
            if not pending:
                break
        return frames

    def _crop(self, frame: Image.Image, row: int, side_px: int) -> tuple[Image.Image, dict[str, Point]] | None:
        """The athlete's square of `frame`, at most `side_px`, and the keypoints in its pixels."""
        scale = frame.width / self.info.width  # decoded size / the size keypoints are measured in
        pose = {name: (x * scale, y * scale) for name, (x, y) in self.pose.at(row).items()}
        if not pose:
            return None
        box = athlete_box(pose, frame.width, frame.height)
        out_px = min(side_px, box[2] - box[0])
        image = frame.crop(box).resize((out_px, out_px), Image.Resampling.LANCZOS)
        zoom = out_px / (box[2] - box[0])
        return image, {name: ((x - box[0]) * zoom, (y - box[1]) * zoom) for name, (x, y) in pose.items()}

    def svgs(self, keys: Sequence[KeyFrame]) -> list[str | None]:
        """An <svg> per key frame: the frame cropped to a square around the athlete, at most `side_px`
        (key moments) or EVIDENCE_SCALE of it (fault evidence); None for a moment outside the analyzed
        video span."""
        rows = [self.pose.index_at(self._to_file(k.time_s)) for k in keys]
        frames = self._decode(rows)
        return [
            self._svg(key, frames.get(row) if row is not None else None, row)
            for key, row in zip(keys, rows, strict=True)
        ]

    def _svg(self, key: KeyFrame, frame: Image.Image | None, row: int | None) -> str | None:
        if frame is None or row is None:
            return None
        side_px = round(self.side_px * (EVIDENCE_SCALE if key.kind == "evidence" else 1.0))
        crop = self._crop(frame, row, side_px)
        if crop is None:
            return None
        image, pose = crop
        out_px = image.width
        if (row, out_px) not in self._jpegs:
            self._jpegs[(row, out_px)] = jpeg_data_uri(image)
        return skeleton_svg(
            pose,
            width_px=out_px,
            height_px=out_px,
            highlight_side=key.side or None,
            readouts=key.readouts,
            background_uri=self._jpegs[(row, out_px)],
            title=f"{key.label} at {self._to_file(key.time_s):.3f} s (video frame)",  # as the player shows it
            css_class="skeleton video-frame",
        )

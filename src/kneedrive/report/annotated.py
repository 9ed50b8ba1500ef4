"""annotated.mp4: the input video with the analysis drawn on it, frame by frame.

On every analyzed frame: the athlete's skeleton (left and right in the report's colours), the joint
angles next to the joints (thigh, knee, ankle dorsiflexion per side; trunk lean), touchdown and toe-off
marked at the foot for a moment around each event, a banner naming each fault around the times it was
seen, and for drills the rep and cycle count. Frames outside the analyzed span are copied through as
they are, so the output has the input's frames, time stamps and size (padded to even for yuv420p).

The skeleton is drawn from the cleaned keypoints the angles are measured on (legs relabelled where the
model swapped them, short gaps filled, low-pass filtered), put back into image pixels: the readouts then
agree with the lines they sit on. Drawn with Pillow's ImageDraw, encoded with PyAV (H.264 when the
libx264 encoder is present, else MPEG-4 Part 2).
"""

from __future__ import annotations

import logging
import math
import os
import tempfile
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

import av
import numpy as np
from numpy.typing import NDArray
from PIL import Image, ImageDraw, ImageFont

from ..io.atomic import default_file_mode
from ..io.video import probe, read_frames
from .skeleton import CENTRE_COLOUR, SIDE_BONES, SIDE_COLOURS, Point

if TYPE_CHECKING:
    from ..drills.rep_metrics import Rep
    from ..kinematics import Kinematics
    from ..kinematics.view import ViewEstimate
    from ..pose import VideoPose
    from ..record import AnalysisRecord


class LiveAnalysis(Protocol):
    """What drawing on the video needs beyond the record: the kinematics in the image's scale and the
    video it came from (kneedrive.Analysis is one)."""

    @property
    def record(self) -> AnalysisRecord: ...

    @property
    def kinematics(self) -> Kinematics: ...

    @property
    def video(self) -> VideoPose | None: ...

    @property
    def view(self) -> ViewEstimate | None: ...


log = logging.getLogger(__name__)

#: Touchdown and toe-off are marked on the frames this close to the event (s).
EVENT_MARK_S = 0.1
#: A fault's banner shows this long around each time it was seen (s): long enough to read at full speed.
FAULT_FLAG_S = 0.4
#: Time stamps are written at this resolution (the mp4 track's time base): exact for 24, 25, 29.97, 30, 50,
#: 59.94, 60, 120 and 240 fps, and within MPEG-4 Part 2's limit (denominator <= 65535).
TIME_BASE = Fraction(1, 60_000)
FAULT_COLOUR = "#c62828"
#: progress(phase, frames done, frames expected), as for the pose stage; phase "video".
Progress = Callable[[str, int, int], None]


@dataclass(frozen=True)
class ImagePose:
    """The athlete's cleaned keypoints in image pixels (x right, y down), one row per analyzed frame."""

    time_s: NDArray[np.float64]
    points: Mapping[str, NDArray[np.float64]]
    slack_s: float  # half the median frame interval: how far from a frame time still counts as that frame

    def index_at(self, time_s: float) -> int | None:
        """The analyzed frame nearest `time_s` (a repeated image's: the one it repeats), or None outside the
        analyzed span."""
        if len(self.time_s) == 0:
            return None
        i = int(np.clip(np.searchsorted(self.time_s, time_s), 1, len(self.time_s) - 1)) if len(self.time_s) > 1 else 0
        # the later frame on a tie: an event timed between two frames is shown on the one after it
        if i > 0 and abs(self.time_s[i - 1] - time_s) < abs(self.time_s[i] - time_s) - 1e-9:
            i -= 1
        if abs(self.time_s[i] - time_s) <= self.slack_s + 1e-6:
            return i
        # inside the span, a frame with no row of its own is a repeated image left out (pose.repeats): it
        # shows the image of the frame before it, so its pose (the overlay does not flicker off for a frame)
        if self.time_s[0] < time_s < self.time_s[-1]:
            return int(np.searchsorted(self.time_s, time_s, side="right")) - 1
        return None

    def at(self, i: int) -> dict[str, Point]:
        return {name: (float(p[i, 0]), float(p[i, 1])) for name, p in self.points.items() if np.all(np.isfinite(p[i]))}


def image_pose(analysis: LiveAnalysis) -> ImagePose:
    """Kinematics points (leg lengths, x toward travel, y up) back to image pixels: the kinematics stage
    only flips and scales them (kneedrive.kinematics.build), so this is exact."""
    kin = analysis.kinematics
    scale = np.array([kin.direction * kin.leg_length_units, -kin.leg_length_units])
    time_s = np.asarray(kin.time_s, dtype=float)
    points = {name: p * scale for name, p in kin.points.items()}
    if analysis.video is not None:  # ground frame and real time (moving camera, slow motion) -> the file's
        video = analysis.video
        time_s = np.array([video.file_time_s(t) for t in time_s])
        names = list(points)
        stacked = video.image_xy(np.stack([points[n] for n in names], axis=1))
        points = {n: stacked[:, i] for i, n in enumerate(names)}
    slack_s = float(np.median(np.diff(time_s))) / 2.0 if len(time_s) > 1 else 1e-3
    return ImagePose(time_s, points, slack_s)


@dataclass(frozen=True)
class Overlay:
    """Everything drawn on the video, looked up by frame time."""

    pose: ImagePose
    angles: Mapping[str, NDArray[np.float64]]
    events: tuple[tuple[float, str, str], ...]  # (time_s, side, kind)
    faults: tuple[tuple[str, tuple[float, ...]], ...]  # (title, times seen)
    reps: tuple[Rep, ...]  # drills only (a sprint has no rep counter)
    #: The analyzed frames' times, and the span whose side-view angles may be shown (None: all of them);
    #: a front or oblique view, or the part of a clip not seen side-on, shows no sagittal angle.
    time_s: NDArray[np.float64] | None = None
    side_on_s: tuple[float, float] | None = None
    #: The analysis's seconds per file second (slow motion rescaled): events and faults are kept in the
    #: file's time, the reps in the analysis's.
    time_scale: float = 1.0

    @classmethod
    def of(cls, analysis: LiveAnalysis) -> Overlay:
        record = analysis.record
        video = analysis.video
        to_file = (lambda t: t) if video is None else video.file_time_s
        faults = tuple((f.title, tuple(to_file(float(t)) for t in f.evidence.times_s)) for f in record.coaching.faults)
        view = analysis.view
        side_on = None if view is None else (-math.inf, -math.inf) if view.view != "side" else view.side_part_s
        return cls(
            pose=image_pose(analysis),
            angles=analysis.kinematics.angles,
            events=tuple((to_file(e.time_s), e.side, e.kind) for e in record.events),
            faults=faults,
            reps=record.drill.reps if record.is_drill else (),
            time_s=analysis.kinematics.time_s,
            side_on_s=side_on,
            time_scale=1.0 if video is None or video.timing is None else video.timing.time_scale,
        )

    def angle(self, name: str, i: int) -> float | None:
        values = self.angles.get(name)
        if self.side_on_s is not None and self.time_s is not None:
            lo, hi = self.side_on_s
            if not lo <= float(self.time_s[i]) <= hi:
                return None
        return None if values is None or not np.isfinite(values[i]) else float(values[i])

    def readouts(self, i: int) -> list[tuple[str, str, str]]:
        """(keypoint, text, side) of the angle readouts at analyzed frame i."""
        out = []
        for side in ("left", "right"):
            for joint, angle, label, sign in (
                ("hip", "thigh_angle_deg", "thigh", ""),
                ("knee", "knee_flexion_deg", "knee", ""),
                ("ankle", "ankle_dorsiflexion_deg", "ankle", "+"),
            ):
                value = self.angle(f"{side}_{angle}", i)
                if value is not None:
                    out.append((f"{side}_{joint}", f"{label} {value:{sign}.0f}°", side))
        trunk = self.angle("trunk_lean_deg", i)
        if trunk is not None:
            out.append(("shoulder", f"trunk {trunk:+.0f}°", ""))
        return out

    def rep_counter(self, file_time_s: float) -> str | None:
        time_s = file_time_s * self.time_scale
        for number, rep in enumerate(self.reps, start=1):
            if float(rep.start_s) <= time_s <= float(rep.end_s):
                cycles = rep.cycles_detail
                done = sum(1 for c in cycles if c.end_s is not None and float(c.end_s) <= time_s)
                return f"Rep {number} of {len(self.reps)}, cycle {min(done + 1, len(cycles) or 1)} of {len(cycles)}"
        return None


@cache
def _font(size_px: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    return ImageFont.load_default(size=size_px)


class _Labels:
    """Places text labels so that none overlaps another: each tries its preferred spot, then spots a line
    above and below it; a label with no free spot is dropped (labels are placed most important first)."""

    def __init__(self, draw: ImageDraw.ImageDraw, font: Any, stroke_px: int) -> None:
        self.draw, self.font, self.stroke_px = draw, font, stroke_px
        self.taken: list[tuple[float, float, float, float]] = []

    def place(self, at: Point, text: str, *, anchor: str, fill: str, stroke: str) -> bool:
        left, top, right, bottom = self.draw.textbbox((0, 0), text, font=self.font, anchor=anchor)
        step = (bottom - top) + 2 * self.stroke_px
        for dy in (0.0, -step, step, -2 * step, 2 * step):
            box = (at[0] + left - 2, at[1] + dy + top - 2, at[0] + right + 2, at[1] + dy + bottom + 2)
            if not any(box[0] < b[2] and b[0] < box[2] and box[1] < b[3] and b[1] < box[3] for b in self.taken):
                self.taken.append(box)
                self.draw.text(
                    (at[0], at[1] + dy), text, font=self.font, fill=fill, anchor=anchor,
                    stroke_width=self.stroke_px, stroke_fill=stroke,
                )  # fmt: skip
                return True
        return False


def draw_overlay(image: Image.Image, overlay: Overlay, time_s: float) -> bool:
    """Draw the analysis at `time_s` on `image` (in place). False when the time is outside the analysis."""
    i = overlay.pose.index_at(time_s)
    if i is None:
        return False
    draw = ImageDraw.Draw(image)
    line_px = max(2, round(min(image.size) / 160))
    font_px = max(12, round(min(image.size) / 28))
    font = _font(font_px)
    pose = overlay.pose.at(i)
    _skeleton(draw, pose, line_px)
    labels = _Labels(draw, font, max(2, line_px // 2))
    nearest: dict[str, tuple[float, str, str]] = {}  # per foot, only its event nearest this frame
    for event in overlay.events:
        if abs(event[0] - time_s) <= EVENT_MARK_S and (
            event[1] not in nearest or abs(event[0] - time_s) < abs(nearest[event[1]][0] - time_s)
        ):
            nearest[event[1]] = event
    for _, side, kind in nearest.values():  # the events first: they matter most at their frame
        foot = _mid(pose, f"{side}_heel", f"{side}_foot_index") or pose.get(f"{side}_ankle")
        if foot is not None:
            r = 4 * line_px
            draw.ellipse(
                (foot[0] - r, foot[1] - r, foot[0] + r, foot[1] + r), outline=SIDE_COLOURS[side], width=line_px
            )
            label = f"{'Touchdown' if kind == 'touchdown' else 'Toe-off'}, {side}"
            labels.place(
                (foot[0], foot[1] + r + line_px), label, anchor="mt", fill=SIDE_COLOURS[side], stroke="#ffffff"
            )
    for name, text, side in overlay.readouts(i):
        at = _mid(pose, "left_shoulder", "right_shoulder") if name == "shoulder" else pose.get(name)
        if at is not None:
            colour = SIDE_COLOURS.get(side, "#ffffff")
            dx = -2 * line_px if side == "left" else 2 * line_px
            labels.place(
                (at[0] + dx, at[1]), text, anchor="rm" if side == "left" else "lm", fill=colour,
                stroke="#ffffff" if side else "#000000",
            )  # fmt: skip
    banners = [
        f"Fault: {title}" for title, times in overlay.faults if any(abs(t - time_s) <= FAULT_FLAG_S for t in times)
    ]
    counter = overlay.rep_counter(time_s)
    _boxes(draw, font, banners, top=True, fill=FAULT_COLOUR)
    _boxes(draw, font, [counter] if counter else [], top=False, fill="#202020")
    _legend(draw, font)
    return True


def _legend(draw: ImageDraw.ImageDraw, font: Any) -> None:
    """Which colour is which side, bottom right."""
    width, height = draw.im.size
    pad = max(4, height // 120)
    x = width - pad
    for side in ("right", "left"):
        text = side
        left, top, right, bottom = draw.textbbox((0, 0), text, font=font)
        x0 = x - (right - left) - 2 * pad
        draw.rectangle((x0, height - pad - (bottom - top) - 2 * pad, x, height - pad), fill="#202020")
        draw.text((x0 + pad - left, height - 2 * pad - bottom), text, font=font, fill=SIDE_COLOURS[side])
        x = x0 - pad


def _mid(pose: Mapping[str, Point], a: str, b: str) -> Point | None:
    if a in pose and b in pose:
        return ((pose[a][0] + pose[b][0]) / 2.0, (pose[a][1] + pose[b][1]) / 2.0)
    return None


def _skeleton(draw: ImageDraw.ImageDraw, pose: Mapping[str, Point], line_px: int) -> None:
    for side in ("left", "right"):
        for a, b in SIDE_BONES:
            p, q = pose.get(a.format(side=side)), pose.get(b.format(side=side))
            if p is not None and q is not None:
                draw.line((p, q), fill=SIDE_COLOURS[side], width=line_px)
    hip, shoulder = _mid(pose, "left_hip", "right_hip"), _mid(pose, "left_shoulder", "right_shoulder")
    for p, q in ((hip, shoulder), (pose.get("left_hip"), pose.get("right_hip"))):
        if p is not None and q is not None:
            draw.line((p, q), fill=CENTRE_COLOUR, width=line_px)
    for name, (x, y) in pose.items():
        if name.split("_", 1)[0] in SIDE_COLOURS and not name.endswith(("eye", "ear", "mouth_left", "mouth_right")):
            r = line_px * 1.2
            colour = SIDE_COLOURS[name.split("_", 1)[0]]
            draw.ellipse((x - r, y - r, x + r, y + r), fill="#ffffff", outline=colour, width=max(1, line_px // 2))


def _boxes(draw: ImageDraw.ImageDraw, font: Any, lines: Sequence[str], *, top: bool, fill: str) -> None:
    """Text lines in filled boxes at the top-left (faults) or bottom-left (rep counter)."""
    height = draw.im.size[1]
    pad = max(4, height // 120)
    y = pad if top else height - pad
    for text in lines if top else reversed(lines):
        left, t, right, b = draw.textbbox((0, 0), text, font=font)
        box_h = b - t + 2 * pad
        y0 = y if top else y - box_h
        draw.rectangle((pad, y0, pad + right - left + 2 * pad, y0 + box_h), fill=fill)
        draw.text((2 * pad - left, y0 + pad - t), text, font=font, fill="#ffffff")
        y = y0 + box_h + pad if top else y0 - pad


def _encoder_name() -> str:
    try:
        av.codec.Codec("libx264", "w")
    except (av.error.FFmpegError, ValueError):  # PyAV raises UnknownCodecError (a ValueError) when absent
        return "mpeg4"
    return "libx264"


def write_annotated_video(
    video_path: Path, analysis: LiveAnalysis, out_path: Path, progress: Progress | None = None
) -> Path:
    """Write the annotated copy of `video_path` to `out_path` atomically (a temporary file in the same
    folder, renamed when complete; a failure leaves no file). Returns `out_path`."""
    video_path, out_path = Path(video_path), Path(out_path)
    info = probe(video_path)
    overlay = Overlay.of(analysis)
    width, height = info.width + info.width % 2, info.height + info.height % 2
    rate = Fraction(info.fps_hz).limit_denominator(1001) if info.fps_hz > 0 else Fraction(30)
    out_path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{out_path.name}.", suffix=".part", dir=out_path.parent)
    os.close(fd)
    try:
        with av.open(tmp, mode="w", format="mp4") as container:
            codec = _encoder_name()
            stream = container.add_stream(codec, rate=rate)
            assert isinstance(stream, av.video.stream.VideoStream)
            stream.width, stream.height, stream.pix_fmt = width, height, "yuv420p"
            stream.time_base = TIME_BASE
            stream.codec_context.time_base = TIME_BASE
            if codec == "libx264":
                stream.options = {"crf": "23", "preset": "fast"}
            else:  # MPEG-4 Part 2 at a bit rate that keeps lines and text legible
                stream.bit_rate = max(1_000_000, int(width * height * float(rate) * 0.2))
            annotated = 0
            for done, frame in enumerate(read_frames(video_path), start=1):
                image = Image.new("RGB", (width, height))
                image.paste(Image.fromarray(frame.rgb))
                annotated += draw_overlay(image, overlay, frame.time_s)
                out = av.VideoFrame.from_ndarray(np.asarray(image), format="rgb24")
                out.pts, out.time_base = round(frame.time_s / TIME_BASE), TIME_BASE
                for packet in stream.encode(out):
                    container.mux(packet)
                if progress is not None:
                    progress("video", done, max(info.n_frames, done))
            for packet in stream.encode():
                container.mux(packet)
        os.chmod(tmp, default_file_mode())
        os.replace(tmp, out_path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    log.info("annotated %d frames of %s with %s -> %s", annotated, video_path, codec, out_path)
    return out_path

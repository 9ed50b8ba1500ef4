"""The kinogram: one image per side with the positions of one stride in a row, each with its key angles.
At maximal velocity the five positions of the S-MAS paper (contralateral toe-off, maximal vertical
projection, strike, touch-down, full support); in an acceleration touch-down, mid-stance, toe-off and
peak knee lift (kneedrive.events.phases; the frames are the record's `kinogram` block).

Drawn on the video's frames when the analysis came from a readable video (`VideoCrops`, e.g.
kneedrive.report.video_stills.VideoStills.crops), as stick figures from the record's series otherwise.
The angle labels are laid out so that none covers another or a bone of the skeleton (`layout_labels`).
PNG (Pillow), so a coach can file it and compare it week to week.
"""

from __future__ import annotations

import io
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from PIL import Image, ImageDraw, ImageFont

from ..events.phases import POSITION_LABELS, POSITIONS
from ..record import AnalysisRecord, Series
from .keyframes import KeyFrame, key_frame_at
from .skeleton import CENTRE_COLOUR, SIDE_BONES, SIDE_COLOURS, Point, Readout, fit_pose

#: One panel's side (px) and the caption strip under it.
PANEL_PX = 300
CAPTION_PX = 84
TITLE_PX = 40
LABEL_FONT_PX = 15
#: Crops of the video's frames around the athlete, with the keypoints in the crop's pixels (None: no frame).
VideoCrops = Callable[[Sequence[KeyFrame], int], Sequence[tuple[Image.Image, Mapping[str, Point]] | None]]
#: left, top, right, bottom (px)
Box = tuple[float, float, float, float]
Segment = tuple[Point, Point]
#: How far from its joint a label may go (px, nearest first) and in which directions (deg, 0 = right, y down).
LABEL_DISTANCES_PX = (8.0, 22.0, 38.0, 56.0, 78.0, 104.0)
LABEL_DIRECTIONS_DEG = (0.0, 180.0, -35.0, 35.0, -145.0, 145.0, -90.0, 90.0, -60.0, 60.0, -120.0, 120.0)
#: A label further than this from its joint gets a thin line to it.
LEADER_FROM_PX = 14.0


@dataclass(frozen=True)
class Label:
    text: str
    at: Point  # the joint it belongs to
    centre: Point
    box: Box

    def leader(self) -> Segment | None:
        """A line from the joint to the label's nearest edge, when the label sits away from its joint."""
        x, y = self.at
        near = (min(max(x, self.box[0]), self.box[2]), min(max(y, self.box[1]), self.box[3]))
        return None if math.dist(self.at, near) <= LEADER_FROM_PX else (self.at, near)


@dataclass(frozen=True)
class Panel:
    """One position as drawn: its key frame (None: not found), the video crop, the skeleton's points and
    bones in panel pixels, and the laid-out labels."""

    position: str
    key: KeyFrame | None
    crop: Image.Image | None
    pose: Mapping[str, Point]
    bones: tuple[tuple[str, str, str, int], ...]  # from, to, colour, width
    labels: tuple[Label, ...]
    ground_y: float | None = None

    def segments(self) -> list[Segment]:
        """What the labels keep clear of: the bones, the trunk line and every keypoint's dot (a point)."""
        bones = [(self.pose[a], self.pose[b]) for a, b, _, _ in self.bones]
        trunk = _trunk(self.pose)
        return bones + ([] if trunk is None else [trunk]) + [(p, p) for p in self.pose.values()]


def _angle(series: Series, name: str, i: int) -> float | None:
    values = series.angles.get(name)
    if values is None or i >= len(values):
        return None
    v = float(values[i])
    return v if v == v else None


def _readouts(series: Series, side: str, i: int) -> tuple[Readout, ...]:
    """The key angles of a position: both thighs, the knee and shin of the side, the trunk."""
    other = "right" if side == "left" else "left"
    shown = (
        (f"{side}_hip", f"{side}_thigh_angle_deg", "thigh"),
        (f"{side}_knee", f"{side}_knee_flexion_deg", "knee"),
        (f"{side}_ankle", f"{side}_shank_angle_deg", "shin"),
        (f"{other}_knee", f"{other}_thigh_angle_deg", "other thigh"),
        ("left_shoulder", "trunk_lean_deg", "trunk"),
    )
    out = []
    for at, name, word in shown:
        value = _angle(series, name, i)
        if value is not None:
            out.append(Readout(at, f"{word} {value:+.0f}°" if word != "knee" else f"knee {value:.0f}°"))
    return tuple(out)


def kinogram_positions(
    record: AnalysisRecord, side: str
) -> tuple[tuple[str, ...], Mapping[str, tuple[int, float] | None]]:
    """The position names and the shown stride's (frame, time) per position (an analysis saved before
    the `kinogram` block: the S-MAS' typical stride)."""
    if record.kinogram is not None:
        return record.kinogram.positions, record.kinogram.shown_positions(side) or {}
    if record.smas is not None:
        return POSITIONS, record.smas.positions[side]
    return (), {}


def kinogram_keys(record: AnalysisRecord, side: str) -> list[KeyFrame | None]:
    """The positions of the side's shown stride as key frames (None where a position is missing)."""
    names, positions = kinogram_positions(record, side)
    if record.series is None:
        return []
    out: list[KeyFrame | None] = []
    for position in names:
        at = positions.get(position)
        key = None if at is None else key_frame_at(record, at[1], kind=position, side=side)
        if key is not None and at is not None:
            key = KeyFrame(
                side,
                position,
                at[1],
                at[0],
                key.sample,
                key.pose,
                key.ground_y,
                _readouts(record.series, side, key.sample),
            )
        out.append(key)
    return out


def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    return ImageFont.load_default(size=size)


def _bones(pose: Mapping[str, Point], side: str) -> list[tuple[str, str, str, int]]:
    out = []
    for leg in ("right", "left") if side == "left" else ("left", "right"):
        for a, b in SIDE_BONES:
            a, b = a.format(side=leg), b.format(side=leg)
            if a in pose and b in pose:
                out.append((a, b, SIDE_COLOURS[leg], 6 if leg == side else 4))
    return out


def _trunk(pose: Mapping[str, Point]) -> Segment | None:
    hips = [pose[n] for n in ("left_hip", "right_hip") if n in pose]
    shoulders = [pose[n] for n in ("left_shoulder", "right_shoulder") if n in pose]
    if not hips or not shoulders:
        return None
    hx, hy = sum(p[0] for p in hips) / len(hips), sum(p[1] for p in hips) / len(hips)
    sx, sy = sum(p[0] for p in shoulders) / len(shoulders), sum(p[1] for p in shoulders) / len(shoulders)
    return (hx, hy), (sx, sy)


def boxes_overlap(a: Box, b: Box) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def segment_hits_box(segment: Segment, box: Box, pad_px: float = 0.0) -> bool:
    """Whether a line segment passes through a box (grown by `pad_px`): Liang-Barsky clipping."""
    (x0, y0), (x1, y1) = segment
    left, top, right, bottom = box[0] - pad_px, box[1] - pad_px, box[2] + pad_px, box[3] + pad_px
    dx, dy = x1 - x0, y1 - y0
    lo, hi = 0.0, 1.0
    for p, q in ((-dx, x0 - left), (dx, right - x0), (-dy, y0 - top), (dy, bottom - y0)):
        if p == 0:
            if q < 0:
                return False
            continue
        r = q / p
        if p < 0:
            lo = max(lo, r)
        else:
            hi = min(hi, r)
        if lo > hi:
            return False
    return True


def layout_labels(
    wanted: Sequence[tuple[Point, str]],
    segments: Sequence[Segment],
    measure: Callable[[str], tuple[float, float]],
    bounds: Box,
    *,
    bone_pad_px: float = 3.0,
) -> list[Label]:
    """Place each label (joint, text) next to its joint, nearest first, where it covers no label already
    placed and no bone (each grown by `bone_pad_px`, the line's half width), inside `bounds`. Where no
    place is free (a crowded pose), the place that covers least."""
    placed: list[Label] = []
    for (x, y), text in wanted:
        w, h = measure(text)
        best: tuple[tuple[int, float], Label] | None = None
        for r in LABEL_DISTANCES_PX:
            for deg in LABEL_DIRECTIONS_DEG:
                c, s = math.cos(math.radians(deg)), math.sin(math.radians(deg))
                cx, cy = x + c * (r + w / 2.0), y + s * (r + h / 2.0)
                box = (cx - w / 2.0, cy - h / 2.0, cx + w / 2.0, cy + h / 2.0)
                if box[0] < bounds[0] or box[1] < bounds[1] or box[2] > bounds[2] or box[3] > bounds[3]:
                    continue
                hits = sum(boxes_overlap(box, p.box) for p in placed) + sum(
                    segment_hits_box(seg, box, bone_pad_px) for seg in segments
                )
                cost = (hits, r)
                if best is None or cost < best[0]:
                    best = (cost, Label(text, (x, y), (cx, cy), box))
            if best is not None and best[0][0] == 0:
                break
        if best is not None:
            placed.append(best[1])
    return placed


def _measure(font: ImageFont.FreeTypeFont | ImageFont.ImageFont) -> Callable[[str], tuple[float, float]]:
    scratch = ImageDraw.Draw(Image.new("RGB", (1, 1)))

    def size(text: str) -> tuple[float, float]:
        left, top, right, bottom = scratch.textbbox((0, 0), text, font=font, anchor="mm", stroke_width=2)
        return float(right - left), float(bottom - top)

    return size


def _panel(
    position: str, key: KeyFrame | None, crop: tuple[Image.Image, Mapping[str, Point]] | None, side: str
) -> Panel:
    if key is None:
        return Panel(position, None, None, {}, (), ())
    ground = None
    if crop is not None:
        frame, at = crop
        inset = ((PANEL_PX - frame.width) // 2, (PANEL_PX - frame.height) // 2)
        pose = {k: (x + inset[0], y + inset[1]) for k, (x, y) in at.items()}
    else:
        frame = None
        pose, ground = fit_pose(key.pose, width_px=PANEL_PX, height_px=PANEL_PX, margin_px=24.0, ground_y=key.ground_y)
    bones = _bones(pose, side)
    obstacles = Panel(position, key, frame, pose, tuple(bones), ()).segments()
    wanted = [(pose[r.at], r.text) for r in key.readouts if r.at in pose]
    bounds = (2.0, 2.0, PANEL_PX - 2.0, PANEL_PX - 2.0)
    labels = layout_labels(wanted, obstacles, _measure(_font(LABEL_FONT_PX)), bounds)
    return Panel(position, key, frame, pose, tuple(bones), tuple(labels), ground)


def kinogram_panels(record: AnalysisRecord, side: str, *, video_crops: VideoCrops | None = None) -> list[Panel]:
    """The side's panels as they are drawn (empty: no kinogram for this side)."""
    keys = kinogram_keys(record, side)
    if not any(k is not None for k in keys):
        return []
    present = [k for k in keys if k is not None]
    crops = dict(zip([id(k) for k in present], video_crops(present, PANEL_PX), strict=True)) if video_crops else {}
    names, _ = kinogram_positions(record, side)
    return [_panel(p, k, None if k is None else crops.get(id(k)), side) for p, k in zip(names, keys, strict=True)]


def _draw_panel(draw: ImageDraw.ImageDraw, image: Image.Image, panel: Panel, left: int) -> None:
    ox, oy = float(left), float(TITLE_PX)
    if panel.key is None:
        draw.rectangle([left, TITLE_PX, left + PANEL_PX - 1, TITLE_PX + PANEL_PX - 1], fill="#f0f0f0")
        draw.text(
            (left + PANEL_PX / 2, TITLE_PX + PANEL_PX / 2), "not found", fill="#666666", font=_font(16), anchor="mm"
        )
        return
    if panel.crop is not None:
        inset = ((PANEL_PX - panel.crop.width) // 2, (PANEL_PX - panel.crop.height) // 2)
        image.paste(panel.crop, (left + inset[0], TITLE_PX + inset[1]))
    else:
        draw.rectangle([left, TITLE_PX, left + PANEL_PX - 1, TITLE_PX + PANEL_PX - 1], fill="#fafafa")
        if panel.ground_y is not None:
            y = TITLE_PX + panel.ground_y
            draw.line([(left, y), (left + PANEL_PX, y)], fill="#999999", width=2)
    pose = panel.pose
    for a, b, colour, width in panel.bones:
        (x0, y0), (x1, y1) = pose[a], pose[b]
        draw.line([(x0 + ox, y0 + oy), (x1 + ox, y1 + oy)], fill=colour, width=width)
    trunk = _trunk(pose)
    if trunk is not None:
        (hx, hy), (sx, sy) = trunk
        draw.line([(hx + ox, hy + oy), (sx + ox, sy + oy)], fill=CENTRE_COLOUR, width=5)
    for x, y in pose.values():
        draw.ellipse([x + ox - 3, y + oy - 3, x + ox + 3, y + oy + 3], fill="#ffffff", outline=CENTRE_COLOUR)
    font = _font(LABEL_FONT_PX)
    for label in panel.labels:
        leader = label.leader()
        if leader is not None:
            (x0, y0), (x1, y1) = leader
            draw.line([(x0 + ox, y0 + oy), (x1 + ox, y1 + oy)], fill="#666666", width=1)
    for label in panel.labels:
        cx, cy = label.centre
        draw.text(
            (cx + ox, cy + oy),
            label.text,
            fill="#111111",
            font=font,
            anchor="mm",
            stroke_width=2,
            stroke_fill="#ffffff",
        )


def _title(record: AnalysisRecord, side: str) -> str:
    plan = record.kinogram
    if plan is None:
        stride = None if record.smas is None else record.smas.typical_strides.get(side)
        return f"Kinogram, {side} leg" + ("" if stride is None else f" (stride {stride + 1}, the most typical)")
    kind = "Acceleration kinogram" if plan.kind == "acceleration" else "Kinogram"
    shown = plan.shown.get(side)
    if shown is None:
        return f"{kind}, {side} leg"
    why = (
        "chosen"
        if plan.chosen is not None
        else "the first complete"
        if plan.kind == "acceleration"
        else "the most typical"
    )
    return f"{kind}, {side} leg (stride {shown + 1}, {why})"


def kinogram_png(record: AnalysisRecord, side: str, *, video_crops: VideoCrops | None = None) -> bytes | None:
    """The side's kinogram as PNG bytes (None: no kinogram positions for this side)."""
    panels = kinogram_panels(record, side, video_crops=video_crops)
    if not panels:
        return None
    width, height = PANEL_PX * len(panels), TITLE_PX + PANEL_PX + CAPTION_PX
    image = Image.new("RGB", (width, height), "#ffffff")
    draw = ImageDraw.Draw(image)
    draw.text((12, TITLE_PX // 2), _title(record, side), fill="#111111", font=_font(22), anchor="lm")
    for n, panel in enumerate(panels):
        left = n * PANEL_PX
        _draw_panel(draw, image, panel, left)
        draw.line([(left, TITLE_PX), (left, TITLE_PX + PANEL_PX)], fill="#cccccc", width=1)
        detail = "" if panel.key is None else f"frame {panel.key.frame}, {panel.key.time_s:.3f} s"
        draw.text(
            (left + 10, TITLE_PX + PANEL_PX + 22),
            POSITION_LABELS[panel.position],
            fill="#111111",
            font=_font(18),
            anchor="lm",
        )
        draw.text((left + 10, TITLE_PX + PANEL_PX + 52), detail, fill="#444444", font=_font(15), anchor="lm")
    buf = io.BytesIO()
    image.save(buf, format="PNG", optimize=True)
    return buf.getvalue()


def kinograms(record: AnalysisRecord, *, video_crops: VideoCrops | None = None) -> dict[str, bytes]:
    """{"left": png, "right": png} for the sides that have positions."""
    out = {}
    for side in ("left", "right"):
        png = kinogram_png(record, side, video_crops=video_crops)
        if png is not None:
            out[side] = png
    return out

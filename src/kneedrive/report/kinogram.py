"""The kinogram: one image per side with the five positions of its most typical stride in a row
(contralateral toe-off, maximal vertical projection, strike, touch-down, full support; the positions
of kneedrive.events.phases, stored in the record's `smas.positions`), each with its key angles.

Drawn on the video's frames when the analysis came from a readable video (`VideoCrops`, e.g.
kneedrive.report.video_stills.VideoStills.crops), as stick figures from the record's series otherwise.
PNG (Pillow), so a coach can file it and compare it week to week.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Mapping, Sequence

from PIL import Image, ImageDraw, ImageFont

from ..events.phases import POSITION_LABELS, POSITIONS
from ..record import AnalysisRecord, Series
from .keyframes import KeyFrame, key_frame_at
from .skeleton import CENTRE_COLOUR, SIDE_BONES, SIDE_COLOURS, Point, Readout, fit_pose

#: One panel's side (px) and the caption strip under it.
PANEL_PX = 300
CAPTION_PX = 84
TITLE_PX = 40
#: Crops of the video's frames around the athlete, with the keypoints in the crop's pixels (None: no frame).
VideoCrops = Callable[[Sequence[KeyFrame], int], Sequence[tuple[Image.Image, Mapping[str, Point]] | None]]


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


def kinogram_keys(record: AnalysisRecord, side: str) -> list[KeyFrame | None]:
    """The five positions of the side's typical stride as key frames (None where a position is missing)."""
    if record.smas is None or record.series is None:
        return []
    positions = record.smas.positions[side]
    out: list[KeyFrame | None] = []
    for position in POSITIONS:
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


def _draw_skeleton(draw: ImageDraw.ImageDraw, pose: Mapping[str, Point], side: str, offset: Point) -> None:
    ox, oy = offset

    def line(a: str, b: str, colour: str, width: int) -> None:
        if a in pose and b in pose:
            (x0, y0), (x1, y1) = pose[a], pose[b]
            draw.line([(x0 + ox, y0 + oy), (x1 + ox, y1 + oy)], fill=colour, width=width)

    for leg in ("right", "left") if side == "left" else ("left", "right"):
        for a, b in SIDE_BONES:
            line(a.format(side=leg), b.format(side=leg), SIDE_COLOURS[leg], 6 if leg == side else 4)
    hips = [pose[n] for n in ("left_hip", "right_hip") if n in pose]
    shoulders = [pose[n] for n in ("left_shoulder", "right_shoulder") if n in pose]
    if hips and shoulders:
        hx, hy = sum(p[0] for p in hips) / len(hips), sum(p[1] for p in hips) / len(hips)
        sx, sy = sum(p[0] for p in shoulders) / len(shoulders), sum(p[1] for p in shoulders) / len(shoulders)
        draw.line([(hx + ox, hy + oy), (sx + ox, sy + oy)], fill=CENTRE_COLOUR, width=5)
    for x, y in pose.values():
        draw.ellipse([x + ox - 3, y + oy - 3, x + ox + 3, y + oy + 3], fill="#ffffff", outline=CENTRE_COLOUR)


def _draw_readouts(draw: ImageDraw.ImageDraw, pose: Mapping[str, Point], key: KeyFrame, offset: Point) -> None:
    font = _font(15)
    for readout in key.readouts:
        if readout.at not in pose:
            continue
        x, y = pose[readout.at]
        right = x > PANEL_PX * 0.6
        at = (x + offset[0] + (-8 if right else 8), y + offset[1])
        draw.text(
            at,
            readout.text,
            fill="#111111",
            font=font,
            anchor="rm" if right else "lm",
            stroke_width=3,
            stroke_fill="#ffffff",
        )


def kinogram_png(record: AnalysisRecord, side: str, *, video_crops: VideoCrops | None = None) -> bytes | None:
    """The side's kinogram as PNG bytes (None: no S-MAS positions for this side)."""
    keys = kinogram_keys(record, side)
    if not any(k is not None for k in keys):
        return None
    present = [k for k in keys if k is not None]
    crops = dict(zip([id(k) for k in present], video_crops(present, PANEL_PX), strict=True)) if video_crops else {}
    width, height = PANEL_PX * len(POSITIONS), TITLE_PX + PANEL_PX + CAPTION_PX
    image = Image.new("RGB", (width, height), "#ffffff")
    draw = ImageDraw.Draw(image)
    stride = None if record.smas is None else record.smas.typical_strides.get(side)
    title = f"Kinogram, {side} leg" + ("" if stride is None else f" (stride {stride + 1}, the most typical)")
    draw.text((12, TITLE_PX // 2), title, fill="#111111", font=_font(22), anchor="lm")
    for n, (position, key) in enumerate(zip(POSITIONS, keys, strict=True)):
        left = n * PANEL_PX
        offset = (float(left), float(TITLE_PX))
        crop = None if key is None else crops.get(id(key))
        if key is None:
            draw.rectangle([left, TITLE_PX, left + PANEL_PX - 1, TITLE_PX + PANEL_PX - 1], fill="#f0f0f0")
            draw.text(
                (left + PANEL_PX / 2, TITLE_PX + PANEL_PX / 2), "not found", fill="#666666", font=_font(16), anchor="mm"
            )
        elif crop is not None:
            frame, pose = crop
            inset = ((PANEL_PX - frame.width) // 2, (PANEL_PX - frame.height) // 2)
            image.paste(frame, (left + inset[0], TITLE_PX + inset[1]))
            shifted = {k: (x + inset[0], y + inset[1]) for k, (x, y) in pose.items()}
            _draw_skeleton(draw, shifted, side, offset)
            _draw_readouts(draw, shifted, key, offset)
        else:
            draw.rectangle([left, TITLE_PX, left + PANEL_PX - 1, TITLE_PX + PANEL_PX - 1], fill="#fafafa")
            pose, ground = fit_pose(
                key.pose, width_px=PANEL_PX, height_px=PANEL_PX, margin_px=24.0, ground_y=key.ground_y
            )
            if ground is not None:
                draw.line([(left, TITLE_PX + ground), (left + PANEL_PX, TITLE_PX + ground)], fill="#999999", width=2)
            _draw_skeleton(draw, pose, side, offset)
            _draw_readouts(draw, pose, key, offset)
        draw.line([(left, TITLE_PX), (left, TITLE_PX + PANEL_PX)], fill="#cccccc", width=1)
        caption = POSITION_LABELS[position]
        detail = "" if key is None else f"frame {key.frame}, {key.time_s:.3f} s"
        draw.text((left + 10, TITLE_PX + PANEL_PX + 22), caption, fill="#111111", font=_font(18), anchor="lm")
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

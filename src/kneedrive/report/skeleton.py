"""The skeleton drawn over a key moment, as inline SVG.

`skeleton_svg` draws on a canvas in pixel coordinates (y down), either blank (a stick figure) or over a
background image given as a data URI: a decoded video frame with the pose model's keypoints in image
pixels can be passed as is. `fit_pose` turns athlete-frame points (leg lengths, y up) into canvas
pixels for the stick figure. Hand-written SVG: a few lines and circles, no plotting library needed.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from html import escape

Point = tuple[float, float]

#: Colours shared with the plots: left blue, right orange (colour-blind safe pair).
SIDE_COLOURS = {"left": "#1f77b4", "right": "#e8710a"}
CENTRE_COLOUR = "#444444"

#: (from, to) keypoint joints drawn as bones; "{side}" expands to left/right.
SIDE_BONES = (
    ("{side}_shoulder", "{side}_elbow"),
    ("{side}_elbow", "{side}_wrist"),
    ("{side}_hip", "{side}_knee"),
    ("{side}_knee", "{side}_ankle"),
    ("{side}_ankle", "{side}_heel"),
    ("{side}_heel", "{side}_foot_index"),
    ("{side}_ankle", "{side}_foot_index"),
)


@dataclass(frozen=True)
class Readout:
    """A text label next to a joint, e.g. the knee angle at touchdown."""

    at: str  # keypoint name the label sits next to
    text: str


def _mid(pose: Mapping[str, Point], a: str, b: str) -> Point | None:
    if a in pose and b in pose:
        return ((pose[a][0] + pose[b][0]) / 2.0, (pose[a][1] + pose[b][1]) / 2.0)
    return pose.get(a) or pose.get(b)


def fit_pose(
    points: Mapping[str, Point],
    *,
    width_px: float,
    height_px: float,
    margin_px: float = 16.0,
    ground_y: float | None = None,
) -> tuple[dict[str, Point], float | None]:
    """Scale athlete-frame points (y up) into a canvas (y down), centred, aspect kept.

    Returns the canvas points and the canvas y of `ground_y` (when given)."""
    finite = {k: v for k, v in points.items() if math.isfinite(v[0]) and math.isfinite(v[1])}
    if not finite:
        return {}, None
    xs = [p[0] for p in finite.values()]
    ys = [p[1] for p in finite.values()] + ([ground_y] if ground_y is not None else [])
    span = max(max(xs) - min(xs), max(ys) - min(ys), 1e-6)
    scale = min(width_px, height_px) - 2 * margin_px
    scale /= span
    cx, cy = (max(xs) + min(xs)) / 2.0, (max(ys) + min(ys)) / 2.0

    def to_canvas(p: Point) -> Point:
        return (width_px / 2.0 + (p[0] - cx) * scale, height_px / 2.0 - (p[1] - cy) * scale)

    ground = None if ground_y is None else to_canvas((cx, ground_y))[1]
    return {k: to_canvas(v) for k, v in finite.items()}, ground


def skeleton_svg(
    pose: Mapping[str, Point],
    *,
    width_px: int,
    height_px: int,
    highlight_side: str | None = None,
    readouts: Sequence[Readout] = (),
    ground_y_px: float | None = None,
    background_uri: str | None = None,
    title: str = "",
    css_class: str = "skeleton",
) -> str:
    """An <svg> of the skeleton; `pose` in canvas pixels (y down).

    `background_uri` (e.g. "data:image/jpeg;base64,...") is drawn under the skeleton at full canvas size;
    without it the canvas is blank (stick figure). The highlighted side is drawn thicker."""
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="{escape(css_class)}" viewBox="0 0 {width_px} {height_px}" '
        f'role="img" aria-label="{escape(title)}">'
    ]
    if title:
        parts.append(f"<title>{escape(title)}</title>")
    if background_uri is not None:
        parts.append(
            f'<image href="{escape(background_uri)}" x="0" y="0" width="{width_px}" height="{height_px}" '
            'preserveAspectRatio="none"/>'
        )
    else:
        parts.append(f'<rect width="{width_px}" height="{height_px}" fill="#fafafa"/>')
    if ground_y_px is not None:
        parts.append(
            f'<line x1="0" y1="{ground_y_px:.1f}" x2="{width_px}" y2="{ground_y_px:.1f}" stroke="#999" '
            'stroke-width="1.5" stroke-dasharray="4 3"/>'
        )

    def line(a: Point | None, b: Point | None, colour: str, width: float) -> None:
        if a is not None and b is not None:
            parts.append(
                f'<line x1="{a[0]:.1f}" y1="{a[1]:.1f}" x2="{b[0]:.1f}" y2="{b[1]:.1f}" stroke="{colour}" '
                f'stroke-width="{width:.1f}" stroke-linecap="round"/>'
            )

    # The far side first, so the highlighted (or the near) side is drawn on top.
    order = ("left", "right") if highlight_side != "left" else ("right", "left")
    for side in order:
        width = 6.0 if side == highlight_side else 3.5
        for a, b in SIDE_BONES:
            line(pose.get(a.format(side=side)), pose.get(b.format(side=side)), SIDE_COLOURS[side], width)
    hip, shoulder = _mid(pose, "left_hip", "right_hip"), _mid(pose, "left_shoulder", "right_shoulder")
    line(hip, shoulder, CENTRE_COLOUR, 5.0)
    line(pose.get("left_hip"), pose.get("right_hip"), CENTRE_COLOUR, 3.0)
    line(pose.get("left_shoulder"), pose.get("right_shoulder"), CENTRE_COLOUR, 3.0)
    if "nose" in pose:
        nose = pose["nose"]
        line(shoulder, nose, CENTRE_COLOUR, 3.0)
        parts.append(f'<circle cx="{nose[0]:.1f}" cy="{nose[1]:.1f}" r="7" fill="{CENTRE_COLOUR}"/>')
    for name, (x, y) in pose.items():
        side = name.split("_", 1)[0]
        colour = SIDE_COLOURS.get(side, CENTRE_COLOUR)
        parts.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="#fff" stroke="{colour}" stroke-width="1.5"/>')
    for readout in readouts:
        if readout.at not in pose:
            continue
        x, y = pose[readout.at]
        anchor = "end" if x > width_px * 0.6 else "start"
        dx = -8 if anchor == "end" else 8
        parts.append(
            f'<text x="{x + dx:.1f}" y="{y + 4:.1f}" text-anchor="{anchor}" font-size="13" '
            f'paint-order="stroke" stroke="#fff" stroke-width="3" fill="#111">{escape(readout.text)}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)

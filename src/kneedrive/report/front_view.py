"""The report's front-view block: each front-view figure per side (labels and units from the metric
registry) and the key frames of the worst knee FPPA and pelvic drop on each side, drawn as a front-view
stick figure from the record's series (athlete seen from the camera: their left on the image's right when
they face it)."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ..metrics.frontal import FRONT_FIELDS
from ..metrics.registry import registry
from ..record import AnalysisRecord, Series

SIDES = ("left", "right")
BONES = (
    ("left_shoulder", "right_shoulder"),
    ("left_hip", "right_hip"),
    *((f"{s}_{a}", f"{s}_{b}") for s in SIDES for a, b in (("shoulder", "elbow"), ("elbow", "wrist"))),
    *((f"{s}_{a}", f"{s}_{b}") for s in SIDES for a, b in (("shoulder", "hip"), ("hip", "knee"), ("knee", "ankle"))),
)
KEY_TITLES = {"knee_fppa_deg": "Worst knee FPPA", "pelvic_drop_deg": "Worst pelvic drop"}


def front_block(record: AnalysisRecord) -> dict[str, Any] | None:
    """The template's `front` context (None: not a front view)."""
    front = record.front
    if front is None:
        return None
    reg = registry()
    rows = []
    for name in FRONT_FIELDS:
        values = [front.sides.get(side, {}).get(name) for side in SIDES]
        if all(v is None for v in values):
            continue
        row = reg[name]
        rows.append(
            {"label": row.label, "unit": row.display, "left": row.shown(values[0]), "right": row.shown(values[1])}
        )
    keys = [
        {
            "title": f"{KEY_TITLES[k.metric]} ({k.side})",
            "value": f"{reg[k.metric].shown(k.value)} {reg[k.metric].display}",
            "time": f"{k.time_s:.3f} s",
            "frame": k.frame,
            "side": k.side,
            "svg": front_stick_svg(record, k.frame, k.side),
        }
        for k in front.key_frames
    ]
    return {
        "facing": "facing the camera" if front.facing == "toward" else "back to the camera",
        "steps": len(front.steps),
        "reps": len(front.reps),
        "rows": rows,
        "key_frames": keys,
    }


def front_stick_svg(record: AnalysisRecord, frame: int, side: str, size_px: int = 240) -> str:
    """The pose at the series sample nearest `frame`, as the camera sees it; `side`'s leg drawn thick."""
    series = record.series
    if series is None or len(series.frames) == 0:
        return ""
    i = int(np.argmin(np.abs(np.asarray(series.frames) - frame)))
    pose = _image_pose(series, i, record.processing.direction)
    if not pose:
        return ""
    xs, ys = [p[0] for p in pose.values()], [p[1] for p in pose.values()]
    cx, cy, span = (max(xs) + min(xs)) / 2, (max(ys) + min(ys)) / 2, max(max(ys) - min(ys), max(xs) - min(xs), 1e-6)
    scale = 0.85 * size_px / span

    def at(name: str) -> tuple[float, float]:
        x, y = pose[name]
        return size_px / 2 + (x - cx) * scale, size_px / 2 - (y - cy) * scale

    lines = []
    for a, b in BONES:
        if a in pose and b in pose:
            (x1, y1), (x2, y2) = at(a), at(b)
            thick = 4 if a.startswith(side) and b.startswith(side) else 2
            cls = "" if a[:4] != b[:4] else "L" if a.startswith("left") else "R"
            lines.append(
                f'<line class="{cls}" x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2:.1f}" '
                f'stroke="currentColor" stroke-width="{thick}" stroke-linecap="round"/>'
            )
    return (
        f'<svg class="front-stick" viewBox="0 0 {size_px} {size_px}" width="{size_px}" height="{size_px}" '
        f'role="img" aria-label="front view at frame {frame}">{"".join(lines)}</svg>'
    )


def _image_pose(series: Series, i: int, direction: str) -> dict[str, tuple[float, float]]:
    """Series points (x mirrored into the sagittal stage's direction of travel) back to the image's x."""
    sign = 1.0 if direction == "right" else -1.0
    out = {}
    for name, points in series.points.items():
        if i < len(points) and all(math.isfinite(v) for v in points[i]):
            out[name] = (sign * float(points[i][0]), float(points[i][1]))
    return out

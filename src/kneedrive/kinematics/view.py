"""Which way the camera looks at the athlete: side, front (toward or away from the camera) or oblique.

Decided once for the clip from the raw keypoints, before anything is normalised to the sagittal plane:

* **Widths against leg length.** Seen from the side the two shoulders (and the two hips) sit almost on top
  of each other; seen from the front they are a shoulder width apart (about 0.45 leg lengths: biacromial
  breadth 0.23 H against a leg of 0.49 H, Winter 2009; hip joints about 0.2 leg lengths). The median
  over the clip of the horizontal shoulder separation (the hips' without shoulders), as a fraction of
  its frontal width, is about |cos| of the angle between the camera axis and the athlete's facing.
  Real side views measure 0.03-0.5 (BlazePose on phone video 0.23-0.34; a race filmed from the stands
  round a bend 0.5); a front view about 1.
* **Travel against growth.** An athlete running across the image travels many leg lengths along the image
  axis at a constant size; one running toward (or away from) the camera grows (or shrinks) and hardly
  travels. It settles the clips whose widths lie between the bands.

The labelled left hip on the image's right means the athlete faces the camera (`facing = "toward"`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

import numpy as np

from ..sequence import REQUIRED_KEYPOINTS, PoseSequence
from .clean import usable_points
from .result import Array

View = Literal["side", "front", "oblique"]
VIEWS: tuple[View, ...] = ("side", "front", "oblique")
VIEW_CHOICES = ("auto", *VIEWS)
#: Frontal separations as fractions of the leg (hip joint to ankle), after Winter (2009) body proportions.
FRONTAL_SHOULDER_WIDTH_LEGS = 0.45
FRONTAL_HIP_WIDTH_LEGS = 0.20
#: Frontality (about |cos| of the camera-to-facing angle) at or below which a clip is a side view, and at or
#: above which it is a front view; between them the motion decides, else the view is oblique.
SIDE_MAX_FRONTALITY = 0.45
FRONT_MIN_FRONTALITY = 0.7
#: Motion evidence: net travel along the image axis (leg lengths) and change of size (ratio, end / start).
TRAVEL_FOR_SIDE_LEGS = 2.0
GROWTH_FOR_FRONT = 1.25
#: A view that changes through the clip (a runner coming round a bend toward the camera, then side-on down
#: the straight): frontality is followed over windows this long (s, rolling median) ...
PART_WINDOW_S = 0.5
#: ... and a part at least this long (s) at side-view frontality (SIDE_MAX_FRONTALITY or less) in a clip
#: that is not a clear side view as a whole is the part the side-view figures come from ...
MIN_SIDE_PART_S = 1.5
#: ... unless the clip as a whole is a clear front view: facing the camera within about 30 degrees
#: (cos 30 = 0.87). A runner coming round a bend is seen at 40-50 degrees (frontality 0.65-0.77: on the
#: panning race 0.72-0.83 through the bend), a front view by FRONT_MIN_FRONTALITY but not a clear one.
CLEAR_FRONT_FRONTALITY = 0.85


@dataclass(frozen=True)
class ViewEstimate:
    view: View
    frontality: float  # ~|cos| of the angle between the camera axis and the athlete's facing; nan: unknown
    shoulder_width_legs: float | None
    hip_width_legs: float | None
    travel_legs: float  # net mid-hip travel along the image axis
    growth: float  # size at the end over size at the start (>1: coming closer)
    facing: str  # "toward" | "away" (the camera), meaningful in a front or oblique view
    evidence: str
    given: bool = False
    #: The part of the clip seen side-on (start, end; s), when only that part is: the side-view figures of
    #: steps outside it are withheld. None: the view holds for the whole clip.
    side_part_s: tuple[float, float] | None = None


def _median_abs_dx(seq: PoseSequence, a: str, b: str) -> Array:
    if not (seq.has(a) and seq.has(b)):
        return np.full(seq.n_frames, np.nan)
    dx: Array = usable_points(seq.point(a))[:, 0] - usable_points(seq.point(b))[:, 0]
    return dx


def _leg_px(seq: PoseSequence) -> Array:
    """Per-frame leg length (thigh + shank, the longer leg) in the input's units."""
    legs = []
    for side in ("left", "right"):
        hip, knee, ankle = (usable_points(seq.point(f"{side}_{j}")) for j in ("hip", "knee", "ankle"))
        legs.append(np.linalg.norm(hip - knee, axis=1) + np.linalg.norm(knee - ankle, axis=1))
    longer = np.fmax(legs[0], legs[1])
    out: Array = np.where(longer > 0, longer, np.nan)  # a leg of no length is no leg (nor a divisor)
    return out


def _finite_median(values: Array) -> float | None:
    v = values[np.isfinite(values)]
    return float(np.median(v)) if len(v) else None


def detect_view(seq: PoseSequence) -> ViewEstimate:
    """The clip's view from its keypoints (image coordinates, any units). Without hips, knees and ankles the
    side view is assumed (the kinematics stage then names what is missing)."""
    if not all(seq.has(name) for name in REQUIRED_KEYPOINTS):
        return ViewEstimate("side", math.nan, None, None, 0.0, 1.0, "toward", "legs not seen: assumed side view")
    leg = _leg_px(seq)
    scale = _finite_median(leg)
    if scale is None or scale <= 0:
        return ViewEstimate("side", math.nan, None, None, 0.0, 1.0, "toward", "no full leg seen: assumed side view")
    shoulders_dx = _median_abs_dx(seq, "left_shoulder", "right_shoulder")
    hips_dx = _median_abs_dx(seq, "left_hip", "right_hip")
    shoulder = _finite_median(np.abs(shoulders_dx) / leg)
    hip = _finite_median(np.abs(hips_dx) / leg)
    # the shoulders when seen (pose models place the hips less consistently: ~0.1 leg lengths apart in a
    # side view), else the hips
    frontality = (
        shoulder / FRONTAL_SHOULDER_WIDTH_LEGS
        if shoulder is not None
        else math.nan
        if hip is None
        else hip / FRONTAL_HIP_WIDTH_LEGS
    )
    travel, growth = _motion(seq, leg, scale)
    lead = _finite_median(np.concatenate([hips_dx, shoulders_dx]))
    facing = "toward" if lead is None or lead >= 0 else "away"
    widths = f"shoulders {_shown(shoulder)} and hips {_shown(hip)} leg lengths apart (frontality {frontality:.2f})"
    motion = f"travel {abs(travel):.1f} leg lengths across the image, size x{growth:.2f}"
    part = (  # only a clip that is neither a clear side view nor a clear front view can have one
        _side_part(seq, shoulders_dx if shoulder is not None else hips_dx, leg, shoulder is not None)
        if SIDE_MAX_FRONTALITY < frontality < CLEAR_FRONT_FRONTALITY
        else None
    )
    if not frontality > SIDE_MAX_FRONTALITY:  # nan (no widths seen): the side view the analysis assumes
        view: View = "side"
        why = f"{widths}: side view"
    elif part is not None:  # (a clear front view has none: it stays one)
        seen = f"{part[0]:.1f}-{part[1]:.1f} s"
        view, why = (
            "side",
            (
                f"{widths}, {motion}: the athlete is seen side-on only in {seen} of the clip (frontality "
                f"{SIDE_MAX_FRONTALITY} or less there): the side-view figures come from that part"
            ),
        )
        return ViewEstimate(view, frontality, shoulder, hip, travel, growth, facing, why, side_part_s=part)
    elif frontality >= FRONT_MIN_FRONTALITY:
        view, why = "front", f"{widths}: front view ({'facing' if facing == 'toward' else 'back to'} the camera)"
    elif abs(travel) >= TRAVEL_FOR_SIDE_LEGS and max(growth, 1.0 / growth) < GROWTH_FOR_FRONT:
        view, why = "side", f"{widths}, {motion}: side view (turned a little toward the camera)"
    elif abs(travel) < TRAVEL_FOR_SIDE_LEGS and max(growth, 1.0 / growth) >= GROWTH_FOR_FRONT:
        view, why = "front", f"{widths}, {motion}: front view (turned a little away from the camera's axis)"
    else:
        view, why = "oblique", f"{widths}, {motion}: oblique view"
    return ViewEstimate(view, frontality, shoulder, hip, travel, growth, facing, why)


def turned_warning(view: ViewEstimate) -> str | None:
    """For a side view whose widths lie in the band between a side and a front view (decided by the motion):
    how far the athlete is turned toward the camera and what that does to the sagittal figures. None for a
    plain side view, a given view, a clip whose side-view figures come from its side-on part (side_part_s)
    or any other view."""
    if view.view != "side" or view.given or view.side_part_s is not None or not view.frontality > SIDE_MAX_FRONTALITY:
        return None
    turn_deg = math.degrees(math.asin(min(1.0, view.frontality)))
    return (
        f"the athlete is turned about {turn_deg:.0f} deg from a side view toward the camera (frontality "
        f"{view.frontality:.2f}; a side view is up to {SIDE_MAX_FRONTALITY:.2f}): lengths along the running "
        f"direction look x{math.cos(math.radians(turn_deg)):.2f} as long and sagittal angles are distorted, the "
        "foot and ankle angles most (a short heel-to-toe segment, tilted further by a raised camera); times "
        "(contacts, cadence) are not affected"
    )


def given_view(seq: PoseSequence, view: str) -> ViewEstimate:
    """The view the user gave (`view="side"` / `"front"`), with the clip's measured evidence beside it."""
    measured = detect_view(seq)
    if view not in VIEWS:
        from ..errors import InputError

        raise InputError(f"view must be one of {', '.join(VIEW_CHOICES)}, got {view!r}")
    return ViewEstimate(
        view,
        measured.frontality,
        measured.shoulder_width_legs,
        measured.hip_width_legs,
        measured.travel_legs,
        measured.growth,
        measured.facing,
        f"given (measured: {measured.evidence})",
        given=True,
    )


def _motion(seq: PoseSequence, leg: Array, scale: float) -> tuple[float, float]:
    """Net mid-hip travel along the image axis in leg lengths, and the size at the end over the start
    (medians of the first and last fifth of the clip, so one odd frame does not decide)."""
    hip_x = (usable_points(seq.point("left_hip"))[:, 0] + usable_points(seq.point("right_hip"))[:, 0]) / 2.0
    n = seq.n_frames
    fifth = max(1, n // 5)
    first, last = slice(0, fifth), slice(n - fifth, n)
    x0, x1 = _finite_median(hip_x[first]), _finite_median(hip_x[last])
    s0, s1 = _finite_median(leg[first]), _finite_median(leg[last])
    travel = 0.0 if x0 is None or x1 is None else (x1 - x0) / scale
    growth = 1.0 if s0 is None or s1 is None or s0 <= 0 else s1 / s0
    return float(travel), float(growth)


def _shown(value: float | None) -> str:
    return "?" if value is None else f"{value:.2f}"


def _side_part(seq: PoseSequence, dx: Array, leg: Array, shoulders: bool) -> tuple[float, float] | None:
    """The longest stretch (start, end; s) of at least MIN_SIDE_PART_S over which the rolling median
    frontality stays at side-view level, when the clip also has frames that are not: None otherwise."""
    width = FRONTAL_SHOULDER_WIDTH_LEGS if shoulders else FRONTAL_HIP_WIDTH_LEGS
    with np.errstate(all="ignore"):
        per_frame = np.abs(dx) / leg / width
    seen = np.isfinite(per_frame)
    if seen.sum() < 3:
        return None
    t, value = seq.time_s[seen], per_frame[seen]
    half = PART_WINDOW_S / 2
    # the rolling median on a grid of a tenth of the window (a long clip at 240 fps has a million frames)
    grid = np.arange(float(t[0]), float(t[-1]) + 1e-9, PART_WINDOW_S / 10)
    lo, hi = np.searchsorted(t, grid - half), np.searchsorted(t, grid + half, side="right")
    has = hi > lo
    grid, lo, hi = grid[has], lo[has], hi[has]
    rolling = np.array([np.median(value[a:b]) for a, b in zip(lo, hi, strict=True)])
    t = grid
    side = rolling <= SIDE_MAX_FRONTALITY
    if side.all() or not side.any():
        return None
    best: tuple[float, float] | None = None
    start = None
    for i, is_side in enumerate([*side, False]):
        if is_side and start is None:
            start = i
        elif not is_side and start is not None:
            span = (float(t[start]), float(t[i - 1]))
            if best is None or span[1] - span[0] > best[1] - best[0]:
                best = span
            start = None
    return best if best is not None and best[1] - best[0] >= MIN_SIDE_PART_S else None

"""Camera motion: how the background moves from frame to frame, chained into a frame fixed to the ground.

Coaches pan a phone to follow a sprinter, broadcast cameras pan and zoom: in the image the stance foot then
slides backwards and the hips hardly travel. Positions mean something for contacts, speed and step length
only relative to the ground. The estimator measures the dense optical flow of each frame to a key frame
(OpenCV's DIS flow on a grey image cut down to about WORK_SIDE_PX, in the decode thread beside the pose
model), samples it on a grid outside everyone's region (the tracker knows them) and on textured background,
fits one similarity (shift, turn, zoom) per frame with RANSAC, and chains the fits into a transform from
each frame's pixels to the first frame's (the ground frame). The key frame is the frame measured
KEY_FRAMES frames before at most (each key frame is measured against the one before it): chained frame to
frame, a hand-held phone's slow zoom (12 % over 12 s, 0.03 % a frame) was lost in each step's noise and read
5 %; measured over a key frame's span it is ten times larger than that noise, and the errors add up once
per key frame, not once per frame. Sparse corners followed by
Lucas-Kanade were tried first: on a track (parallel lane lines, a plain infield, motion blur, a burnt-in
clock whose corners are the strongest in view) they lost the pan; the dense flow weighs every textured
patch alike.

Text and logos burnt into the image (a broadcast's clock, an app's badge, a video player's controls in a
screen recording) stay still while the background moves: when the best fit is no motion but the samples
that move agree on one motion among themselves (MOVING_SHARE of all, at least), theirs is the camera's.

A camera that does not move (every image corner within FIXED_FRACTION of the image diagonal of where it
started, zoom within FIXED_SCALE) is reported "fixed" and its keypoints are left exactly as they are.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

import cv2
import numpy as np
from numpy.typing import NDArray

log = logging.getLogger(__name__)

#: Motion is measured on frames cut down (every n-th pixel) to about this long side (px).
WORK_SIDE_PX = 320
#: Each frame's motion is measured against a key frame at most this many measured frames before it, and
#: a frame the image has moved KEY_SHIFT_PX work px from its key frame is the next key frame (a fast pan:
#: over a longer span the flow aliases on repeating texture, a fence or lane lines; measured on the
#: screen-recorded jog, 7 work px a frame: keys 10 frames apart read its 3200 px pan as 1200).
KEY_FRAMES = 10
KEY_SHIFT_PX = 6.0
#: DIS flow is refined down to 2^-DIS_FINEST_SCALE of the work size.
DIS_FINEST_SCALE = 1
#: The flow is sampled every GRID_PX work pixels.
GRID_PX = 6
#: Samples where the grey level changes less than this (blurred Sobel, grey levels) are flat: left out.
TEXTURE_LEVEL = 12.0
#: RANSAC: a sample agrees with a fit when within this many work pixels of where the fit puts it.
RANSAC_PX = 0.5
#: A fit needs this many agreeing samples; with fewer the previous frame's motion is carried on.
MIN_AGREEING = 12
#: A person's region is grown by this factor before the samples inside it are left out.
PERSON_MARGIN = 1.15
#: A sample that moves less than this (work px) is still; the background moves when its fit shifts the
#: image centre by more than MOVING_PX.
STILL_PX = 0.2
MOVING_PX = 0.5
#: A step that moves the image centre less than STILL_PX and zooms less than this is no motion at all.
STILL_ZOOM = 0.001
#: Moving samples that agree among themselves beat still ones when they are at least this share of all.
MOVING_SHARE = 0.3
#: A fixed camera: no image corner moves further than this share of the diagonal, zoom within FIXED_SCALE.
FIXED_FRACTION = 0.005
FIXED_SCALE = 0.015
#: Zoom beyond this (max / min scale - 1) is reported as zooming.
ZOOM_SCALE = 0.1
#: A measured motion is used (keypoints moved to the ground frame) only when its zoom stays within this
#: factor (max / min scale) and no frame's motion had to be carried on: chained fits drift (on a panning
#: race clip the zoom grew about 2x), and a drifting ground frame is worse than the image's.
PLAUSIBLE_SCALE = 1.25

CameraKind = Literal["fixed", "panning", "zooming"]
Matrix = NDArray[np.float64]


@dataclass(frozen=True)
class CameraMotion:
    """Per frame, the similarity from that frame's image pixels to the ground frame (the first frame's
    pixels): `to_ground` (N, 2, 3). `kind` says what the camera did; `pan_px` is how far the image centre
    travelled from where it started (ground-frame px, at most), `scale_change` the ratio of the largest to
    the smallest zoom, `unmeasured_frames` the frames whose motion could not be fitted (carried on from the
    frame before). A fixed camera's transforms are exact identities."""

    to_ground: Matrix
    kind: CameraKind
    pan_px: float
    scale_change: float
    unmeasured_frames: int

    @classmethod
    def fixed(cls, frames: int) -> CameraMotion:
        return cls(_identities(frames), "fixed", 0.0, 1.0, 0)

    @property
    def moving(self) -> bool:
        return self.kind != "fixed"

    @property
    def plausible(self) -> bool:
        """The motion is believable enough to move the keypoints to the ground frame (see PLAUSIBLE_SCALE)."""
        return self.scale_change <= PLAUSIBLE_SCALE and self.unmeasured_frames == 0

    @property
    def in_ground_frame(self) -> bool:
        """The keypoints were moved to the ground frame (the camera moved and its motion is plausible)."""
        return self.moving and self.plausible

    def ground_xy(self, xy: Matrix, rows: slice | NDArray[np.intp] | None = None) -> Matrix:
        """Image points (N, K, 2) of frames `rows` (all by default) in the ground frame."""
        return _apply(self.to_ground if rows is None else self.to_ground[rows], xy)

    def image_xy(self, xy: Matrix, rows: slice | NDArray[np.intp] | None = None) -> Matrix:
        """Ground-frame points (N, K, 2) of frames `rows` back in their image's pixels."""
        forward = self.to_ground if rows is None else self.to_ground[rows]
        return _apply(np.array([_invert(m) for m in forward]).reshape(-1, 2, 3), xy)

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "pan_px": round(self.pan_px, 1),
            "scale_change": round(self.scale_change, 4),
            "unmeasured_frames": self.unmeasured_frames,
        }

    def describe(self) -> str | None:
        """One line for the quality block and the warnings; None for a fixed camera."""
        if not self.moving:
            return None
        if not self.plausible:
            return (
                f"the camera moves ({self.kind}) but its motion could not be measured reliably (zoom seemed to "
                f"change {self.scale_change:.2f}x, {self.unmeasured_frames} frames unmeasured): contacts, speed "
                "and step length are measured in the image and may be wrong"
            )
        zoom = f", zoom changes {100 * (self.scale_change - 1):.0f} %" if self.scale_change > 1 + FIXED_SCALE else ""
        unmeasured = (
            f"; its motion could not be measured in {self.unmeasured_frames} frames (carried on there)"
            if self.unmeasured_frames
            else ""
        )
        return (
            f"the camera is {self.kind} (the image moves up to {self.pan_px:.0f} px over the background{zoom}): "
            f"positions, contacts, speed and step length are measured relative to the ground{unmeasured}"
        )


def _identities(frames: int) -> Matrix:
    eye = np.zeros((frames, 2, 3))
    eye[:, 0, 0] = eye[:, 1, 1] = 1.0
    return eye


def _apply(transforms: Matrix, xy: Matrix) -> Matrix:
    linear, shift = transforms[:, None, :, :2], transforms[:, None, :, 2]
    return np.asarray(np.einsum("nkij,nkj->nki", linear, xy) + shift, dtype=np.float64)


def _invert(m: Matrix) -> Matrix:
    full = np.vstack([m, [0.0, 0.0, 1.0]])
    return np.asarray(np.linalg.inv(full)[:2], dtype=np.float64)


@dataclass(frozen=True)
class FrameFlow:
    """One frame's dense optical flow to its key frame (`flow`: (h, w, 2) work pixels: where each pixel of
    this frame was in frame `key`) and its small grey image; None (and no key) for the first."""

    flow: NDArray[np.float32] | None
    grey: NDArray[np.uint8]
    key: int | None


class CameraMotionEstimator:
    """Measures the background's motion frame to frame and chains it into a CameraMotion.

    Two halves, so that the costly one runs beside the pose model: `measure(index, rgb)` (the decode
    thread: a small grey image and its dense DIS optical flow to the previous frame measured) and
    `take(index, people)` (the tracker, who knows where everyone is: a RANSAC similarity on the flow
    sampled outside everyone's region and on textured background). `result()` gives the CameraMotion."""

    def __init__(
        self,
        *,
        work_side_px: int = WORK_SIDE_PX,
        grid_px: int = GRID_PX,
        ransac_px: float = RANSAC_PX,
        person_margin: float = PERSON_MARGIN,
    ) -> None:
        self.work_side_px = work_side_px
        self.grid_px = grid_px
        self.ransac_px = ransac_px
        self.person_margin = person_margin
        self._stride = 0
        self._full_size = (0, 0)
        self._dis: Any = None
        self._key: tuple[int, NDArray[np.uint8]] | None = None  # the key frame's index and grey image
        self._since_key = 0
        self._measured: dict[int, FrameFlow] = {}
        # per frame taken, in order: its index, its key frame's and this frame's work px -> the key frame's
        # (None: unmeasured, as the frame before)
        self._steps: list[tuple[int, int | None, Matrix | None]] = []
        self._same_as: dict[int, int] = {}  # a frame left out (a repeat) -> the frame taken before it
        self._unmeasured = 0
        self._taken = 0

    # --- the decode thread ----------------------------------------------------------------------------------

    def measure(self, index: int, rgb: NDArray[np.uint8]) -> None:
        """The frame's small grey image and its flow to the key frame (frames must come in order; a frame
        left out, e.g. a repeated image, is simply not measured)."""
        if not self._stride:
            height, width = rgb.shape[:2]
            self._full_size = (width, height)
            self._stride = max(1, round(max(width, height) / self.work_side_px))
            self._dis = cv2.DISOpticalFlow_create(cv2.DISOPTICAL_FLOW_PRESET_ULTRAFAST)  # type: ignore[attr-defined]
            # the preset stops at a quarter of the work size, which reads a pan ~5 % short (a stance foot then
            # slides over the ground); half the work size is unbiased (tested) for a little more time
            self._dis.setFinestScale(DIS_FINEST_SCALE)
        # every n-th pixel: 5x cheaper than an area resize of a full-HD frame, and the flow is as good
        grey = np.asarray(
            cv2.cvtColor(np.ascontiguousarray(rgb[:: self._stride, :: self._stride]), cv2.COLOR_RGB2GRAY),
            dtype=np.uint8,
        )
        key = self._key
        flow = None if key is None else self._dis.calc(grey, key[1], None)
        self._measured[index] = FrameFlow(flow, grey, None if key is None else key[0])
        self._since_key += 1
        if key is None or self._since_key >= KEY_FRAMES or _typical_shift(flow) >= KEY_SHIFT_PX:
            self._key, self._since_key = (index, grey), 0

    # --- the tracker ----------------------------------------------------------------------------------------

    def take(self, index: int, people: Sequence[tuple[float, float, float]]) -> None:
        """Fit the motion of measured frame `index`, with everyone's region in it as (centre x, centre y,
        radius) in image pixels."""
        measured = self._measured.pop(index)
        self._taken += 1
        step = None if measured.flow is None else self._step(measured, people)
        self._steps.append((index, measured.key, np.eye(3) if measured.key is None else step))

    def skip(self, index: int) -> None:
        """Measured frame `index` is left out (a repeated image): a flow measured against it holds as well
        against the frame taken before it (they are the same image)."""
        self._measured.pop(index, None)
        if self._steps:
            self._same_as[index] = self._steps[-1][0]

    def _step(self, measured: FrameFlow, people: Sequence[tuple[float, float, float]]) -> Matrix | None:
        assert measured.flow is not None
        grey, flow = measured.grey, measured.flow
        height, width = grey.shape
        ys, xs = np.mgrid[self.grid_px // 2 : height : self.grid_px, self.grid_px // 2 : width : self.grid_px]
        keep = _textured(grey)[ys, xs]
        s = 1.0 / self._stride
        for x, y, radius in people:
            r = radius * self.person_margin * s
            cx, cy = x * s, y * s
            keep &= ~((np.abs(xs - cx) <= r) & (np.abs(ys - cy) <= r))  # the region's circle holds the whole body
        if int(keep.sum()) < MIN_AGREEING:
            self._unmeasured += 1
            return None
        here = np.stack([xs[keep], ys[keep]], axis=1).astype(np.float32)
        there = here + flow[ys[keep], xs[keep]]
        step = self._fit(here, there, (height, width))
        if step is None:
            self._unmeasured += 1
            return None
        if _centre_shift(step, (height, width)) < STILL_PX and abs(_zoom(step) - 1.0) < STILL_ZOOM:
            step = np.eye(3)  # no motion: the flow's noise is not chained into a drift
        return step

    def _fit(self, here: NDArray[np.float32], there: NDArray[np.float32], shape: tuple[int, int]) -> Matrix | None:
        """The background's motion: the RANSAC similarity of all samples; when that is no motion but the
        samples that do move agree on one (a burnt-in overlay or a player's controls over a moving
        background), theirs."""
        best = self._similarity(here, there)
        if best is None:
            return None
        step = best[0]
        if _centre_shift(step, shape) < MOVING_PX:
            movers = np.hypot(*(there - here).T) >= STILL_PX
            if np.sum(movers) >= max(MIN_AGREEING, MOVING_SHARE * len(here)):
                moving = self._similarity(here[movers], there[movers])
                if (
                    moving is not None
                    and np.sum(moving[1]) >= max(MIN_AGREEING, MOVING_SHARE * len(here))
                    and _centre_shift(moving[0], shape) >= MOVING_PX
                ):
                    step = moving[0]
        return step

    def _similarity(
        self, here: NDArray[np.float32], there: NDArray[np.float32]
    ) -> tuple[Matrix, NDArray[np.bool_]] | None:
        fit, agree = cv2.estimateAffinePartial2D(
            here, there, method=cv2.RANSAC, ransacReprojThreshold=self.ransac_px, maxIters=500, confidence=0.995
        )
        if fit is None or agree is None or int(agree.sum()) < MIN_AGREEING:
            return None
        return np.vstack([fit, [0.0, 0.0, 1.0]]), agree.ravel().astype(bool)

    # --- the end ---------------------------------------------------------------------------------------------

    def result(self) -> CameraMotion:
        """The motion of the frames taken, chained to the first frame; "fixed" (identities) when small."""
        frames = self._taken
        if frames == 0:
            return CameraMotion.fixed(0)
        placed: dict[int, Matrix] = {}  # frame index -> its work px to the ground frame's
        chain: list[Matrix] = []
        for index, key, step in self._steps:
            if step is None or key is None:  # unmeasured: as the frame before (the first: the ground frame)
                placed[index] = chain[-1] if chain else np.eye(3)
            else:
                placed[index] = placed.get(key, placed.get(self._same_as.get(key, -1), np.eye(3))) @ step
            chain.append(placed[index])
        scale = np.diag([1.0 / self._stride, 1.0 / self._stride, 1.0])
        to_ground = np.array([np.linalg.inv(scale) @ m @ scale for m in chain])[:, :2, :]
        width, height = self._full_size
        corners = np.array([[0.0, 0.0], [width, 0.0], [0.0, height], [width, height]])
        moved = _apply(to_ground, np.broadcast_to(corners, (frames, 4, 2)))
        drift = float(np.max(np.hypot(*(moved - corners).transpose(2, 0, 1))))
        zoom = np.sqrt(np.abs(np.linalg.det(to_ground[:, :, :2])))
        scale_change = float(np.max(zoom) / np.min(zoom))
        if drift <= FIXED_FRACTION * float(np.hypot(width, height)) and scale_change <= 1 + FIXED_SCALE:
            log.info("camera fixed (image corners within %.1f px)", drift)
            return CameraMotion.fixed(frames)
        centre = _apply(to_ground, np.broadcast_to([[width / 2, height / 2]], (frames, 1, 2)))[:, 0]
        pan = float(np.max(np.hypot(*(centre - centre[0]).T)))
        kind: CameraKind = "zooming" if scale_change > 1 + ZOOM_SCALE else "panning"
        log.info("camera %s: pan %.0f px, scale x%.3f, %d unmeasured", kind, pan, scale_change, self._unmeasured)
        return CameraMotion(to_ground, kind, pan, scale_change, self._unmeasured)


def _textured(grey: NDArray[np.uint8]) -> NDArray[np.bool_]:
    """Where the image has an edge or a corner to follow (flat areas: black bars, clear sky, a plain wall
    carry no motion, and the flow there is only filled in from around)."""
    gx = cv2.Sobel(grey, cv2.CV_32F, 1, 0, ksize=3)
    gy = cv2.Sobel(grey, cv2.CV_32F, 0, 1, ksize=3)
    energy = cv2.blur(np.abs(gx) + np.abs(gy), (5, 5))
    return np.asarray(energy >= TEXTURE_LEVEL)


def _typical_shift(flow: NDArray[np.float32] | None) -> float:
    """The median length of a flow (work px; every 8th pixel), people and background alike."""
    if flow is None:
        return 0.0
    sample = flow[::8, ::8]
    return float(np.median(np.hypot(sample[..., 0], sample[..., 1])))


def _zoom(step: Matrix) -> float:
    return float(np.sqrt(abs(np.linalg.det(step[:2, :2]))))


def _centre_shift(step: Matrix, shape: tuple[int, int]) -> float:
    """How far a step moves the image centre (px)."""
    centre = np.array([shape[1] / 2, shape[0] / 2, 1.0])
    return float(np.hypot(*(step @ centre - centre)[:2]))

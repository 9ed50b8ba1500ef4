"""From a synthetic athlete in metres to what a phone camera and a pose model would give:
pixels (y down), jitter, left/right label swaps, dropouts and low far-side confidence."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from ..sequence import PoseSequence

Array = NDArray[np.float64]


@dataclass(frozen=True)
class Camera:
    """A static side-view camera. `facing`: where the athlete runs in the image."""

    px_per_m: float = 250.0
    image_height_px: int = 1080
    ground_px: float = 950.0
    facing: str = "right"
    roll_deg: float = 0.0
    origin_x_m: float = 0.0


@dataclass(frozen=True)
class Artefacts:
    """Pose-model artefacts (DOMAIN.md): all off by default."""

    jitter_px: float = 0.0
    swap_fraction: float = 0.0
    dropout_fraction: float = 0.0
    max_dropout_s: float = 0.1
    far_side_score: float = 1.0


LEG = ("hip", "knee", "ankle", "heel", "foot_index")


def to_image(points_m: dict[str, Array], camera: Camera) -> dict[str, Array]:
    sign = 1.0 if camera.facing == "right" else -1.0
    roll = np.radians(camera.roll_deg)
    rot = np.array([[np.cos(roll), -np.sin(roll)], [np.sin(roll), np.cos(roll)]])
    out = {}
    for name, p in points_m.items():
        q = (p - np.array([camera.origin_x_m, 0.0])) @ rot.T
        out[name] = np.stack(
            [sign * q[:, 0] * camera.px_per_m + 960.0, camera.ground_px - q[:, 1] * camera.px_per_m], axis=1
        )
    return out


def film(
    time_s: Array, points_m: dict[str, Array], camera: Camera, artefacts: Artefacts, *, seed: int, source: str
) -> PoseSequence:
    """A side-view athlete (keypoints in metres) as the pose model would give them from `camera`: the far
    side is the one away from the camera."""
    far = "left" if camera.facing == "right" else "right"
    return observe(time_s, to_image(points_m, camera), artefacts, seed=seed, far_side=far, source=source)


def observe(
    time_s: Array,
    points_px: dict[str, Array],
    artefacts: Artefacts,
    *,
    seed: int = 0,
    far_side: str = "left",
    source: str = "<synthetic>",
) -> PoseSequence:
    """Apply artefacts and pack a PoseSequence."""
    rng = np.random.default_rng(seed)
    names = tuple(points_px)
    xy = np.stack([points_px[n] for n in names], axis=1).astype(float)
    n = len(time_s)
    score = np.ones(xy.shape[:2])
    for k, name in enumerate(names):
        if name.startswith(far_side):
            score[:, k] = artefacts.far_side_score
    if artefacts.jitter_px > 0:
        xy += rng.normal(0.0, artefacts.jitter_px, xy.shape)
    if artefacts.swap_fraction > 0:
        swapped = _random_runs(rng, n, artefacts.swap_fraction, max_run=3)
        for joint in LEG:
            a, b = f"left_{joint}", f"right_{joint}"
            if a in names and b in names:
                ia, ib = names.index(a), names.index(b)
                xy[swapped, ia], xy[swapped, ib] = xy[swapped, ib].copy(), xy[swapped, ia].copy()
    if artefacts.dropout_fraction > 0:
        fps = 1.0 / float(np.median(np.diff(time_s)))
        max_run = max(1, int(artefacts.max_dropout_s * fps))
        for k in range(len(names)):
            lost = _random_runs(rng, n, artefacts.dropout_fraction, max_run=max_run)
            xy[lost, k] = np.nan
            score[lost, k] = 0.0
    return PoseSequence(time_s=time_s, xy=xy, score=score, names=names, source=source)


def _random_runs(rng: np.random.Generator, n: int, fraction: float, *, max_run: int) -> np.ndarray:
    """Boolean mask covering about `fraction` of n frames with runs of 1..max_run frames."""
    mask = np.zeros(n, dtype=bool)
    target = round(fraction * n)
    guard = 0
    while mask.sum() < target and guard < 10 * n:
        length = int(rng.integers(1, max_run + 1))
        start = int(rng.integers(1, max(2, n - length - 1)))
        mask[start : start + length] = True
        guard += 1
    return mask

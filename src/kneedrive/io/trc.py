"""OpenSim / Sports2D `.trc` marker files, 2D or 3D, mapped onto our keypoint names.

Marker names are matched case-insensitively, ignoring `_`, `.`, `-` and spaces, against the
candidates in `MARKER_ALIASES` (first match wins). When no hip marker exists, the hip joint
centre is estimated from the pelvis markers (ASIS and sacrum/PSIS) with the Bell, Pedersen &
Brand (1990) regression: 19 % of the inter-ASIS width posterior and 30 % inferior to the ASIS.

3D files are reduced to the athlete's sagittal plane: the vertical axis is the one along which
the hips sit highest above the ankles, the forward axis is the main horizontal direction of
ankle motion (principal component). Y-down 2D files are recognised by anatomy (hips below
ankles) and flipped.
"""

from __future__ import annotations

import math
import re
import warnings
from pathlib import Path

import numpy as np

from ..errors import InputError
from ..sequence import PoseSequence
from .checks import check_time

#: Our keypoint (without side) -> marker names used by Sports2D/OpenPose, BlazePose, Vicon
#: Plug-in-Gait and common OpenSim marker sets. "{S}" is the side letter (L/R), "{side}" the word.
MARKER_ALIASES: dict[str, tuple[str, ...]] = {
    "hip": ("{side}_hip", "{S}Hip", "{S}HJC", "{S}_HJC", "{S}_hip"),
    "knee": ("{side}_knee", "{S}Knee", "{S}KJC", "{S}KNE", "{S}LEPI", "{S}LFC", "{S}_knee", "{S}LE"),
    "ankle": ("{side}_ankle", "{S}Ankle", "{S}AJC", "{S}ANK", "{S}LMAL", "{S}LM", "{S}_ankle"),
    "heel": ("{side}_heel", "{S}Heel", "{S}HEE", "{S}HEEL", "{S}CAL", "{S}_heel"),
    "foot_index": ("{side}_foot_index", "{S}BigToe", "{S}TOE", "{S}P1MT", "{S}MT2", "{S}FM2", "{S}_toe"),
    "shoulder": ("{side}_shoulder", "{S}Shoulder", "{S}SHO", "{S}SH", "{S}ACR", "{S}_shoulder"),
    "elbow": ("{side}_elbow", "{S}Elbow", "{S}ELB", "{S}LEL", "{S}_elbow"),
    "wrist": ("{side}_wrist", "{S}Wrist", "{S}WRA", "{S}WR", "{S}WRB", "{S}_wrist"),
}
#: Unsided keypoints.
HEAD_ALIASES: dict[str, tuple[str, ...]] = {"nose": ("nose", "Nose", "Head", "HEAD")}
PELVIS_ASIS = ("{S}ASI", "{S}ASIS")
PELVIS_BACK = ("SACR", "SACRUM", "{S}PSI", "{S}PSIS")

UNITS_PER_M = {"mm": 1000.0, "cm": 100.0, "m": 1.0, "in": 1 / 0.0254, "inch": 1 / 0.0254, "inches": 1 / 0.0254}
#: Units of unknown scale (image coordinates): lengths come from --px-per-m or --athlete-height-m.
PIXEL_UNITS = ("px", "pixel", "pixels", "")


def _key(name: str) -> str:
    return re.sub(r"[\s_.\-]", "", name).lower()


def read_trc(path: Path) -> PoseSequence:
    path = Path(path)
    try:
        lines = path.read_text(encoding="utf-8", errors="strict").splitlines()
    except UnicodeDecodeError as exc:
        raise InputError(f"{path}: not a text .trc file") from exc
    if len(lines) < 6 or not lines[0].startswith("PathFileType"):
        raise InputError(f"{path}: not a .trc file (first line should start with PathFileType)")
    meta = dict(zip(lines[1].split("\t"), lines[2].split("\t"), strict=False))
    units = meta.get("Units", "mm").strip().lower()
    if units not in UNITS_PER_M and units not in PIXEL_UNITS:
        known = ", ".join([*UNITS_PER_M, "px"])
        raise InputError(f"{path}: unknown Units {units!r} in the header (known: {known})")
    marker_cells = lines[3].split("\t")[2:]
    markers = [m.strip() for m in marker_cells if m.strip()]
    axes = [a.strip() for a in lines[4].split("\t")[2:] if a.strip()]
    if not markers:
        raise InputError(f"{path}: no marker names on line 4")
    ndim = 3 if len(axes) >= 3 * len(markers) else 2
    rows, line_numbers = [], []
    for lineno, line in enumerate(lines[5:], start=6):
        if not line.strip():
            continue
        cells = line.split("\t")
        try:
            values = [float(c) if c.strip() else math.nan for c in cells]
        except ValueError:
            raise InputError(f"{path}: line {lineno} holds a value that is not a number") from None
        if len(values) < 2 + ndim * len(markers):
            values += [math.nan] * (2 + ndim * len(markers) - len(values))
        rows.append(values[: 2 + ndim * len(markers)])
        line_numbers.append(lineno)
    if not rows:
        raise InputError(f"{path}: no frames")
    data = np.asarray(rows, dtype=float)
    notes = []
    declared = _declared_frames(meta)
    if declared is not None and len(data) < declared:
        notes.append(f"the header says {declared} frames, the file holds {len(data)}: cut short?")
    time_s = data[:, 1]
    if not np.all(np.isfinite(time_s)):
        rate = float(meta.get("DataRate", "nan"))
        if not math.isfinite(rate) or rate <= 0:
            raise InputError(f"{path}: no time column and no valid DataRate")
        frame = data[:, 0]
        if not np.all(np.isfinite(frame)):
            bad = int(np.argmin(np.isfinite(frame)))
            raise InputError(f"{path}: line {line_numbers[bad]} has neither a time nor a frame number")
        time_s = (frame - frame[0]) / rate
    coords = data[:, 2:].reshape(len(data), len(markers), ndim)
    if ndim == 3:  # OpenSim writes a missing marker as 0 0 0
        coords[np.all(coords == 0.0, axis=2)] = np.nan
    by_key = {_key(m): coords[:, i, :] for i, m in enumerate(markers)}
    check_time(time_s, str(path), lines=np.asarray(line_numbers))
    seq = _to_sequence(path, time_s, by_key, ndim, UNITS_PER_M.get(units))
    return seq.replace(warnings=tuple(notes)) if notes else seq


def _declared_frames(meta: dict[str, str]) -> int | None:
    try:
        value = float(meta.get("NumFrames", "nan"))
    except ValueError:
        return None
    return int(value) if math.isfinite(value) and value > 0 else None


def _find(by_key: dict[str, np.ndarray], candidates: tuple[str, ...], side: str) -> np.ndarray | None:
    for pattern in candidates:
        name = pattern.format(S=side[:1].upper(), side=side)
        hit = by_key.get(_key(name))
        if hit is not None and np.any(np.isfinite(hit)):
            return hit
    return None


def _to_sequence(
    path: Path, time_s: np.ndarray, by_key: dict[str, np.ndarray], ndim: int, units_per_m: float | None
) -> PoseSequence:
    points: dict[str, np.ndarray] = {}
    for side in ("left", "right"):
        for joint, candidates in MARKER_ALIASES.items():
            hit = _find(by_key, candidates, side)
            if hit is not None:
                points[f"{side}_{joint}"] = hit
    for name, candidates in HEAD_ALIASES.items():
        hit = _find(by_key, candidates, "")
        if hit is not None:
            points[name] = hit
    width = _pelvis_width(by_key)
    no_limbs = [k for k in ("left_knee", "right_knee", "left_ankle", "right_ankle") if k not in points]
    if no_limbs:
        raise InputError(
            f"{path}: no marker with data found for {', '.join(no_limbs)} (see kneedrive.io.trc.MARKER_ALIASES)"
        )
    if ndim == 3:
        vertical, forward = _sagittal_axes(points, by_key)
        points = {k: _project(v, vertical, forward) for k, v in points.items()}
        pelvis = {k: _project(v, vertical, forward) for k, v in by_key.items()}
    else:
        pelvis = by_key
    for side in ("left", "right"):
        if f"{side}_hip" not in points:
            hjc = _hip_from_pelvis(pelvis, side, width)
            if hjc is not None:
                points[f"{side}_hip"] = hjc
    missing = [
        k for k in ("left_hip", "right_hip", "left_knee", "right_knee", "left_ankle", "right_ankle") if k not in points
    ]
    if missing:
        raise InputError(f"{path}: no marker found for {', '.join(missing)} (see kneedrive.io.trc.MARKER_ALIASES)")
    names = tuple(points)
    xy = np.stack([points[n] for n in names], axis=1)  # (N, K, 2), y up
    hips_above = np.nanmedian(xy[:, names.index("left_hip"), 1] - xy[:, names.index("left_ankle"), 1])
    if hips_above > 0:  # y up: flip to the image convention (y down) used by PoseSequence
        xy[..., 1] *= -1.0
    score = np.where(np.all(np.isfinite(xy), axis=2), 1.0, 0.0)
    return PoseSequence(time_s=time_s, xy=xy, score=score, names=names, units_per_m=units_per_m, source=str(path))


def _sagittal_axes(points: dict[str, np.ndarray], by_key: dict[str, np.ndarray]) -> tuple[int, np.ndarray]:
    """Vertical: the axis along which the pelvis (hips, or knees, and the pelvis markers) sits
    furthest from the feet (ankles, heels, toes), medians over the whole clip and all those markers
    pooled, so a dropout of one marker cannot tip it. Forward: the main horizontal direction of the
    ankles' motion."""
    upper = [points[k] for k in ("left_hip", "right_hip") if k in points]
    upper += [
        v for k, v in by_key.items() if any(k == _key(p.format(S=s)) for p in PELVIS_ASIS + PELVIS_BACK for s in "LR")
    ]
    if not upper:
        upper = [points["left_knee"], points["right_knee"]]
    lower = [
        points[f"{s}_{j}"] for s in ("left", "right") for j in ("ankle", "heel", "foot_index") if f"{s}_{j}" in points
    ]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # an all-NaN axis gives NaN, handled below
        height = np.nanmedian(np.concatenate(upper), axis=0) - np.nanmedian(np.concatenate(lower), axis=0)
    if not np.all(np.isfinite(height)):
        raise InputError("too few hip and ankle positions to find the vertical axis")
    vertical = int(np.argmax(np.abs(height)))
    horizontal = [a for a in range(3) if a != vertical]
    feet = np.concatenate([points["left_ankle"], points["right_ankle"]])[:, horizontal]
    feet = feet[np.all(np.isfinite(feet), axis=1)]
    if len(feet) < 3:
        raise InputError("too few ankle positions to find the sagittal plane")
    _, _, vt = np.linalg.svd(feet - feet.mean(axis=0), full_matrices=False)
    forward = np.zeros(3)
    forward[horizontal] = vt[0] if vt[0][0] >= 0 else -vt[0]  # a stable sign: the first horizontal axis
    return vertical, forward


def _project(p: np.ndarray, vertical: int, forward: np.ndarray) -> np.ndarray:
    return np.stack([p @ forward, p[:, vertical]], axis=1)


def _pelvis_width(by_key: dict[str, np.ndarray]) -> float | None:
    """Inter-ASIS distance, measured in the file's own dimensions (3D: the true width)."""
    left, right = _find(by_key, PELVIS_ASIS, "left"), _find(by_key, PELVIS_ASIS, "right")
    if left is None or right is None or left.shape[1] != 3:
        return None
    return float(np.nanmedian(np.linalg.norm(left - right, axis=1)))


def _hip_from_pelvis(pelvis: dict[str, np.ndarray], side: str, width: float | None) -> np.ndarray | None:
    """Bell et al. (1990) hip joint centre in the sagittal plane (y up here)."""
    asis = _find(pelvis, PELVIS_ASIS, side)
    back = _find(pelvis, PELVIS_BACK, side)
    if asis is None or back is None:
        return None
    if width is None:  # a 2D side view hides the width: a pelvis is ~1.4x wider than deep
        width = 1.4 * float(np.nanmedian(np.linalg.norm(asis - back, axis=1)))
    fwd = asis - back
    fwd = fwd / np.linalg.norm(fwd, axis=1, keepdims=True)
    up = np.stack([-fwd[:, 1], fwd[:, 0]], axis=1)  # forward turned by 90 degrees
    if np.nanmedian(up[:, 1]) < 0:
        up = -up
    result: np.ndarray = asis - 0.19 * width * fwd - 0.30 * width * up
    return result


def trc_text(seq: PoseSequence) -> str:
    """A 3-column (X, Y, Z=0) .trc of the keypoints, Y up, in the sequence's units
    (pixels unless the source had metric units). Read back by `read_trc`."""
    units = "mm" if seq.units_per_m == 1000.0 else "m" if seq.units_per_m == 1.0 else "px"
    names = seq.names
    lines = [
        "PathFileType\t4\t(X/Y/Z)\tkneedrive.trc",
        "DataRate\tCameraRate\tNumFrames\tNumMarkers\tUnits\tOrigDataRate\tOrigDataStartFrame\tOrigNumFrames",
        f"{seq.fps_hz:.6f}\t{seq.fps_hz:.6f}\t{seq.n_frames}\t{len(names)}\t{units}\t{seq.fps_hz:.6f}\t1\t{seq.n_frames}",
        "Frame#\tTime\t" + "\t\t\t".join(names) + "\t\t",
        "\t\t" + "\t".join(f"X{i}\tY{i}\tZ{i}" for i in range(1, len(names) + 1)),
        "",
    ]
    for i in range(seq.n_frames):
        cells = [str(i + 1), repr(float(seq.time_s[i]))]
        for k in range(len(names)):
            x, y = seq.xy[i, k]
            if math.isfinite(x) and math.isfinite(y):
                cells += [f"{x:.4f}", f"{-y:.4f}", "0"]
            else:
                cells += ["", "", ""]
        lines.append("\t".join(cells))
    return "\n".join(lines) + "\n"

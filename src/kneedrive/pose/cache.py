"""The pose cache: re-analyzing a video with other analysis options does not run the pose model again.

Key: SHA-256 of the video's bytes + model id + every option that changes the pose (trim, person) + the
pipeline version. Location: $KNEEDRIVE_CACHE_DIR, else the user cache folder (platformdirs). Entries are
.npz files written atomically (a temporary file renamed into place, so a killed run leaves no half entry).

An entry is checked when read: a file that is empty, cut short or no .npz, one written by another
version, and one whose arrays or metadata do not fit together (shapes, time going back, infinite
coordinates, scores outside 0-1, no frame with a pose) is logged as a warning, deleted, and the pose is
computed again; never a traceback, never a result built from it.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import logging
import os
import time
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import platformdirs
from numpy.typing import NDArray

from ..io.atomic import write_bytes_atomic

log = logging.getLogger(__name__)

#: Bump when a change to the pose pipeline changes its output. 18: the athlete followed back from his first pose
#: (pose.follow_back);
#: 17 (16 while it was tried): the camera's motion measured against key frames (camera.KEY_FRAMES);
#: 15: a segment cut where the clothes change, differently dressed pieces not joined;
#: 14: the zoomed re-look matches on the larger size; 13: close contenders followed in every frame;
#: 12: a person the model loses (or a detection it cannot see) looked for again zoomed in;
#: 11: a later continuation counts as further (people.DRIFT_RADII_PER_S), people joined on the body's clock;
#: 10: a noisy repeat amid motion left out (repeats.RELATIVE_SHARE); 9: a lost athlete searched for (SEARCH_S)
#: unless lost at the image's edge; 8: people whose end leads into
#: another's start joined after the fragments; 7: long segments joined into people first, fragments after;
#: 6: brief overlaps of one person's tracks stitched; 5: repeated frames left out
PIPELINE_VERSION = 18


def cache_dir() -> Path:
    override = os.environ.get("KNEEDRIVE_CACHE_DIR")
    return Path(override) if override else Path(platformdirs.user_cache_dir("kneedrive")) / "pose"


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def cache_key(video_sha256: str, model_id: str, options: dict[str, Any]) -> str:
    text = json.dumps(
        {"video": video_sha256, "model": model_id, "options": options, "pipeline": PIPELINE_VERSION}, sort_keys=True
    )
    return hashlib.sha256(text.encode()).hexdigest()[:32]


#: Written into every entry with PIPELINE_VERSION; an entry with other numbers is from another version.
ENTRY_FORMAT = 1
#: A temporary file of a write older than this (s) is a leftover of a killed run and is deleted.
STALE_PART_S = 3600.0


@dataclass(frozen=True)
class CachedPose:
    time_s: NDArray[np.float64]
    xy: NDArray[np.float64]
    score: NDArray[np.float64]
    meta: dict[str, Any]
    #: (N, 2, 3) per frame, image px -> ground frame px (see pose/camera.py); None: a fixed camera.
    camera: NDArray[np.float64] | None = None


class DamagedEntry(ValueError):
    """A cache entry that cannot be what `store` wrote."""


def entry_path(key: str) -> Path:
    return cache_dir() / f"{key}.npz"


def load(key: str, n_keypoints: int) -> CachedPose | None:
    """The entry stored under `key` for a backend with `n_keypoints` keypoints; None when there is none or
    it is damaged (then it is deleted, with a warning)."""
    path = entry_path(key)
    if not path.is_file():
        return None
    try:
        with np.load(path, allow_pickle=False) as data:
            pose = _read(data, n_keypoints)
    except (OSError, EOFError, KeyError, ValueError, TypeError, zipfile.BadZipFile) as exc:
        log.warning("pose cache entry %s is damaged (%s): deleted, running the pose model again", path, exc)
        with contextlib.suppress(OSError):  # a read-only cache folder: the entry is rewritten, or left
            path.unlink()
        return None
    return pose


def _read(data: Any, n_keypoints: int) -> CachedPose:
    if "version" not in data.files:
        raise DamagedEntry("no version")
    version = data["version"]
    if version.shape != (2,) or version.tolist() != [ENTRY_FORMAT, PIPELINE_VERSION]:
        raise DamagedEntry(f"version {version.tolist()}, expected {[ENTRY_FORMAT, PIPELINE_VERSION]}")
    meta = json.loads(str(data["meta"]))
    pose = CachedPose(
        time_s=_floats(data["time_s"], "time_s"),
        xy=_floats(data["xy"], "xy"),
        score=_floats(data["score"], "score"),
        meta=meta if isinstance(meta, dict) else {},
        camera=_floats(data["camera"], "camera") if "camera" in data.files else None,
    )
    if not isinstance(meta, dict):
        raise DamagedEntry(f"metadata is a {type(meta).__name__}, not an object")
    check_entry(pose, n_keypoints)
    return pose


def _floats(array: NDArray[Any], name: str) -> NDArray[np.float64]:
    if array.dtype.kind != "f":
        raise DamagedEntry(f"{name} holds {array.dtype}, not numbers")
    return np.asarray(array, dtype=np.float64)


def check_entry(pose: CachedPose, n_keypoints: int) -> None:
    """Raise DamagedEntry unless the entry is one `estimate_pose` could have stored."""
    n = len(pose.time_s)
    shapes = {"time_s": (pose.time_s.shape, (n,)), "xy": (pose.xy.shape, (n, n_keypoints, 2))}
    shapes["score"] = (pose.score.shape, (n, n_keypoints))
    if pose.camera is not None:
        shapes["camera"] = (pose.camera.shape, (n, 2, 3))
    for name, (shape, expected) in shapes.items():
        if shape != expected:
            raise DamagedEntry(f"{name} has shape {shape}, expected {expected}")
    if n < 1 or not np.all(np.isfinite(pose.time_s)) or np.any(np.diff(pose.time_s) <= 0):
        raise DamagedEntry("time stamps are not finite and increasing")
    if np.any(np.isinf(pose.xy)) or not np.all((pose.score >= 0.0) & (pose.score <= 1.0)):
        raise DamagedEntry("infinite coordinates or scores outside 0-1")
    if pose.camera is not None and not np.all(np.isfinite(pose.camera)):
        raise DamagedEntry("camera transforms are not finite")
    if not np.any(np.isfinite(pose.xy[:, :, 0]) & (pose.score > 0)):
        raise DamagedEntry("no frame with a pose")
    _check_meta(pose.meta)


def _check_meta(meta: dict[str, Any]) -> None:
    camera = meta.get("camera")
    fields = {
        "person": meta.get("person") is None or _whole(meta.get("person")),
        "people": _whole(meta.get("people")),
        "whole_clip": isinstance(meta.get("whole_clip"), bool),
        "frames_repeated": _whole(meta.get("frames_repeated", 0)),
        "camera": camera is None or (isinstance(camera, dict) and _camera_meta(camera)),
    }
    wrong = [name for name, ok in fields.items() if not ok]
    if wrong:
        raise DamagedEntry(f"metadata {', '.join(wrong)} not as the pose stage writes it")


def _whole(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _camera_meta(camera: dict[str, Any]) -> bool:
    numbers = [camera.get("pan_px"), camera.get("scale_change")]
    return (
        isinstance(camera.get("kind"), str)
        and all(isinstance(v, int | float) and not isinstance(v, bool) for v in numbers)
        and _whole(camera.get("unmeasured_frames"))
    )


def store(key: str, pose: CachedPose) -> None:
    buffer = io.BytesIO()
    arrays = {
        "time_s": pose.time_s,
        "xy": pose.xy,
        "score": pose.score,
        "meta": np.array(json.dumps(pose.meta)),
        "version": np.array([ENTRY_FORMAT, PIPELINE_VERSION]),
    }
    if pose.camera is not None:
        arrays["camera"] = pose.camera
    np.savez(buffer, **arrays)  # type: ignore[arg-type]
    try:
        remove_leftovers()
        write_bytes_atomic(entry_path(key), buffer.getvalue())
    except OSError as exc:  # a read-only or full cache folder must not stop the analysis
        log.warning("could not write the pose cache (%s)", exc)


def remove_leftovers(now: float | None = None) -> int:
    """Delete the temporary files of writes that a killed run left (older than STALE_PART_S; a younger one
    may be another process's write in progress). Returns how many."""
    folder = cache_dir()
    if not folder.is_dir():
        return 0
    now = time.time() if now is None else now
    removed = 0
    for part in folder.glob(".*.npz.*.part"):
        with contextlib.suppress(OSError):  # gone already (another process cleaned it)
            if now - part.stat().st_mtime > STALE_PART_S:
                part.unlink()
                removed += 1
    if removed:
        log.info("removed %d leftover pose cache file(s) of interrupted runs", removed)
    return removed

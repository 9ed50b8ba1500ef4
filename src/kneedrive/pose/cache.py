"""The pose cache: re-analyzing a video with other analysis options does not run the pose model again.

Key: SHA-256 of the video's bytes + model id + every option that changes the pose (trim, person) + the
pipeline version. Location: $KNEEDRIVE_CACHE_DIR, else the user cache folder (platformdirs). Entries are
.npz files written atomically; a damaged entry is ignored and rewritten.
"""

from __future__ import annotations

import hashlib
import io
import json
import logging
import os
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import platformdirs
from numpy.typing import NDArray

from ..io.atomic import write_bytes_atomic

log = logging.getLogger(__name__)

#: Bump when a change to the pose pipeline changes its output.
#: 8: people whose end leads into another's start joined after the fragments; 7: long segments joined into
#: people first, fragments after; 6: brief overlaps of one person's tracks
#: stitched; 5: repeated frames left out
PIPELINE_VERSION = 8


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


@dataclass(frozen=True)
class CachedPose:
    time_s: NDArray[np.float64]
    xy: NDArray[np.float64]
    score: NDArray[np.float64]
    meta: dict[str, Any]
    #: (N, 2, 3) per frame, image px -> ground frame px (see pose/camera.py); None: a fixed camera.
    camera: NDArray[np.float64] | None = None


def load(key: str) -> CachedPose | None:
    path = cache_dir() / f"{key}.npz"
    if not path.is_file():
        return None
    try:
        with np.load(path, allow_pickle=False) as data:
            return CachedPose(
                time_s=data["time_s"],
                xy=data["xy"],
                score=data["score"],
                meta=json.loads(str(data["meta"])),
                camera=data["camera"] if "camera" in data.files else None,
            )
    except (OSError, KeyError, ValueError, zipfile.BadZipFile) as exc:
        log.warning("pose cache entry %s is unreadable (%s); running the pose model again", path, exc)
        return None


def store(key: str, pose: CachedPose) -> None:
    buffer = io.BytesIO()
    arrays = {"time_s": pose.time_s, "xy": pose.xy, "score": pose.score, "meta": np.array(json.dumps(pose.meta))}
    if pose.camera is not None:
        arrays["camera"] = pose.camera
    np.savez(buffer, **arrays)  # type: ignore[arg-type]
    try:
        write_bytes_atomic(cache_dir() / f"{key}.npz", buffer.getvalue())
    except OSError as exc:  # a read-only or full cache folder must not stop the analysis
        log.warning("could not write the pose cache (%s)", exc)

"""The pose cache heals itself (issue 17): an entry that is empty, cut short, no .npz, from another version
or inconsistent is logged, deleted and computed again, with the same result as a fresh run; a killed
write leaves no entry, and its leftover is cleaned up later.

The pose pass is replaced by a counted stand-in on a 12-frame clip, so every case runs in well under a
second and the test knows exactly how often the pose "model" ran.
"""

from __future__ import annotations

import contextlib
import io
import json
import logging
import os
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np
import pytest

from kneedrive.pose import cache, estimate_pose
from kneedrive.pose import run as pose_run
from kneedrive.pose.backend import PoseEstimate
from kneedrive.pose.detector import PersonDetection
from kneedrive.pose.people import PeopleScan, PersonTrack
from kneedrive.sequence import REQUIRED_KEYPOINTS

from .videoclips import write_clip

FRAMES = 12


class StandIn:
    names = REQUIRED_KEYPOINTS
    model_id = "cache-test-1"

    def estimate(self, image: np.ndarray, seed: PersonDetection) -> PoseEstimate | None:
        raise AssertionError("the scan is replaced; the backend is never called")


def _scan(runs: list[int]) -> Callable[..., PeopleScan]:
    """A stand-in for the people scan: one walker, counted in `runs`."""

    def follow(*args: object, **kwargs: object) -> PeopleScan:
        runs.append(1)
        k = np.arange(FRAMES, dtype=float)
        hips = np.stack([100 + 4 * k, np.full(FRAMES, 50.0)], axis=1)
        offsets = np.array([[-5, 0], [5, 0], [-5, 40], [5, 40], [-5, 80], [5, 80]], dtype=float)
        track = PersonTrack(
            number=1,
            rows=np.arange(FRAMES),
            time_s=k / 30.0,
            xy=hips[:, None, :] + offsets[None],
            score=np.full((FRAMES, 6), 0.9),
            hip_xy=hips,
            radius_px=np.full(FRAMES, 50.0),
            travel_radii=1.0,
            leg_motion_radii=1.0,
            coverage=1.0,
            activity=1.0,
        )
        return PeopleScan(
            tracks=(track,), time_s=k / 30.0, preview=np.zeros((4, 4, 3), np.uint8), preview_row=0, preview_scale=1.0
        )

    return follow


@pytest.fixture
def clip(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, list[int]]:
    monkeypatch.setenv("KNEEDRIVE_CACHE_DIR", str(tmp_path / "cache"))
    runs: list[int] = []
    monkeypatch.setattr(pose_run, "_follow_everyone", _scan(runs))
    path = tmp_path / "walk.mp4"
    write_clip(path, [k / 30 for k in range(FRAMES)])
    return path, runs


def _entry() -> Path:
    (entry,) = cache.cache_dir().glob("*.npz")
    return entry


def _rewrite(entry: Path, **changes: object) -> None:
    """Write the entry again with some arrays changed (None: left out)."""
    with np.load(entry, allow_pickle=False) as data:
        arrays = {name: data[name] for name in data.files}
    for name, value in changes.items():
        if value is None:
            del arrays[name]
        else:
            arrays[name] = np.asarray(value)
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)  # type: ignore[arg-type]
    entry.write_bytes(buffer.getvalue())


def _arrays(entry: Path) -> dict[str, np.ndarray]:
    with np.load(entry, allow_pickle=False) as data:
        return {name: data[name] for name in data.files}


DAMAGE: dict[str, Callable[[Path], None]] = {
    "zero-length": lambda e: e.write_bytes(b""),
    "truncated": lambda e: e.write_bytes(e.read_bytes()[: e.stat().st_size // 2]),
    "cut by a byte": lambda e: e.write_bytes(e.read_bytes()[:-1]),
    "not a zip": lambda e: e.write_bytes(b"\x93NUMPY garbage" * 50),
    "wrong version": lambda e: _rewrite(e, version=[cache.ENTRY_FORMAT, cache.PIPELINE_VERSION - 1]),
    "newer format": lambda e: _rewrite(e, version=[cache.ENTRY_FORMAT + 1, cache.PIPELINE_VERSION]),
    "no version": lambda e: _rewrite(e, version=None),
    "no time_s": lambda e: _rewrite(e, time_s=None),
    "metadata a list": lambda e: _rewrite(e, meta=json.dumps([1, 2])),
    "metadata not json": lambda e: _rewrite(e, meta="{person: 1"),
    "metadata wrong type": lambda e: _rewrite(e, meta=json.dumps({"person": "1", "people": 1, "whole_clip": True})),
    "2-D points": lambda e: _rewrite(e, xy=_arrays(e)["xy"][:, :, 0]),
    "other keypoint count": lambda e: _rewrite(e, xy=_arrays(e)["xy"][:, :4], score=_arrays(e)["score"][:, :4]),
    "short score": lambda e: _rewrite(e, score=_arrays(e)["score"][:-1]),
    "text points": lambda e: _rewrite(e, xy=_arrays(e)["xy"].astype(str)),
    "time reversed": lambda e: _rewrite(e, time_s=_arrays(e)["time_s"][::-1]),
    "time NaN": lambda e: _rewrite(e, time_s=np.where(np.arange(FRAMES) == 3, np.nan, _arrays(e)["time_s"])),
    "all NaN": lambda e: _rewrite(e, xy=np.full_like(_arrays(e)["xy"], np.nan)),
    "infinite point": lambda e: _rewrite(
        e, xy=np.where(np.arange(FRAMES)[:, None, None] == 2, np.inf, _arrays(e)["xy"])
    ),
    "scores over 1": lambda e: _rewrite(e, score=_arrays(e)["score"] * 5),
    "camera of other length": lambda e: _rewrite(e, camera=np.zeros((FRAMES - 1, 2, 3))),
}


@pytest.mark.parametrize("damage", sorted(DAMAGE))
def test_a_damaged_entry_is_logged_deleted_and_computed_again(
    clip: tuple[Path, list[int]], damage: str, caplog: pytest.LogCaptureFixture
) -> None:
    path, runs = clip
    first = estimate_pose(path, backend=StandIn())
    good = _entry().read_bytes()
    assert estimate_pose(path, backend=StandIn()).cache_hit and len(runs) == 1
    DAMAGE[damage](_entry())
    assert _entry().read_bytes() != good
    with caplog.at_level(logging.WARNING, logger="kneedrive.pose.cache"):
        again = estimate_pose(path, backend=StandIn())
    assert not again.cache_hit and len(runs) == 2  # the pose ran again...
    np.testing.assert_array_equal(again.sequence.xy, first.sequence.xy)  # ...with the right result
    np.testing.assert_array_equal(again.sequence.time_s, first.sequence.time_s)
    (record,) = [r for r in caplog.records if "damaged" in r.getMessage()]
    assert _entry().name in record.getMessage() and record.levelno == logging.WARNING
    assert _entry().read_bytes() == good  # rewritten whole
    assert estimate_pose(path, backend=StandIn()).cache_hit and len(runs) == 2


@contextlib.contextmanager
def _read_only(folder: Path) -> Iterator[None]:
    """The folder read-only: a read-only bind mount as root (who writes through permissions), else 0555."""
    if os.geteuid() != 0:
        folder.chmod(0o555)
        try:
            yield
        finally:
            folder.chmod(0o755)
        return
    mounted = subprocess.run(["mount", "--bind", str(folder), str(folder)], capture_output=True, check=False)
    if mounted.returncode != 0:
        pytest.skip(f"cannot bind-mount here: {mounted.stderr.decode().strip()}")
    try:
        subprocess.run(["mount", "-o", "remount,ro,bind", str(folder)], capture_output=True, check=True)
        yield
    finally:
        subprocess.run(["umount", "-l", str(folder)], capture_output=True, check=False)


def test_a_damaged_entry_in_a_read_only_cache_folder_is_only_ignored(
    clip: tuple[Path, list[int]], caplog: pytest.LogCaptureFixture
) -> None:
    path, runs = clip
    first = estimate_pose(path, backend=StandIn())
    _entry().write_bytes(b"")
    with _read_only(cache.cache_dir()), caplog.at_level(logging.WARNING, logger="kneedrive.pose.cache"):
        again = estimate_pose(path, backend=StandIn())
    assert not again.cache_hit and len(runs) == 2
    np.testing.assert_array_equal(again.sequence.xy, first.sequence.xy)
    messages = [r.getMessage() for r in caplog.records]
    assert any("damaged" in m for m in messages) and any("could not write the pose cache" in m for m in messages)
    assert _entry().read_bytes() == b""  # left as it was, and healed by the next run that can write
    assert not estimate_pose(path, backend=StandIn()).cache_hit and estimate_pose(path, backend=StandIn()).cache_hit


def test_a_write_interrupted_midway_leaves_no_entry(
    clip: tuple[Path, list[int]], monkeypatch: pytest.MonkeyPatch
) -> None:
    path, runs = clip

    def interrupted(handle: int) -> None:
        raise KeyboardInterrupt

    with monkeypatch.context() as patch:
        patch.setattr(os, "fsync", interrupted)  # the entry's bytes are written, not yet renamed into place
        with pytest.raises(KeyboardInterrupt):
            estimate_pose(path, backend=StandIn())
    assert list(cache.cache_dir().iterdir()) == []
    assert not estimate_pose(path, backend=StandIn()).cache_hit and len(runs) == 2


def test_leftovers_of_a_killed_write_are_removed_by_a_later_run(clip: tuple[Path, list[int]]) -> None:
    path, _ = clip
    folder = cache.cache_dir()
    folder.mkdir(parents=True)
    old, young = folder / ".0123.npz.abcd.part", folder / ".4567.npz.efgh.part"
    for part in (old, young):
        part.write_bytes(b"half an entry")
    stale = time.time() - cache.STALE_PART_S - 60
    os.utime(old, (stale, stale))
    estimate_pose(path, backend=StandIn())
    assert not old.exists()
    assert young.exists()  # may be another process's write in progress
    assert len(list(folder.glob("*.npz"))) == 1


def test_two_writers_of_one_entry_leave_one_valid_entry(clip: tuple[Path, list[int]]) -> None:
    path, _ = clip
    estimate_pose(path, backend=StandIn())
    entry = _entry()
    key = entry.stem
    pose = cache.load(key, len(REQUIRED_KEYPOINTS))
    assert pose is not None
    entry.unlink()
    writers = [threading.Thread(target=cache.store, args=(key, pose)) for _ in range(8)]
    for writer in writers:
        writer.start()
    for writer in writers:
        writer.join()
    assert [p.name for p in cache.cache_dir().iterdir()] == [entry.name]
    again = cache.load(key, len(REQUIRED_KEYPOINTS))
    assert again is not None
    np.testing.assert_array_equal(again.xy, pose.xy)

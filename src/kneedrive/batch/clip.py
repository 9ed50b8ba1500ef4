"""One clip on a worker: analyze it and write its output folder whole, or report its one-line error.

The folder is written as `DIR/.NAME.part-*` and renamed to `DIR/NAME` once complete; its manifest.json
(the job's key, the input's hash, the options, the files and their sizes) is written last, so a folder
with a manifest whose key is the job's is that analysis done, whole. A reader never sees a half-written
folder: a worker killed mid-clip leaves only a hidden `.part` folder, removed by the next batch.

The pose model is built once per worker process (`pose_backend`, a cache keyed by the backend's spec), not
once per clip.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import threading
import time
import uuid
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .. import __version__
from ..errors import KneedriveError
from ..io.atomic import write_text_atomic
from .jobs import ClipJob

if TYPE_CHECKING:
    from ..pose.backend import PoseBackend

log = logging.getLogger(__name__)

MANIFEST = "manifest.json"
PART = ".part-"
OLD = ".old-"

_backends: dict[str, PoseBackend] = {}
_backends_lock = threading.Lock()


def pose_backend(spec: str | None) -> PoseBackend:
    """The pose backend named `spec` ('package.module:Class'; None: bundled BlazePose), built once in this
    process and shared by the clips it analyzes (BlazePose gives each thread its own interpreter)."""
    name = spec or ""
    with _backends_lock:
        backend = _backends.get(name)
        if backend is None:
            if spec:
                from ..pose.plugins import load_backend

                backend = load_backend(spec)
            else:
                from ..pose.blazepose import BlazePoseFull

                backend = BlazePoseFull()
            _backends[name] = backend
            log.info("pose model %s loaded in process %d", backend.model_id, os.getpid())
        return backend


def backends_loaded() -> int:
    """How many pose backends this process has built (the tests check: one per worker, not one per clip)."""
    return len(_backends)


@dataclass(frozen=True)
class ClipOutcome:
    """What became of one job: "done" (analyzed now), "skipped" (done before) or "failed" (with `error`,
    one line). `frames` counts the analyzed frames, `seconds` the worker's time on it."""

    folder: str
    status: str
    error: str | None = None
    frames: int = 0
    seconds: float = 0.0
    worker_pid: int = 0

    @property
    def ok(self) -> bool:
        return self.status != "failed"


def analyze_clip(job: ClipJob, out_dir: Path) -> ClipOutcome:
    """Analyze `job` and write `out_dir/job.folder` whole; any error is this clip's one-line outcome (the
    batch goes on). An error that is not the input's fault (a bug) is logged with its traceback."""
    started = time.perf_counter()
    part = out_dir / f".{job.folder}{PART}{uuid.uuid4().hex[:12]}"
    try:
        frames = _write_folder(job, part)
        _move_into_place(part, out_dir / job.folder)
    except KneedriveError as exc:
        return _failed(job, str(exc), started, part)
    except OSError as exc:
        message = f"{exc.filename}: {exc.strerror}" if exc.filename else str(exc.strerror or exc)
        return _failed(job, message, started, part)
    except Exception as exc:  # a bug: logged in full, reported in one line, the other clips go on
        log.exception("%s: unexpected error", job.path)
        return _failed(job, f"internal error ({type(exc).__name__}: {exc})", started, part)
    return ClipOutcome(job.folder, "done", frames=frames, seconds=time.perf_counter() - started, worker_pid=os.getpid())


def _failed(job: ClipJob, message: str, started: float, part: Path) -> ClipOutcome:
    shutil.rmtree(part, ignore_errors=True)
    line = " ".join(message.split()).removeprefix(f"{job.path}: ")  # the summary names the input
    return ClipOutcome(job.folder, "failed", error=line, seconds=time.perf_counter() - started, worker_pid=os.getpid())


def _write_folder(job: ClipJob, part: Path) -> int:
    """The outputs of `job` in the folder `part`, the manifest last; the number of frames analyzed."""
    from ..report.export import write_outputs

    opts = job.options
    backend = pose_backend(opts.pose_model) if job.video else None  # built once per worker
    analysis = opts.analyze(job.path, backend=backend, use_cache=opts.use_cache)
    part.mkdir(parents=True)
    written = write_outputs(
        analysis.record,
        analysis.sequence,
        part,
        analysis=analysis if job.video else None,
        annotated_video=opts.annotated_video,
    )
    manifest = {
        "kneedrive_version": __version__,
        "key": job.key,
        "input": str(job.path),
        "input_sha256": job.input_sha256,
        "athlete": asdict(job.athlete),
        "options": job.options.keyed(video=job.video),
        "files": {p.name: p.stat().st_size for p in written},
        "frames": analysis.record.input.frames,
    }
    write_text_atomic(part / MANIFEST, json.dumps(manifest, indent=2) + "\n")
    return analysis.record.input.frames


def _move_into_place(part: Path, final: Path) -> None:
    """Rename the complete folder `part` to `final`; an older folder there is moved aside first and then
    removed (the name is never a half-written folder, at most briefly absent)."""
    if final.exists():
        old = final.with_name(f".{final.name}{OLD}{uuid.uuid4().hex[:12]}")
        os.replace(final, old)
        os.replace(part, final)
        shutil.rmtree(old, ignore_errors=True)
    else:
        os.replace(part, final)


def read_manifest(folder: Path) -> dict[str, Any] | None:
    """A folder's manifest, or None when it has none or an unreadable one."""
    try:
        doc = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return doc if isinstance(doc, dict) else None


def is_done(job: ClipJob, out_dir: Path) -> bool:
    """Whether `out_dir/job.folder` holds this job's analysis, whole: its manifest has the job's key and
    every file it lists is there with its size."""
    folder = out_dir / job.folder
    manifest = read_manifest(folder)
    if manifest is None or manifest.get("key") != job.key:
        return False
    files = manifest.get("files")
    if not isinstance(files, dict):
        return False
    try:
        return all((folder / name).stat().st_size == size for name, size in files.items())
    except OSError:
        return False


def remove_leftovers(out_dir: Path) -> list[Path]:
    """Remove the hidden `.NAME.part-*` and `.NAME.old-*` folders an interrupted batch left in `out_dir`."""
    if not out_dir.is_dir():
        return []
    leftovers = [p for p in out_dir.iterdir() if p.name.startswith(".") and (PART in p.name or OLD in p.name)]
    for path in leftovers:
        shutil.rmtree(path, ignore_errors=True)
    return leftovers

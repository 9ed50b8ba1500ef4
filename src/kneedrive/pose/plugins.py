"""Plugging in another pose model: `--pose-model package.module:Class`.

The class is built without arguments and must follow `kneedrive.pose.PoseBackend` (names, model_id,
reset, estimate). Its keypoint names must be BlazePose snake_case names (a COCO-17 model maps its 17
points to the shared names: nose, eyes, ears, shoulders, elbows, wrists, hips, knees, ankles) and include
the hips, knees and ankles the analysis needs.
"""

from __future__ import annotations

import importlib

from ..errors import InputError
from ..sequence import BLAZEPOSE_LANDMARKS, REQUIRED_KEYPOINTS
from .backend import PoseBackend


def load_backend(spec: str) -> PoseBackend:
    """Build the backend named 'package.module:Class'."""
    module_name, _, class_name = spec.partition(":")
    if not module_name or not class_name:
        raise InputError(f"--pose-model {spec!r}: expected 'package.module:Class'")
    try:
        module = importlib.import_module(module_name)
    except ImportError as exc:
        raise InputError(f"--pose-model {spec!r}: cannot import {module_name} ({exc})") from None
    factory = getattr(module, class_name, None)
    if factory is None:
        raise InputError(f"--pose-model {spec!r}: {module_name} has no {class_name}")
    backend = factory()
    check_backend(backend, spec)
    return backend  # type: ignore[no-any-return]


def check_backend(backend: object, label: str) -> None:
    if not isinstance(backend, PoseBackend):
        raise InputError(f"--pose-model {label!r}: needs names, model_id and estimate(image, seed)")
    unknown = [n for n in backend.names if n not in BLAZEPOSE_LANDMARKS]
    missing = [n for n in REQUIRED_KEYPOINTS if n not in backend.names]
    if unknown or missing:
        raise InputError(
            f"--pose-model {label!r}: keypoint names must be BlazePose names including hips, knees and ankles "
            f"(unknown: {', '.join(unknown) or '-'}; missing: {', '.join(missing) or '-'})"
        )

"""A LiteRT model cut down to the outputs we read: the operators no kept output depends on are removed.

BlazePose's landmark model also computes a 256 x 256 person segmentation mask and 3-D world landmarks,
which kneedrive never reads. Measured on this 2-core machine, dropping the operators only they need takes
one landmark call from 14.5 to 9.2 ms on one thread (from 9.3 to 7.2 ms on two); the kept outputs are
bit-identical (tests/test_pose.py). Hand-written because no tool in our dependencies prunes a .tflite
model; the flatbuffer is read and written with the schema bindings that ship with ai-edge-litert.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import flatbuffers
import numpy as np
from ai_edge_litert import schema_py_generated as schema

from ..io.atomic import write_bytes_atomic

log = logging.getLogger(__name__)

#: Bump when keep_outputs writes other bytes for the same model and outputs (it keys the stored copies).
PRUNE_VERSION = 1


def keep_outputs(model: bytes, keep: Callable[[tuple[int, ...]], bool]) -> bytes:
    """The model with only the outputs whose shape `keep` accepts, and only the operators they need."""
    tree: Any = schema.ModelT.InitFromObj(schema.Model.GetRootAsModel(model, 0))
    for graph in tree.subgraphs[:1]:  # the main graph; others (if any) are called from it, left as they are
        outputs = [int(t) for t in graph.outputs if keep(tuple(int(n) for n in graph.tensors[t].shape))]
        needed = _operators_needed(graph.operators, outputs)
        graph.operators = [op for i, op in enumerate(graph.operators) if i in needed]
        graph.outputs = np.asarray(outputs, dtype=np.int32)
    builder = flatbuffers.Builder(len(model) + 1024)
    builder.Finish(tree.Pack(builder), file_identifier=b"TFL3")
    return bytes(builder.Output())


def kept_outputs(model: bytes, keep: Callable[[tuple[int, ...]], bool]) -> tuple[int, ...]:
    """The main graph's output tensors that `keep` accepts, read without unpacking the model."""
    graph = schema.Model.GetRootAsModel(model, 0).Subgraphs(0)
    outputs = (int(graph.Outputs(i)) for i in range(graph.OutputsLength()))
    return tuple(t for t in outputs if keep(tuple(int(n) for n in graph.Tensors(t).ShapeAsNumpy())))


def stored_keep_outputs(
    model: bytes, keep: Callable[[tuple[int, ...]], bool], folder: Path, *, refresh: bool = False
) -> bytes:
    """`keep_outputs(model, keep)`, kept in `folder` after the first time: cutting the model down takes a
    tenth of a second of every process's start-up (the whole flatbuffer is unpacked and packed again),
    reading the stored copy a millisecond. The copy is keyed by the model's SHA-256, the outputs kept and
    PRUNE_VERSION; a folder that cannot be written only costs the tenth of a second. `refresh` cuts the model
    again and replaces the stored copy (after it failed to load)."""
    digest = hashlib.sha256(model)
    digest.update(repr((kept_outputs(model, keep), PRUNE_VERSION)).encode())
    path = folder / f"{digest.hexdigest()[:32]}.tflite"
    if not refresh:
        try:
            return path.read_bytes()
        except OSError:
            pass
    content = keep_outputs(model, keep)
    try:
        write_bytes_atomic(path, content)
    except OSError as exc:
        log.warning("could not store the cut-down model (%s)", exc)
    return content


def _operators_needed(operators: list[Any], tensors: Iterable[int]) -> set[int]:
    """Indices of the operators that the given tensors are computed from (walking back from them)."""
    made_by = {int(t): i for i, op in enumerate(operators) for t in op.outputs}
    needed: set[int] = set()
    todo = list(tensors)
    while todo:
        tensor = todo.pop()
        op = made_by.get(int(tensor))
        if op is not None and op not in needed:
            needed.add(op)
            todo.extend(int(t) for t in operators[op].inputs if t >= 0)
    return needed

"""A LiteRT model cut down to the outputs we read: the operators no kept output depends on are removed.

BlazePose's landmark model also computes a 256 x 256 person segmentation mask and 3-D world landmarks,
which kneedrive never reads. Measured on this 2-core machine, dropping the operators only they need takes
one landmark call from 14.5 to 9.2 ms on one thread (from 9.3 to 7.2 ms on two); the kept outputs are
bit-identical (tests/test_pose.py). Hand-written because no tool in our dependencies prunes a .tflite
model; the flatbuffer is read and written with the schema bindings that ship with ai-edge-litert.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import flatbuffers
import numpy as np
from ai_edge_litert import schema_py_generated as schema


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

"""The analysis record's video block: how the keypoints were obtained from a video. A light module (no
analysis stages), so that `kneedrive pose` can print a video's quality without loading them."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
from types import MappingProxyType
from typing import Any


def frozen_map(mapping: Mapping[str, Any]) -> MappingProxyType[str, Any]:
    """A read-only view of a copy of `mapping` (nested mappings frozen too)."""
    return MappingProxyType({k: frozen_map(v) if isinstance(v, Mapping) else v for k, v in mapping.items()})


def thawed(mapping: Mapping[str, Any]) -> dict[str, Any]:
    """A plain dict copy of a (frozen) mapping, nested mappings too."""
    return {k: thawed(v) if isinstance(v, Mapping) else v for k, v in mapping.items()}


@dataclass(frozen=True)
class VideoRecord:
    """How the keypoints were obtained from a video and how trustworthy they are."""

    path: str
    width: int
    height: int
    fps_hz: float
    codec: str
    rotation_deg: int
    frames: int
    frames_without_pose: int
    pose_start_s: float
    pose_end_s: float
    keypoint_confidence: Mapping[str, float]
    person: int
    people: int
    model: str
    cache_hit: bool
    #: Optional (moving-camera and slow-motion clips; left out of the document when None): the camera's
    #: motion, the clip's timing (both as their JSON blocks) and the repeated images left out.
    camera: Mapping[str, Any] | None = None
    timing: Mapping[str, Any] | None = None
    frames_repeated: int | None = None

    def to_dict(self) -> dict[str, Any]:
        doc = {f.name: getattr(self, f.name) for f in fields(self)} | {
            "keypoint_confidence": dict(self.keypoint_confidence)
        }
        for name in ("camera", "timing", "frames_repeated"):
            if doc[name] is None:
                del doc[name]
        if self.camera is not None:
            doc["camera"] = thawed(self.camera)
        if self.timing is not None:
            doc["timing"] = thawed(self.timing)
        return doc

    @classmethod
    def from_dict(cls, doc: Mapping[str, Any]) -> VideoRecord:
        known = {f.name for f in fields(cls)}
        values = {k: v for k, v in doc.items() if k in known}
        for name in ("camera", "timing"):
            if values.get(name) is not None:
                values[name] = frozen_map(values[name])
        return cls(**(values | {"keypoint_confidence": frozen_map(doc["keypoint_confidence"])}))

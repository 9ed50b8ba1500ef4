"""Uploads: copied under a generated name with a size limit, and their kind told by their content (never
by the name the browser sent, which only ever reaches the page, escaped)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from ..errors import InputError

CHUNK = 1 << 20
SNIFF_BYTES = 65536


class TooLarge(InputError):
    """The upload is over the configured limit."""


class NotAnInput(InputError):
    """The upload's content is neither a video nor a keypoint file."""


class Readable(Protocol):
    async def read(self, size: int = -1) -> bytes: ...


@dataclass(frozen=True)
class Kind:
    input_kind: str  # "video" | "keypoints"
    suffix: str  # what kneedrive.analyze dispatches on


async def receive(file: Readable, uploads_dir: Path, max_bytes: int) -> Path:
    """Copy the upload to uploads_dir under a generated name; TooLarge (nothing kept) over `max_bytes`."""
    uploads_dir.mkdir(parents=True, exist_ok=True)
    path = uploads_dir / f".{uuid.uuid4().hex}.part"
    size = 0
    try:
        with path.open("wb") as out:
            while chunk := await file.read(CHUNK):
                size += len(chunk)
                if size > max_bytes:
                    raise TooLarge(f"the file is over the upload limit of {max_bytes / 1e6:g} MB")
                out.write(chunk)
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return path


def sniff(path: Path) -> Kind:
    """The file's kind from its first bytes: a video container (MP4/MOV, AVI, Matroska/WebM) or a keypoint
    file (UTF-8 text: a CSV with a time_s or frame column, or a TRC). InputError otherwise."""
    with path.open("rb") as f:
        head = f.read(SNIFF_BYTES)
    if not head:
        raise InputError("the file is empty")
    if head[4:8] == b"ftyp":
        return Kind("video", ".mov" if head[8:10] == b"qt" else ".mp4")
    if head[4:8] in (b"moov", b"mdat", b"wide", b"free"):
        return Kind("video", ".mov")
    if head[:4] == b"RIFF" and head[8:12] == b"AVI ":
        return Kind("video", ".avi")
    if head[:4] == b"\x1aE\xdf\xa3":
        return Kind("video", ".mkv")
    if b"\0" not in head:
        try:
            text = head.decode("utf-8")
        except UnicodeDecodeError as exc:  # a multi-byte character cut at the sniffing limit is fine
            text = head[: exc.start].decode("utf-8") if exc.start > len(head) - 4 else ""
        first = next((line for line in text.lstrip("\ufeff").splitlines() if line.strip()), "")
        if first.startswith("PathFileType"):
            return Kind("keypoints", ".trc")
        columns = [c.strip().strip('"') for c in first.split(",")]
        if len(columns) > 2 and ("time_s" in columns or "frame" in columns):
            return Kind("keypoints", ".csv")
    raise NotAnInput("not a video (MP4, MOV, AVI, MKV) or a keypoint file (CSV with a time_s or frame column, TRC)")

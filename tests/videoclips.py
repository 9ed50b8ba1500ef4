"""Small video clips made in the test's tmp folder with PyAV (rotation metadata, variable frame rate)."""

from __future__ import annotations

import struct
from fractions import Fraction
from pathlib import Path

import av
import numpy as np

SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "data"


def shared(relative: str) -> Path:
    path = SHARED / relative
    assert path.is_file(), f"real data missing: {path} (the tests need ../shared/data next to the repository)"
    return path


def write_clip(path: Path, times_s: list[float], *, width: int = 64, height: int = 32) -> None:
    """An H.264 mp4 whose frame k has time stamp times_s[k] (ms resolution) and a white left quarter plus
    a grey level that encodes k (so a test can tell frames apart)."""
    with av.open(str(path), "w") as container:
        stream = container.add_stream("libx264", rate=30)
        stream.width, stream.height, stream.pix_fmt = width, height, "yuv420p"
        stream.codec_context.time_base = Fraction(1, 1000)
        stream.time_base = Fraction(1, 1000)
        for k, t in enumerate(times_s):
            rgb = np.full((height, width, 3), 10 * k % 200 + 20, dtype=np.uint8)
            rgb[:, : width // 4] = 255
            frame = av.VideoFrame.from_ndarray(rgb, format="rgb24")
            frame.pts = round(t * 1000)
            frame.time_base = Fraction(1, 1000)
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)


def set_display_rotation(path: Path, clockwise_deg: int) -> None:
    """Write a display matrix into the mp4's track header ('tkhd'), as phones do for portrait video."""
    data = bytearray(path.read_bytes())
    at = data.find(b"tkhd")
    assert at > 0, "no tkhd box"
    version = data[at + 4]
    offset = at + 4 + 4 + (8 if version == 0 else 16) + 4 + 4 + (4 if version == 0 else 8) + 8 + 2 + 2 + 2 + 2
    one = 1 << 16
    cos, sin = {0: (1, 0), 90: (0, 1), 180: (-1, 0), 270: (0, -1)}[clockwise_deg]
    matrix = (cos * one, sin * one, 0, -sin * one, cos * one, 0, 0, 0, 1 << 30)
    data[offset : offset + 36] = struct.pack(">9i", *matrix)
    path.write_bytes(bytes(data))

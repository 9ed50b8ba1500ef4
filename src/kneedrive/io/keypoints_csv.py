"""Keypoint CSV: one row per frame, `time_s` (or `frame` + fps), `<name>_x`, `<name>_y`,
optional `<name>_score`; image pixels, y pointing down.
"""

from __future__ import annotations

import csv
import io
import math
from pathlib import Path

import numpy as np

from ..errors import InputError
from ..sequence import PoseSequence
from .atomic import write_text_atomic


def read_keypoints_csv(path: Path, *, fps_hz: float | None = None) -> PoseSequence:
    """Read a keypoint CSV. `fps_hz` is required when the file has `frame` but no `time_s`."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(f"{path}: not a text CSV file ({exc.reason})") from exc
    return parse_keypoints_csv(text, source=str(path), fps_hz=fps_hz)


def parse_keypoints_csv(text: str, *, source: str = "<csv>", fps_hz: float | None = None) -> PoseSequence:
    rows = list(csv.reader(io.StringIO(text)))
    rows = [r for r in rows if any(cell.strip() for cell in r)]
    if not rows:
        raise InputError(f"{source}: the file is empty")
    header = [h.strip() for h in rows[0]]
    body = rows[1:]
    if not body:
        raise InputError(f"{source}: header only, no frames")
    col = {name: i for i, name in enumerate(header)}
    if len(col) != len(header):
        raise InputError(f"{source}: duplicate column names in the header")
    names = [h[:-2] for h in header if h.endswith("_x") and f"{h[:-2]}_y" in col]
    if not names:
        raise InputError(f"{source}: no keypoint columns; expected <name>_x and <name>_y, e.g. left_hip_x, left_hip_y")
    data = _numeric_table(body, len(header), source)
    if "time_s" in col:
        time_s = data[:, col["time_s"]]
    elif "frame" in col:
        if fps_hz is None:
            raise InputError(f"{source}: the file has a 'frame' column but no 'time_s'; pass --fps")
        if not (math.isfinite(fps_hz) and fps_hz > 0):
            raise InputError(f"{source}: --fps must be a positive number, got {fps_hz}")
        time_s = data[:, col["frame"]] / fps_hz
    else:
        raise InputError(f"{source}: no 'time_s' column (or 'frame' with --fps)")
    if not np.all(np.isfinite(time_s)):
        raise InputError(f"{source}: empty or non-numeric time values")
    xy = np.stack([data[:, [col[f"{n}_x"], col[f"{n}_y"]]] for n in names], axis=1)
    score = np.ones(xy.shape[:2])
    for k, n in enumerate(names):
        if f"{n}_score" in col:
            score[:, k] = np.clip(np.nan_to_num(data[:, col[f"{n}_score"]], nan=0.0), 0.0, 1.0)
    missing = ~np.all(np.isfinite(xy), axis=2)
    xy[missing] = np.nan
    score[missing] = 0.0
    if np.all(missing):
        raise InputError(f"{source}: every keypoint value is empty or NaN")
    return PoseSequence(time_s=time_s, xy=xy, score=score, names=tuple(names), source=source)


def _numeric_table(body: list[list[str]], width: int, source: str) -> np.ndarray:
    out = np.full((len(body), width), np.nan)
    for r, row in enumerate(body):
        if len(row) != width:
            raise InputError(f"{source}: line {r + 2} has {len(row)} fields, the header has {width} (truncated file?)")
        for c, cell in enumerate(row):
            cell = cell.strip()
            if not cell or cell.lower() in ("nan", "na", "null", "none"):
                continue
            try:
                out[r, c] = float(cell)
            except ValueError:
                raise InputError(f"{source}: line {r + 2}, column {c + 1}: {cell!r} is not a number") from None
    return out


def keypoints_csv_text(seq: PoseSequence) -> str:
    """The CSV text of a sequence (round-trips through parse_keypoints_csv)."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    header = ["time_s"]
    for n in seq.names:
        header += [f"{n}_x", f"{n}_y", f"{n}_score"]
    writer.writerow(header)
    for i in range(seq.n_frames):
        row = [repr(float(seq.time_s[i]))]
        for k in range(len(seq.names)):
            x, y = seq.xy[i, k]
            if math.isfinite(x) and math.isfinite(y):
                row += [f"{x:.3f}", f"{y:.3f}", f"{seq.score[i, k]:.3f}"]
            else:
                row += ["", "", "0"]
        writer.writerow(row)
    return buf.getvalue()


def write_keypoints_csv(seq: PoseSequence, path: Path) -> None:
    write_text_atomic(Path(path), keypoints_csv_text(seq))

"""Keypoint CSV: one row per frame, `time_s` (or `frame` + fps), `<name>_x`, `<name>_y`,
optional `<name>_score`; image pixels, y pointing down.
"""

from __future__ import annotations

import csv
import io
import itertools
import math
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from ..errors import InputError
from ..sequence import PoseSequence, hand_over
from .atomic import write_text_atomic
from .checks import check_time, clean_scores

Array = NDArray[np.float64]


#: Lines parsed at once (bounds the memory of the text being parsed).
CHUNK_LINES = 20_000
#: Cells read as a missing value besides an empty one.
MISSING_CELLS = ("nan", "na", "null", "none")


def read_keypoints_csv(path: Path, *, fps_hz: float | None = None) -> PoseSequence:
    """Read a keypoint CSV. `fps_hz` is required when the file has `frame` but no `time_s`."""
    path = Path(path)
    try:
        rows = _count_lines(path)
        with path.open(encoding="utf-8-sig", newline="") as lines:
            return _parse_lines(lines, source=str(path), fps_hz=fps_hz, rows_hint=rows)
    except UnicodeDecodeError as exc:
        raise InputError(f"{path}: not a text CSV file ({exc.reason})") from exc


def parse_keypoints_csv(text: str, *, source: str = "<csv>", fps_hz: float | None = None) -> PoseSequence:
    rows = text.count("\n") or text.count("\r")
    return _parse_lines(io.StringIO(text, newline=""), source=source, fps_hz=fps_hz, rows_hint=rows + 1)


def _count_lines(path: Path) -> int:
    """About how many lines the file has (line feeds, or carriage returns in a file without any): the
    parse preallocates that many rows, and grows if the file holds more."""
    feeds = returns = 0
    with path.open("rb") as handle:
        while block := handle.read(1 << 20):
            feeds += block.count(b"\n")
            returns += 0 if feeds else block.count(b"\r")
    return (feeds or returns) + 1


def _parse_lines(lines: Iterable[str], *, source: str, fps_hz: float | None, rows_hint: int) -> PoseSequence:
    numbered = ((n, line) for n, line in enumerate(lines, start=1) if not _blank(line))
    first = next(numbered, None)
    if first is None:
        raise InputError(f"{source}: the file is empty")
    header = [h.strip() for h in next(csv.reader([first[1]]))]
    col = {name: i for i, name in enumerate(header)}
    if len(col) != len(header):
        raise InputError(f"{source}: duplicate column names in the header")
    names = [h[:-2] for h in header if h.endswith("_x") and f"{h[:-2]}_y" in col]
    if not names:
        raise InputError(f"{source}: no keypoint columns; expected <name>_x and <name>_y, e.g. left_hip_x, left_hip_y")
    if "time_s" in col:
        time_col, fps = col["time_s"], None
    elif "frame" in col:
        if fps_hz is None:
            raise InputError(f"{source}: the file has a 'frame' column but no 'time_s'; pass --fps")
        if not (math.isfinite(fps_hz) and fps_hz > 0):
            raise InputError(f"{source}: --fps must be a positive number, got {fps_hz}")
        time_col, fps = col["frame"], fps_hz
    else:
        raise InputError(f"{source}: no 'time_s' column (or 'frame' with --fps)")
    xy_cols = np.array([[col[f"{n}_x"], col[f"{n}_y"]] for n in names])
    score_cols = [(k, col[f"{n}_score"]) for k, n in enumerate(names) if f"{n}_score" in col]
    rows = _Rows(max(rows_hint, 1), len(names))
    while chunk := list(itertools.islice(numbered, CHUNK_LINES)):
        data = _numeric_table(chunk, len(header), source)
        at = rows.extend(len(data))
        rows.line[at] = [n for n, _ in chunk]
        rows.time_s[at] = data[:, time_col] if fps is None else data[:, time_col] / fps
        rows.xy[at] = data[:, xy_cols]
        for k, c in score_cols:
            rows.score[at, k] = data[:, c]
    if not rows.n:
        raise InputError(f"{source}: header only, no frames")
    n = rows.n
    check_time(rows.time_s[:n], source, lines=rows.line[:n])
    warnings = clean_scores(rows.score[:n])
    xy = hand_over(rows.xy)[:n]  # read-only views of the rows: the sequence keeps them without a copy
    if np.all(~np.all(np.isfinite(xy), axis=2)):
        raise InputError(f"{source}: every keypoint value is empty or NaN")
    return PoseSequence(
        time_s=hand_over(rows.time_s)[:n],
        xy=xy,
        score=hand_over(rows.score)[:n],
        names=tuple(names),
        source=source,
        warnings=tuple(warnings),
    )


class _Rows:
    """The parsed rows, in arrays allocated once for the rows expected (one float64 copy of the file's
    numbers in memory, not a list of chunks and their concatenation), grown if the file holds more."""

    def __init__(self, capacity: int, keypoints: int) -> None:
        self.n = 0
        self.line = np.zeros(capacity, dtype=np.int64)
        self.time_s = np.zeros(capacity)
        self.xy = np.zeros((capacity, keypoints, 2))
        self.score = np.ones((capacity, keypoints))  # a keypoint without a score column: confidence 1

    def extend(self, rows: int) -> slice:
        """Room for `rows` more rows: the slice they go into."""
        if self.n + rows > len(self.time_s):
            capacity = max(self.n + rows, len(self.time_s) * 3 // 2)
            self.line, self.time_s, self.xy = (_grown(a, capacity, 0) for a in (self.line, self.time_s, self.xy))
            self.score = _grown(self.score, capacity, 1)
        at = slice(self.n, self.n + rows)
        self.n += rows
        return at


def _grown(array: NDArray[Any], capacity: int, fill: float) -> NDArray[Any]:
    out = np.full((capacity, *array.shape[1:]), fill, dtype=array.dtype)
    out[: len(array)] = array
    return out


def _blank(line: str) -> bool:
    return not line.strip(', \t\r\n"')


def _numeric_table(chunk: list[tuple[int, str]], width: int, source: str) -> Array:
    """The numbers of (line number, line) pairs: numpy's parser for plain numeric lines with empty
    cells, the csv module cell by cell (quotes, "null"/"none" cells, and a clear error) otherwise."""
    text = "\n".join(line.rstrip("\r\n") for _, line in chunk)
    if '"' not in text:
        text = "\n" + text + "\n"
        while ",," in text:  # an empty cell is a missing value
            text = text.replace(",,", ",nan,")
        text = text.replace("\n,", "\nnan,").replace(",\n", ",nan\n")
        try:
            data = np.loadtxt(io.StringIO(text), delimiter=",", comments=None, ndmin=2, dtype=np.float64)
        except ValueError:
            pass
        else:
            if data.shape == (len(chunk), width):
                out: Array = data
                return out
    return _numeric_table_by_cell(chunk, width, source)


def _numeric_table_by_cell(chunk: list[tuple[int, str]], width: int, source: str) -> Array:
    out = np.full((len(chunk), width), np.nan)
    for r, (lineno, line) in enumerate(chunk):
        row = next(csv.reader([line]), [])
        if len(row) != width:
            raise InputError(f"{source}: line {lineno} has {len(row)} fields, the header has {width} (truncated file?)")
        for c, cell in enumerate(row):
            cell = cell.strip()
            if not cell or cell.lower() in MISSING_CELLS:
                continue
            try:
                out[r, c] = float(cell)
            except ValueError:
                raise InputError(f"{source}: line {lineno}, column {c + 1}: {cell!r} is not a number") from None
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

"""What a batch analyzes: the INPUTS as files, and who is in each clip (the athlete map).

INPUTS are files (taken whatever their extension: an unsupported one is that input's error), folders (every
video and keypoint file below them, hidden ones and the output folder left out) and glob patterns (`**`
crosses folders). The athlete map is a CSV file, one row per file or pattern:

    input,athlete,athlete_height_m,drill,capture_fps
    ana_*.mp4,Ana,1.68,,240
    ben_fly30.csv,Ben,1.83,sprint,

`input` is required; the other columns are optional and an empty cell keeps the command's option. A row's
`input` is a file name, a path or a glob pattern, matched against the input's name and its path; the first
matching row wins. The athlete defaults to the file's stem.
"""

from __future__ import annotations

import csv
import glob
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from fnmatch import fnmatchcase
from pathlib import Path

from ..drills.analyze import check_drill_id
from ..errors import InputError
from ..io.formats import KEYPOINT_SUFFIXES, VIDEO_SUFFIXES

ANALYZED_SUFFIXES = VIDEO_SUFFIXES + KEYPOINT_SUFFIXES
MAP_COLUMNS = ("input", "athlete", "athlete_height_m", "drill", "capture_fps")
_GLOB_CHARS = frozenset("*?[")


def find_inputs(inputs: Sequence[str], *, exclude: Path | None = None) -> tuple[Path, ...]:
    """The files named by `inputs` (files, folders, glob patterns), each once, in the order given (a
    folder's and a pattern's files sorted); files under `exclude` (the batch's output folder) left out.
    A name that is neither an existing file or folder nor a pattern matching something is an InputError."""
    found: dict[Path, Path] = {}
    excluded = exclude.resolve() if exclude is not None else None
    for given in inputs:
        if _GLOB_CHARS & set(given):
            matches = sorted(glob.glob(given, recursive=True))
            if not matches:
                raise InputError(f"{given}: the pattern matches no file")
            paths = [f for m in matches for f in _files_in(Path(m))]
        elif Path(given).is_dir():
            paths = _files_in(Path(given))
        elif Path(given).exists():
            paths = [Path(given)]
        else:
            raise InputError(f"{given}: no such file or folder")
        for path in paths:
            resolved = path.resolve()
            if excluded is not None and resolved.is_relative_to(excluded):
                continue
            found.setdefault(resolved, path)
    if not found:
        raise InputError(f"no video or keypoint file in {', '.join(inputs)}")
    return tuple(found.values())


def _files_in(path: Path) -> list[Path]:
    """A file itself; a folder's video and keypoint files, recursively, hidden ones left out."""
    if not path.is_dir():
        return [path]
    return sorted(
        p
        for p in path.rglob("*")
        if p.is_file()
        and p.suffix.lower() in ANALYZED_SUFFIXES
        and not any(part.startswith(".") for part in p.relative_to(path).parts)
    )


@dataclass(frozen=True)
class Athlete:
    """Who is in a clip and what the map says about it (None: the command's option)."""

    name: str
    athlete_height_m: float | None = None
    drill: str | None = None
    capture_fps: float | None = None


@dataclass(frozen=True)
class MapRow:
    """One row of the athlete map: a file name, path or pattern, and what it says (empty name: the stem)."""

    pattern: str
    athlete: Athlete

    def matches(self, path: Path) -> bool:
        return any(fnmatchcase(text, self.pattern) for text in (path.name, path.as_posix(), path.resolve().as_posix()))


@dataclass(frozen=True)
class AthleteMap:
    rows: tuple[MapRow, ...] = ()

    def athlete(self, path: Path) -> Athlete:
        """The first matching row's athlete (named after the file's stem when the row names nobody); the
        stem and the command's options when no row matches."""
        row = next((r for r in self.rows if r.matches(path)), None)
        if row is None:
            return Athlete(path.stem)
        return replace(row.athlete, name=row.athlete.name or path.stem)

    def unmatched(self, paths: Iterable[Path]) -> list[str]:
        """The rows' patterns that match none of `paths` (a typo in the map, most likely)."""
        paths = list(paths)
        return [row.pattern for row in self.rows if not any(row.matches(p) for p in paths)]


def load_athlete_map(path: Path) -> AthleteMap:
    """The athlete map CSV, checked whole when loaded: unknown columns, a bad height, drill or rate is an
    InputError naming the line."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise InputError(f"{path}: not a text file (the athlete map is a CSV)") from None
    reader = csv.DictReader(text.splitlines())
    columns = [c.strip() for c in reader.fieldnames or []]
    if "input" not in columns:
        raise InputError(f"{path}: the athlete map needs an 'input' column (columns: {', '.join(MAP_COLUMNS)})")
    unknown = [c for c in columns if c not in MAP_COLUMNS]
    if unknown:
        raise InputError(f"{path}: unknown column {', '.join(unknown)} (columns: {', '.join(MAP_COLUMNS)})")
    rows = []
    for number, raw in enumerate(reader, start=2):
        cells = {str(k).strip(): (v or "").strip() for k, v in raw.items() if k is not None}
        if not any(cells.values()):
            continue
        rows.append(_row(cells, f"{path}:{number}"))
    return AthleteMap(tuple(rows))


def _row(cells: dict[str, str], where: str) -> MapRow:
    pattern = cells.get("input", "")
    if not pattern:
        raise InputError(f"{where}: the 'input' cell is empty")
    height = _number(cells.get("athlete_height_m", ""), where, "athlete_height_m", 0.5, 2.8)
    fps = _number(cells.get("capture_fps", ""), where, "capture_fps", 1.0, 2000.0)
    drill = cells.get("drill") or None
    if drill is not None:
        try:
            check_drill_id(drill)
        except InputError as exc:
            raise InputError(f"{where}: {exc}") from None
    return MapRow(pattern, Athlete(cells.get("athlete", ""), height, drill, fps))


def _number(cell: str, where: str, column: str, low: float, high: float) -> float | None:
    if not cell:
        return None
    try:
        value = float(cell)
    except ValueError:
        raise InputError(f"{where}: {column} {cell!r} is not a number") from None
    if not (math.isfinite(value) and low <= value <= high):
        raise InputError(f"{where}: {column} {cell} is outside {low:g}-{high:g}")
    return value

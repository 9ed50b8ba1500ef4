"""The archive's format: its names, limits and the one error style of a refused archive."""

from __future__ import annotations

import datetime as dt
import re
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from ...errors import InputError

FORMAT = "kneedrive-store"
VERSION = 1
MANIFEST = "manifest.json"
DATA = "store.json"
INPUT_SUFFIXES = (".mp4", ".mov", ".avi", ".mkv", ".csv", ".trc")
ID_PATTERN = r"[0-9a-f]{32}"
OUTPUT_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,99}")
MEMBER = re.compile(
    rf"store\.json|sessions/{ID_PATTERN}/[A-Za-z0-9][A-Za-z0-9._-]{{0,99}}|inputs/{ID_PATTERN}\.(?:mp4|mov|avi|mkv|csv|trc)"
)
#: Already-compressed outputs are stored as they are; the rest (JSON, CSV, HTML) deflated.
STORED_SUFFIXES = {".mp4", ".mov", ".avi", ".mkv", ".png", ".jpg", ".jpeg", ".webm"}
CHUNK = 1 << 20


@dataclass(frozen=True)
class ArchiveLimits:
    """What an archive may hold. A real file compresses at most about 20:1 (JSON series); a member above
    `max_ratio` is a zip bomb, not a backup."""

    max_member_bytes: int = 8_000_000_000
    max_total_bytes: int = 200_000_000_000
    max_data_bytes: int = 1_000_000_000
    max_members: int = 200_000
    max_ratio: float = 200.0


def size_text(n: float) -> str:
    for unit, scale in (("GB", 1e9), ("MB", 1e6), ("kB", 1e3)):
        if n >= scale:
            return f"{n / scale:.3g} {unit}"
    return f"{n:.0f} bytes"


def iso(value: dt.date | dt.datetime | None) -> str | None:
    return None if value is None else value.isoformat()


class BadArchive(InputError):
    """The file is not a kneedrive store archive this version can import (nothing was stored)."""


def refused(where: str, why: str) -> BadArchive:
    return BadArchive(f"{where}: refused, nothing imported: {why}")


@contextmanager
def open_zip(path: Path, where: str) -> Iterator[zipfile.ZipFile]:
    try:
        with zipfile.ZipFile(path) as zf:
            yield zf
    except FileNotFoundError:
        raise InputError(f"{where}: no such file") from None
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError) as exc:
        raise BadArchive(f"{where}: not a kneedrive store archive (not a readable zip: {exc})") from None
    except NotImplementedError as exc:
        raise BadArchive(f"{where}: not a kneedrive store archive ({exc})") from None

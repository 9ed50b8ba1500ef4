"""Atomic file output: a reader never sees a half-written file."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def write_text_atomic(path: Path, text: str) -> None:
    """Write `text` to `path` via a temporary file in the same folder and an atomic rename."""
    write_bytes_atomic(path, text.encode("utf-8"))


def default_file_mode() -> int:
    """0666 minus the umask, as open() would give a new file (mkstemp gives 0600)."""
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


def write_bytes_atomic(path: Path, data: bytes) -> None:
    path = Path(path)
    if path.is_dir():  # say so with the name the user gave, not the temporary file's
        raise IsADirectoryError(21, "is a folder, not a file", str(path))
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
    except OSError as exc:  # a read-only or full folder
        raise about(path, exc) from exc
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, default_file_mode())
        os.replace(tmp, path)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise about(path, exc) from exc
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def about(path: Path, exc: OSError) -> OSError:
    """The error about the file the user named (a full disk names no file, a read-only one our temporary
    file): same errno, so the same OSError subclass."""
    return OSError(exc.errno, exc.strerror or str(exc), str(path))

"""Where the store lives: a data folder (the uploads, the session folders and, by default, the SQLite file)
and a database URL. Resolved once at the edge (CLI flags, the environment, the platform's user data folder)
into one frozen value; nothing below takes a path or URL from anywhere else."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

#: The environment variable naming the data folder (what `--data-dir` overrides).
DATA_DIR_ENV = "KNEEDRIVE_DATA_DIR"
DB_FILE = "kneedrive.sqlite3"


@dataclass(frozen=True)
class StoreLocation:
    data_dir: Path
    db_url: str

    @property
    def uploads_dir(self) -> Path:
        return self.data_dir / "uploads"

    @property
    def sessions_dir(self) -> Path:
        return self.data_dir / "sessions"

    @property
    def is_sqlite(self) -> bool:
        return self.db_url.startswith("sqlite")

    @classmethod
    def resolve(cls, data_dir: Path | None = None, db_url: str | None = None) -> StoreLocation:
        """`data_dir` (`--data-dir`), else $KNEEDRIVE_DATA_DIR, else the user data folder (platformdirs);
        `db_url` (`--db`), else the SQLite file in the data folder."""
        if data_dir is None:
            env = os.environ.get(DATA_DIR_ENV)
            if env:
                data_dir = Path(env)
            else:
                from platformdirs import user_data_dir

                data_dir = Path(user_data_dir("kneedrive", appauthor=False))
        data_dir = data_dir.expanduser().resolve()
        return cls(data_dir=data_dir, db_url=db_url or f"sqlite:///{data_dir / DB_FILE}")

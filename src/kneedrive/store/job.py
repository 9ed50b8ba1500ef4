"""`python -m kneedrive.store.job --data-dir DIR [--db URL] SESSION_ID`: run one claimed session in this
process (the web app's worker starts one such process per analysis)."""

from __future__ import annotations

import argparse
import logging
from pathlib import Path

from .run import run_session
from .store import open_store


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m kneedrive.store.job")
    parser.add_argument("--data-dir", type=Path, required=True)
    parser.add_argument("--db")
    parser.add_argument("session_id")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    store = open_store(args.data_dir, args.db)
    run_session(store, store.session(args.session_id))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Helpers for the web app's tests: an app over a fresh store in a temporary folder, and keypoint files."""

from __future__ import annotations

import time
from pathlib import Path

from fastapi.testclient import TestClient

from kneedrive.app.config import AppConfig
from kneedrive.app.server import create_app
from kneedrive.store.location import StoreLocation


def make_client(
    data_dir: Path, *, token: str | None = None, max_upload_bytes: int = 5_000_000, worker: bool = True
) -> TestClient:
    config = AppConfig(
        StoreLocation.resolve(data_dir), token=token, max_upload_bytes=max_upload_bytes, run_worker=worker
    )
    return TestClient(create_app(config), base_url="http://127.0.0.1:8000")


def wait_done(client: TestClient, session_id: str, timeout_s: float = 120.0) -> dict[str, object]:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        doc: dict[str, object] = client.get(f"/api/sessions/{session_id}").json()
        if doc["status"] in ("done", "failed"):
            return doc
        time.sleep(0.3)
    raise TimeoutError(f"session {session_id} not finished in {timeout_s} s")


def demo_csv(path: Path, faults: tuple[str, ...] = ()) -> Path:
    """The synthetic sprinter's keypoints (`kneedrive demo --csv`), optionally with injected faults."""
    from kneedrive.demo import run_demo
    from kneedrive.io.keypoints_csv import write_keypoints_csv

    write_keypoints_csv(run_demo("sprint", list(faults)).sequence, path)
    return path

"""The store's backup from the browser: the export download, and the import in two steps (upload and check,
then confirm or cancel), with CSRF, a bad archive refused with nothing stored, the import's own size limit."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from kneedrive.app.config import AppConfig
from kneedrive.app.server import create_app
from kneedrive.record import AnalysisRecord
from kneedrive.store import open_store
from kneedrive.store.location import StoreLocation

from .test_store_archive import _fill, _snapshot, _store_is_empty
from .test_store_archive import record as record  # the module's fixture


def _client(data_dir: Path, **config: int) -> TestClient:
    app = create_app(AppConfig(StoreLocation.resolve(data_dir), run_worker=False, **config))  # type: ignore[arg-type]
    return TestClient(app, base_url="http://127.0.0.1:8000")


def _csrf(client: TestClient) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', client.get("/store").text)
    assert found is not None
    return found.group(1)


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory, record: AnalysisRecord) -> tuple[bytes, Path]:
    """(the downloaded archive, the store it came from)."""
    tmp = tmp_path_factory.mktemp("source")
    _fill(open_store(tmp / "store"), record, tmp)
    with _client(tmp / "store") as client:
        page = client.get("/")
        assert 'href="/store"' in page.text
        assert "2 athletes" in client.get("/store").text
        download = client.get("/store/export.zip")
    assert download.status_code == 200 and download.headers["content-type"] == "application/zip"
    assert re.fullmatch(
        r'attachment; filename="kneedrive-store-\d{4}-\d\d-\d\d.zip"', download.headers["content-disposition"]
    )
    assert not any((tmp / "store" / "exports").iterdir())  # the temporary export is removed once sent
    return download.content, tmp / "store"


def _upload(client: TestClient, content: bytes, csrf: str, name: str = "backup.zip") -> object:
    return client.post("/store/import", data={"csrf": csrf}, files={"file": (name, content, "application/zip")})


def test_import_shows_what_it_would_do_then_imports_on_confirmation(
    tmp_path: Path, exported: tuple[bytes, Path]
) -> None:
    content, source = exported
    with _client(tmp_path / "laptop") as client:
        csrf = _csrf(client)
        assert _upload(client, content, "forged").status_code == 403  # type: ignore[attr-defined]
        preview = _upload(client, content, csrf)
        assert preview.status_code == 200, preview.text  # type: ignore[attr-defined]
        text = preview.text  # type: ignore[attr-defined]
        assert "Import backup.zip?" in text and "2 new athletes: Ana, Ben" in text and "3 sessions" in text
        store = open_store(tmp_path / "laptop")
        assert store.athletes() == []  # nothing imported before the confirmation
        token = re.search(r'action="/store/import/([0-9a-f]{32})"', text)
        assert token is not None
        assert client.post(f"/store/import/{token.group(1)}", data={"csrf": "forged"}).status_code == 403
        done = client.post(f"/store/import/{token.group(1)}", data={"csrf": csrf})
        assert done.status_code == 200 and "Imported" in done.text
        assert _snapshot(store) == _snapshot(open_store(source))
        assert not any((tmp_path / "laptop" / "imports").iterdir())
        again = client.post(f"/store/import/{token.group(1)}", data={"csrf": csrf})
        assert again.status_code == 404 and "done or cancelled already" in again.text


def test_merging_into_an_athlete_of_the_same_name_asks_first_and_cancel_removes_the_upload(
    tmp_path: Path, exported: tuple[bytes, Path]
) -> None:
    store = open_store(tmp_path / "club")
    store.add_athlete("ANA")
    with _client(tmp_path / "club") as client:
        csrf = _csrf(client)
        preview = _upload(client, exported[0], csrf).text  # type: ignore[attr-defined]
        assert "1 already here</strong> (Ana)" in preview and "Merge and import" in preview
        token = re.search(r'action="/store/import/([0-9a-f]{32})/cancel"', preview)
        assert token is not None
        cancelled = client.post(f"/store/import/{token.group(1)}/cancel", data={"csrf": csrf})
        assert cancelled.status_code == 200 and cancelled.url.path == "/store"
    assert [a.name for a in store.athletes()] == ["ANA"] and store.sessions() == []
    assert not any((tmp_path / "club" / "imports").iterdir())


def test_a_bad_archive_is_a_clear_error_page_with_nothing_stored(tmp_path: Path, exported: tuple[bytes, Path]) -> None:
    evil = tmp_path / "evil.zip"
    with zipfile.ZipFile(evil, "w") as zf:
        zf.writestr("manifest.json", '{"format": "kneedrive-store", "version": 1}')
        zf.writestr("../../etc/cron.d/evil", "* * * * * root rm -rf /")
    with _client(tmp_path / "store", max_import_bytes=len(exported[0]) - 1) as client:
        csrf = _csrf(client)
        for content, name, status, message in (
            (evil.read_bytes(), "evil.zip", 400, "evil.zip: refused, nothing imported: unexpected member"),
            (b"just text", "notes.zip", 400, "notes.zip: not a kneedrive store archive"),
            (exported[0], "big.zip", 413, "over the upload limit"),
        ):
            response = _upload(client, content, csrf, name)
            assert response.status_code == status, response.text  # type: ignore[attr-defined]
            assert message in response.text  # type: ignore[attr-defined]
        assert client.post("/store/import/" + "0" * 32, data={"csrf": csrf}).status_code == 404
        assert client.post("/store/import/..%2F..%2Fkneedrive.sqlite3", data={"csrf": csrf}).status_code == 404
    store = open_store(tmp_path / "store")
    _store_is_empty(store)
    assert not list((tmp_path / "store" / "imports").glob("*"))


def test_the_json_api_exports_and_imports(tmp_path: Path, exported: tuple[bytes, Path]) -> None:
    source = exported[1]
    with _client(source) as club:
        download = club.get("/api/store/export")
        assert download.status_code == 200 and download.content[:2] == b"PK"
    with _client(tmp_path / "laptop") as client:
        files = {"file": ("club.zip", download.content, "application/zip")}
        dry = client.post("/api/store/import?dry_run=true", files=files)
        assert dry.status_code == 200, dry.text
        assert dry.json() | {"bytes": 0} == {
            "dry_run": True,
            "athletes_new": ["Ana", "Ben"],
            "athletes_merged": [],
            "sessions_new": 3,
            "sessions_skipped": 0,
            "plans_new": 1,
            "plans_skipped": 0,
            "files": 8,
            "bytes": 0,
        }
        assert open_store(tmp_path / "laptop").sessions() == []
        done = client.post("/api/store/import", files=files).json()
        assert done["dry_run"] is False and done["sessions_new"] == 3
        again = client.post("/api/store/import", files=files).json()
        assert again["sessions_new"] == 0 and again["sessions_skipped"] == 3
        bad = client.post("/api/store/import", files={"file": ("x.zip", b"nope", "application/zip")})
        assert bad.status_code == 400 and bad.json()["error"].startswith("x.zip: not a kneedrive store archive")
        assert client.post("/api/store/import", data={"x": "1"}).status_code == 400
    assert _snapshot(open_store(tmp_path / "laptop")) == _snapshot(open_store(source))
    assert not any((tmp_path / "laptop" / "imports").iterdir())

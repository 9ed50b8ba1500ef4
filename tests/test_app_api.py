"""The web app's JSON API and pages over a fresh store: every endpoint, bad uploads and ids (a clear JSON
error, the right status, nothing stored), the --lan token, CSRF, escaping, the queue across restarts."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from kneedrive.app.uploads import sniff
from kneedrive.store import open_store

from .appclient import demo_csv, make_client, wait_done

#: Each test starts the app (and analyses in their own processes): the slow lane.
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def csv_bytes(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    return demo_csv(tmp_path_factory.mktemp("csv") / "demo.csv").read_bytes()


@pytest.fixture(scope="module")
def low_knee_bytes(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    return demo_csv(tmp_path_factory.mktemp("csv") / "low.csv", ("low_knee",)).read_bytes()


def _athlete(client: TestClient, name: str = "Ana", height_m: float | None = 1.8) -> int:
    response = client.post("/api/athletes", json={"name": name, "height_m": height_m, "dominant_leg": "left"})
    assert response.status_code == 201, response.text
    athlete_id: int = response.json()["id"]
    return athlete_id


def _upload(client: TestClient, athlete_id: object, content: bytes, name: str = "clip.csv", **fields: str) -> object:
    return client.post(
        "/api/sessions", data={"athlete_id": str(athlete_id), **fields}, files={"file": (name, content, "text/csv")}
    )


def _stored_files(data_dir: Path) -> list[Path]:
    return [p for p in (data_dir / "uploads").glob("*")] if (data_dir / "uploads").exists() else []


def test_athletes_endpoints(tmp_path: Path) -> None:
    with make_client(tmp_path, worker=False) as client:
        assert client.get("/api/athletes").json() == []
        ana = _athlete(client)
        listed = client.get("/api/athletes").json()
        assert [(a["id"], a["name"], a["height_m"], a["dominant_leg"]) for a in listed] == [(ana, "Ana", 1.8, "left")]
        assert client.get(f"/api/athletes/{ana}").json()["sessions"] == []
        duplicate = client.post("/api/athletes", json={"name": "ana"})
        assert duplicate.status_code == 400 and "already" in duplicate.json()["error"]
        for bad in ({"height_m": 1.8}, {"name": "B", "height_m": "tall"}, {"name": "C", "birth_date": "May"}):
            response = client.post("/api/athletes", json=bad)
            assert response.status_code == 400 and response.json()["error"]
        assert client.post("/api/athletes", content=b"not json").status_code == 400
        assert client.get(f"/api/athletes/{ana}/progress").json() == {"athlete_id": ana, "series": [], "faults": []}
        assert client.delete(f"/api/athletes/{ana}").json() == {"deleted": ana}
        assert client.get("/api/athletes").json() == []


@pytest.mark.parametrize("bad_id", ["999", "abc", "..%2F..%2Fetc", "1e3", "-1"])
def test_bad_athlete_ids_are_json_404s(tmp_path: Path, bad_id: str) -> None:
    with make_client(tmp_path, worker=False) as client:
        for path in (f"/api/athletes/{bad_id}", f"/api/athletes/{bad_id}/progress"):
            response = client.get(path)
            assert response.status_code == 404, path
            assert re.search("no athlete|nothing here", response.json()["error"]), path
        assert client.delete(f"/api/athletes/{bad_id}").status_code == 404


@pytest.mark.parametrize("bad_id", ["0" * 31, "z" * 32, "..%2F..%2Fetc%2Fpasswd", "0" * 32])
def test_bad_session_ids_are_json_404s(tmp_path: Path, bad_id: str) -> None:
    with make_client(tmp_path, worker=False) as client:
        response = client.get(f"/api/sessions/{bad_id}")
        assert response.status_code == 404 and re.search("no session|nothing here", response.json()["error"])
        assert client.delete(f"/api/sessions/{bad_id}").status_code == 404
        page = client.get(f"/sessions/{bad_id}")
        assert page.status_code == 404 and re.search("no session|nothing here", page.text)


def test_an_upload_is_queued_then_analyzed(tmp_path: Path, csv_bytes: bytes) -> None:
    with make_client(tmp_path) as client:
        ana = _athlete(client)
        response = _upload(client, ana, csv_bytes, name="../../evil.csv", recorded_on="2026-05-01", drill="auto")
        assert response.status_code == 202, response.text
        body = response.json()
        assert body["status"] in ("queued", "running") and response.headers["location"] == f"/api/sessions/{body['id']}"
        assert body["input_name"] == "evil.csv"  # the name shown; never a path
        assert body["options"]["athlete_height_m"] == 1.8  # from the athlete
        done = wait_done(client, body["id"])
        assert done["status"] == "done", done["error"]
        assert done["summary"]["thigh_angle_peak_deg"] == pytest.approx(79.7, abs=2)
        assert done["recorded_on"] == "2026-05-01"
        files = done["files"]
        assert isinstance(files, dict)
        report = client.get(files["report.html"])
        assert report.status_code == 200 and "evil.csv" in report.text and "../" not in report.text
        assert client.get(files["analysis.json"]).json()["schema_version"] == 1
        assert "attachment" in client.get(files["steps.csv"]).headers["content-disposition"]
        assert client.get(f"/sessions/{body['id']}/files/..%2Fkneedrive.sqlite3").status_code == 404
        assert client.get(f"/sessions/{body['id']}/files/uploads").status_code == 404
        assert [s["id"] for s in client.get("/api/sessions", params={"athlete_id": ana}).json()] == [body["id"]]
        stored = _stored_files(tmp_path)
        assert [p.name for p in stored] == [f"{body['id']}.csv"]  # the generated name
        progress = client.get(f"/api/athletes/{ana}/progress").json()
        assert {s["metric"] for s in progress["series"]} >= {"thigh_angle_peak_deg", "contact_time_s", "cadence_spm"}
        assert client.delete(f"/api/sessions/{body['id']}").json() == {"deleted": body["id"]}
        assert _stored_files(tmp_path) == [] and not (tmp_path / "sessions" / body["id"]).exists()


@pytest.mark.parametrize(
    ("content", "name", "status", "message"),
    [
        (b"", "empty.mp4", 400, "empty"),
        (b"\x89PNG\r\n\x1a\n" + b"\0" * 200, "photo.mp4", 415, "not a video"),
        (b"just some words\nand more\n", "notes.csv", 415, "not a video"),
        (b"a,b,c\n1,2,3\n", "table.csv", 415, "not a video"),
        (b"\0" * 6_000_000, "huge.mp4", 413, "upload limit"),
    ],
)
def test_bad_uploads_are_refused_and_nothing_is_stored(
    tmp_path: Path, content: bytes, name: str, status: int, message: str
) -> None:
    with make_client(tmp_path, worker=False, max_upload_bytes=5_000_000) as client:
        ana = _athlete(client)
        response = _upload(client, ana, content, name=name)
        assert response.status_code == status, response.text
        assert message in response.json()["error"]
        assert client.get("/api/sessions").json() == []
        assert _stored_files(tmp_path) == []


def test_uploads_with_bad_fields_are_refused(tmp_path: Path, csv_bytes: bytes) -> None:
    with make_client(tmp_path, worker=False) as client:
        ana = _athlete(client)
        for fields, status, message in (
            ({"drill": "moonwalk"}, 400, "moonwalk"),
            ({"capture_fps": "fast"}, 400, "must be a number"),
            ({"person": "0"}, 400, "person"),
            ({"recorded_on": "yesterday"}, 400, "YYYY-MM-DD"),
        ):
            response = _upload(client, ana, csv_bytes, **fields)
            assert response.status_code == status and message in response.json()["error"], fields
        assert _upload(client, 12345, csv_bytes).status_code == 404
        no_file = client.post("/api/sessions", data={"athlete_id": str(ana)})
        assert no_file.status_code == 400 and "no file" in no_file.json()["error"]
        assert client.get("/api/sessions").json() == [] and _stored_files(tmp_path) == []


def test_lan_mode_needs_the_token_on_every_request(tmp_path: Path, csv_bytes: bytes) -> None:
    with make_client(tmp_path, worker=False, token="s3cret-token") as client:
        for method, path in (("GET", "/"), ("GET", "/api/athletes"), ("GET", "/static/app.css")):
            response = client.request(method, path)
            assert response.status_code == 401, path
        missing = client.post("/api/athletes", json={"name": "Eve"})
        assert missing.status_code == 401 and "token is required" in missing.json()["error"]
        wrong = client.get("/api/athletes", headers={"Authorization": "Bearer nope"})
        assert wrong.status_code == 401 and "wrong token" in wrong.json()["error"]
        upload = _upload(client, 1, csv_bytes)
        assert upload.status_code == 401
        assert open_store(tmp_path).athletes() == [] and _stored_files(tmp_path) == []
        assert client.get("/api/athletes", headers={"Authorization": "Bearer s3cret-token"}).json() == []
        first = client.get("/?token=s3cret-token")  # the address printed / in the QR code: sets the cookie
        assert first.status_code == 200
        assert client.get("/api/athletes").status_code == 200  # the cookie carries it from now on


def test_forms_need_the_csrf_token_and_cross_site_posts_are_refused(tmp_path: Path) -> None:
    with make_client(tmp_path, worker=False) as client:
        page = client.get("/")
        csrf = re.search(r'name="csrf" value="([^"]+)"', page.text)
        assert csrf is not None
        assert client.post("/athletes", data={"name": "Fay"}).status_code == 403
        assert client.post("/athletes", data={"name": "Fay", "csrf": "forged"}).status_code == 403
        cross = client.post("/api/athletes", json={"name": "Fay"}, headers={"Origin": "http://evil.example"})
        assert cross.status_code == 403 and "cross-site" in cross.json()["error"]
        assert client.get("/api/athletes").json() == []
        made = client.post("/athletes", data={"name": "<script>alert(1)</script>", "csrf": csrf.group(1)})
        assert made.status_code == 200 and "&lt;script&gt;alert(1)&lt;/script&gt;" in made.text
        assert "<script>alert(1)" not in made.text
        assert "default-src 'self'" in made.headers["content-security-policy"]


def test_pages_compare_and_delete_with_confirmation(tmp_path: Path, csv_bytes: bytes, low_knee_bytes: bytes) -> None:
    with make_client(tmp_path) as client:
        ana = _athlete(client)
        first = _upload(client, ana, low_knee_bytes, name="jan.csv", recorded_on="2026-01-10").json()["id"]
        second = _upload(client, ana, csv_bytes, name="feb.csv", recorded_on="2026-02-10").json()["id"]
        assert wait_done(client, first)["status"] == "done" and wait_done(client, second)["status"] == "done"
        athlete_page = client.get(f"/athletes/{ana}").text
        assert 'data-metric="thigh_angle_peak_deg" data-points="2"' in athlete_page
        assert "Knee drive too low" in athlete_page and "went away" in athlete_page
        assert "http://" not in athlete_page and "https://" not in athlete_page  # no CDN
        session_page = client.get(f"/sessions/{second}").text
        assert f"/sessions/{second}/files/report.html" in session_page and "keypoints.trc" in session_page
        assert f'<img src="/sessions/{second}/files/kinogram_left.png"' in session_page  # shown, not only listed
        kinogram = client.get(f"/sessions/{second}/files/kinogram_left.png")
        assert kinogram.status_code == 200 and kinogram.headers["content-type"] == "image/png"
        assert kinogram.content.startswith(b"\x89PNG") and "attachment" not in kinogram.headers.get(
            "content-disposition", ""
        )
        compare = client.get("/compare", params={"a": first, "b": second})
        assert compare.status_code == 200 and "Knee drive too low" in compare.text
        csrf = re.search(r'name="csrf" value="([^"]+)"', session_page)
        assert csrf is not None
        plan = client.post(f"/sessions/{second}/plan", data={"csrf": csrf.group(1), "goal": "sprint_speed"})
        assert plan.status_code == 200
        assert client.get(f"/sessions/{second}/plan.ics").text.startswith("BEGIN:VCALENDAR")
        confirm = client.get(f"/sessions/{first}/delete")
        assert confirm.status_code == 200 and "cannot be undone" in confirm.text
        assert client.get(f"/api/sessions/{first}").status_code == 200  # asking is not deleting
        deleted = client.post(f"/sessions/{first}/delete", data={"csrf": csrf.group(1)})
        assert deleted.status_code == 200 and client.get(f"/api/sessions/{first}").status_code == 404
        client.post(f"/athletes/{ana}/delete", data={"csrf": csrf.group(1)})
        assert client.get("/api/athletes").json() == [] and _stored_files(tmp_path) == []


def test_a_failed_analysis_is_marked_failed_with_its_error(tmp_path: Path) -> None:
    with make_client(tmp_path) as client:
        ana = _athlete(client)
        header = b"time_s,left_hip_x,left_hip_y\n" + b"".join(b"%f,1,2\n" % (i / 100) for i in range(50))
        session = _upload(client, ana, header, name="short.csv").json()["id"]
        done = wait_done(client, session)
        assert done["status"] == "failed" and done["error"]
        assert done["outputs"] == [] and not (tmp_path / "sessions" / session).exists()


def test_queued_work_survives_a_restart_and_running_work_is_marked_interrupted(
    tmp_path: Path, csv_bytes: bytes
) -> None:
    with make_client(tmp_path, worker=False) as client:
        ana = _athlete(client)
        queued = _upload(client, ana, csv_bytes).json()["id"]
        interrupted = _upload(client, ana, csv_bytes).json()["id"]
    store = open_store(tmp_path)
    claimed = store.claim_next()
    assert claimed is not None and claimed.id == queued  # left running: the server "died" here
    with make_client(tmp_path) as client:
        assert wait_done(client, interrupted)["status"] == "done"
        stopped = client.get(f"/api/sessions/{queued}").json()
        assert stopped["status"] == "failed" and "interrupted" in stopped["error"]


def test_sniffing_tells_containers_from_their_first_bytes(tmp_path: Path) -> None:
    cases = {
        b"\0\0\0\x18ftypisom" + b"\0" * 20: ("video", ".mp4"),
        b"\0\0\0\x14ftypqt  " + b"\0" * 20: ("video", ".mov"),
        b"RIFF\0\0\0\0AVI LIST": ("video", ".avi"),
        b"\x1aE\xdf\xa3\x01\0\0\0": ("video", ".mkv"),
        b"PathFileType\t4\t(X/Y/Z)\tx.trc\n": ("keypoints", ".trc"),
        b"\xef\xbb\xbfframe,left_hip_x,left_hip_y\n0,1,2\n": ("keypoints", ".csv"),
    }
    for content, expected in cases.items():
        path = tmp_path / "upload"
        path.write_bytes(content)
        kind = sniff(path)
        assert (kind.input_kind, kind.suffix) == expected, content

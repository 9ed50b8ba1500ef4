"""The coach's workspace in headless Chromium (Debian's `chromium`, driven over the DevTools pipe): a real
`kneedrive serve` on loopback; create an athlete, upload two keypoint CSVs, watch the progress, open the
report, see both sessions on the progress plot, compare them, delete one; upload the GaitLab treadmill
video, watch its progress, play its annotated video and report; export the store and import it back through
the backup page. Screenshots at phone and desktop width go to test-artifacts/ (gitignored)."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from .appclient import demo_csv
from .chromium import Chromium
from .videoclips import SHARED

ARTIFACTS = Path(__file__).resolve().parents[1] / "test-artifacts"
pytestmark = pytest.mark.slow


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@pytest.fixture
def server(tmp_path: Path) -> Iterator[str]:
    port = _free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "kneedrive.cli", "serve", "--port", str(port), "--data-dir", str(tmp_path / "store")],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env=os.environ | {"PYTHONUNBUFFERED": "1"},
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            urllib.request.urlopen(url + "/api/athletes", timeout=2).read()
            break
        except OSError:
            if time.monotonic() > deadline or process.poll() is not None:
                process.kill()
                raise RuntimeError("kneedrive serve did not start") from None
            time.sleep(0.2)
    try:
        yield url
    finally:
        process.terminate()
        process.wait(timeout=20)


def _wait(browser: Chromium, condition: str, timeout_s: float = 120.0) -> None:
    deadline = time.monotonic() + timeout_s
    while not browser.evaluate(condition):
        if time.monotonic() > deadline:
            raise TimeoutError(f"never true: {condition}")
        time.sleep(0.3)


def _set_file(browser: Chromium, selector: str, path: Path) -> None:
    root = browser.send("DOM.getDocument", session=True)["root"]["nodeId"]
    node = browser.send("DOM.querySelector", {"nodeId": root, "selector": selector}, session=True)["nodeId"]
    browser.send("DOM.setFileInputFiles", {"files": [str(path)], "nodeId": node}, session=True)


def _upload(browser: Chromium, url: str, athlete_path: str, csv: Path, day: str) -> None:
    browser.load(url + athlete_path)
    _set_file(browser, "#upload input[type=file]", csv)
    browser.evaluate(f"document.querySelector('#upload [name=recorded_on]').value = '{day}'")
    browser.evaluate("document.querySelector('#upload').submit()")
    _wait(browser, "location.pathname.startsWith('/sessions/')", 30)
    _wait(browser, "!!document.getElementById('report') || !!document.getElementById('error')")
    assert browser.evaluate("!!document.getElementById('report')"), browser.evaluate("document.body.innerText")


def test_the_workspace_end_to_end(server: str, tmp_path: Path) -> None:
    fast = demo_csv(tmp_path / "feb.csv")
    low = demo_csv(tmp_path / "jan.csv", ("low_knee",))
    with Chromium(width_px=1280, height_px=900, mobile=False) as browser:
        requested = browser.load(server + "/")
        browser.evaluate(
            "const f = document.getElementById('add-athlete');"
            "f.elements['name'].value = 'Ana <Sprinter>'; f.elements['height_m'].value = '1.78'; f.submit();"
        )
        _wait(browser, "location.pathname.startsWith('/athletes/')", 30)
        athlete_path = browser.evaluate("location.pathname")
        assert browser.evaluate("document.querySelector('h1').textContent") == "Ana <Sprinter>"

        _upload(browser, server, athlete_path, low, "2026-01-12")
        report = browser.evaluate("document.getElementById('report').src")
        assert report.endswith("/files/report.html")
        _upload(browser, server, athlete_path, fast, "2026-02-16")
        # the report renders inside the page (same origin)
        _wait(browser, "document.getElementById('report').contentDocument?.body?.innerText.length > 200", 30)

        requested += browser.load(server + athlete_path)
        points = browser.evaluate(
            "document.querySelector('svg.chart[data-metric=thigh_angle_peak_deg]').dataset.points"
        )
        assert points == "2"
        assert "went away" in browser.evaluate("document.body.innerText")
        browser.screenshot(ARTIFACTS / "app-athlete-1280px.png")
        browser.resize(390, 844, mobile=True)
        browser.load(server + athlete_path)
        browser.screenshot(ARTIFACTS / "app-athlete-390px.png")
        browser.resize(1280, 900, mobile=False)

        browser.load(server + athlete_path)
        browser.evaluate("document.querySelectorAll('input.pick').forEach(c => c.checked = true)")
        browser.evaluate("document.getElementById('compare').click()")
        _wait(browser, "location.pathname === '/compare'", 30)
        assert "Knee drive too low" in browser.evaluate("document.body.innerText")
        browser.screenshot(ARTIFACTS / "app-compare-1280px.png", max_height_px=1400)

        browser.load(server + athlete_path)
        delete = browser.evaluate("document.querySelector('#sessions a[href$=\"/delete\"]').href")
        browser.load(delete)
        browser.evaluate("document.getElementById('confirm-delete').submit()")
        _wait(browser, f"location.pathname === '{athlete_path}'", 30)
        remaining = json.loads(urllib.request.urlopen(server + "/api/sessions").read())
        assert len(remaining) == 1
        offsite = [u for u in requested if not u.startswith(server) and not u.startswith("data:")]
        assert offsite == []  # every asset is served locally


GAITLAB = SHARED / "gaitlab_treadmill" / "male_side.mp4"


@pytest.mark.skipif(not GAITLAB.is_file(), reason="real data missing: ../shared/data/gaitlab_treadmill")
def test_a_phone_video_through_the_app_then_the_store_backed_up_and_restored(server: str, tmp_path: Path) -> None:
    """The server's analysis process uses the pose cache (the user cache folder, or $KNEEDRIVE_CACHE_DIR), so
    a clip already posed on this machine is not posed again."""
    with Chromium(width_px=1280, height_px=900, mobile=False) as browser:
        browser.load(server + "/")
        browser.evaluate(
            "const f = document.getElementById('add-athlete');"
            "f.elements['name'].value = 'GaitLab runner'; f.elements['height_m'].value = '1.78'; f.submit();"
        )
        _wait(browser, "location.pathname.startsWith('/athletes/')", 30)
        athlete_path = browser.evaluate("location.pathname")
        _set_file(browser, "#upload input[type=file]", GAITLAB)
        browser.evaluate("document.querySelector('#upload [name=recorded_on]').value = '2026-03-02'")
        browser.evaluate("document.querySelector('#upload').submit()")
        _wait(browser, "location.pathname.startsWith('/sessions/')", 60)
        assert browser.evaluate("!!document.getElementById('progress')")  # queued, with its progress box
        seen: set[str] = set()
        deadline = time.monotonic() + 300
        while not browser.evaluate("!!document.getElementById('report') || !!document.getElementById('error')"):
            assert time.monotonic() < deadline, f"the video was not analysed in 300 s; progress seen: {seen}"
            text = browser.evaluate("document.getElementById('progress-text')?.textContent || ''")
            if text:
                seen.add(text)
            if len(seen) == 3:
                browser.screenshot(ARTIFACTS / "app-progress-1280px.png", full_page=False)
            time.sleep(0.5)
        assert browser.evaluate("!!document.getElementById('report')"), browser.evaluate("document.body.innerText")
        assert seen, "no progress was shown"
        assert all(("queue" in s or "frames" in s or s.isalpha()) for s in seen), seen
        session_id = browser.evaluate("location.pathname").rsplit("/", 1)[1]
        _wait(browser, "document.querySelector('video')?.readyState >= 1", 30)  # the annotated video plays here
        _wait(browser, "document.getElementById('report').contentDocument?.body?.innerText.length > 200", 30)
        report = browser.evaluate("document.getElementById('report').contentDocument.body.innerText")
        assert "male_side.mp4" in report and "steps/min" in report
        doc = json.loads(urllib.request.urlopen(f"{server}/api/sessions/{session_id}").read())
        assert doc["input_kind"] == "video" and doc["summary"]["cadence_spm"] == pytest.approx(168.9, rel=0.03)
        browser.screenshot(ARTIFACTS / "app-video-session-1280px.png", max_height_px=1400)
        browser.resize(390, 844, mobile=True)
        browser.load(server + f"/sessions/{session_id}")
        browser.screenshot(ARTIFACTS / "app-video-session-390px.png", max_height_px=1600)
        browser.resize(1280, 900, mobile=False)

        backup = tmp_path / "backup.zip"
        backup.write_bytes(urllib.request.urlopen(server + "/store/export.zip").read())
        request = urllib.request.Request(f"{server}/api/sessions/{session_id}", method="DELETE")
        urllib.request.urlopen(request).read()
        browser.load(server + "/store")
        _set_file(browser, "#import input[type=file]", backup)
        browser.evaluate("document.getElementById('import').submit()")
        _wait(browser, "!!document.getElementById('import-plan') || !!document.querySelector('.error')", 60)
        plan = browser.evaluate("document.getElementById('import-plan').innerText")
        assert "1 sessions" in plan and "already here" in plan  # the athlete is still there: merged, said so
        browser.screenshot(ARTIFACTS / "app-import-1280px.png")
        browser.evaluate("document.getElementById('confirm-import').submit()")
        _wait(browser, "document.querySelector('h1')?.textContent === 'Imported'", 60)
        browser.load(server + athlete_path)
        assert browser.evaluate(f"!!document.querySelector('#sessions a[href=\"/sessions/{session_id}\"]')")
        browser.load(server + f"/sessions/{session_id}")
        _wait(browser, "document.querySelector('video')?.readyState >= 1", 30)  # its files came back too

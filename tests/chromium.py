"""Headless Chromium driven over the DevTools protocol on a pipe (`--remote-debugging-pipe`).

Used by the report tests and scripts/readme_screenshot.py to load a report, record every network
request the page makes (Network.requestWillBeSent), run JavaScript checks on the rendered DOM and
take screenshots. The protocol runs over two inherited file descriptors (3: commands in, 4: replies
out, messages separated by NUL), so no websocket client and no open port are needed. Debian's
`chromium` package is required (scripts/install-system-deps.sh); a missing browser is an error.
"""

from __future__ import annotations

import base64
import contextlib
import fcntl
import json
import os
import select
import shutil
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

TIMEOUT_S = 60.0


def chromium_binary() -> str:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        path = shutil.which(name)
        if path:
            return path
    raise FileNotFoundError("chromium not found: run scripts/install-system-deps.sh (apt-get install chromium)")


def _above(fd: int, lowest: int) -> int:
    """A close-on-exec duplicate of `fd` numbered `lowest` or more; the original is closed."""
    moved = fcntl.fcntl(fd, fcntl.F_DUPFD_CLOEXEC, lowest)
    os.close(fd)
    return moved


class Chromium:
    """One browser, one tab. `load(url)` navigates and returns the URLs the page requested."""

    def __init__(self, width_px: int = 390, height_px: int = 844, mobile: bool = True) -> None:
        self._profile = tempfile.TemporaryDirectory(prefix="kneedrive-chromium-")
        cmd_r, self._cmd_w = os.pipe()
        self._out_r, out_w = os.pipe()
        # Move the child's ends above 3 and 4 first, so that placing them on 3 and 4 cannot clobber
        # one with the other; dup2 leaves the copies inheritable (the originals are close-on-exec).
        cmd_r, out_w = (_above(fd, 10) for fd in (cmd_r, out_w))

        def wire_pipes() -> None:  # in the child: the protocol's fds 3 and 4
            os.dup2(cmd_r, 3)
            os.dup2(out_w, 4)

        self._proc = subprocess.Popen(
            [
                chromium_binary(),
                "--headless",
                "--remote-debugging-pipe",
                "--no-sandbox",  # CI runs as root
                "--disable-gpu",
                "--no-first-run",
                "--no-default-browser-check",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--hide-scrollbars",
                f"--user-data-dir={self._profile.name}",
                "about:blank",
            ],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            preexec_fn=wire_pipes,  # the test process does not run threads while launching
            close_fds=False,  # keeps 3 and 4; Python's own fds are close-on-exec anyway (PEP 446)
        )
        os.close(cmd_r)
        os.close(out_w)
        self._buffer = b""
        self._next_id = 0
        self.events: list[dict[str, Any]] = []
        target = self.send("Target.createTarget", {"url": "about:blank"})["targetId"]
        self._session = self.send("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        for domain in ("Page", "Network", "Runtime"):
            self.send(f"{domain}.enable", session=True)
        self.resize(width_px, height_px, mobile=mobile)

    # --- protocol -------------------------------------------------------------------------------
    def send(self, method: str, params: dict[str, Any] | None = None, *, session: bool = False) -> dict[str, Any]:
        self._next_id += 1
        message: dict[str, Any] = {"id": self._next_id, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = self._session
        os.write(self._cmd_w, json.dumps(message).encode() + b"\0")
        while True:
            reply = self._read()
            if reply.get("id") == self._next_id:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                result: dict[str, Any] = reply.get("result", {})
                return result

    def _read(self) -> dict[str, Any]:
        deadline = time.monotonic() + TIMEOUT_S
        while b"\0" not in self._buffer:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([self._out_r], [], [], left)[0]:
                raise TimeoutError("chromium did not answer")
            chunk = os.read(self._out_r, 1 << 20)
            if not chunk:
                raise RuntimeError("chromium closed the DevTools pipe")
            self._buffer += chunk
        raw, self._buffer = self._buffer.split(b"\0", 1)
        message: dict[str, Any] = json.loads(raw)
        if "method" in message:
            self.events.append(message)
        return message

    def _wait_event(self, method: str) -> dict[str, Any]:
        for event in self.events:
            if event["method"] == method:
                return event
        while True:
            message = self._read()
            if message.get("method") == method:
                return message

    # --- page -----------------------------------------------------------------------------------
    def resize(self, width_px: int, height_px: int, *, mobile: bool) -> None:
        params = {"width": width_px, "height": height_px, "deviceScaleFactor": 1, "mobile": mobile}
        self.send("Emulation.setDeviceMetricsOverride", params, session=True)

    def load(self, url: str) -> list[str]:
        """Navigate, wait for the load event (and a settle pause), return every requested URL."""
        self.events.clear()
        self.send("Page.navigate", {"url": url}, session=True)
        self._wait_event("Page.loadEventFired")
        self.evaluate("new Promise(r => setTimeout(r, 300))")  # late requests (timers, lazy images)
        return [e["params"]["request"]["url"] for e in self.events if e["method"] == "Network.requestWillBeSent"]

    def evaluate(self, expression: str) -> Any:
        reply = self.send(
            "Runtime.evaluate", {"expression": expression, "returnByValue": True, "awaitPromise": True}, session=True
        )
        if "exceptionDetails" in reply:
            raise RuntimeError(f"javascript failed: {reply['exceptionDetails']}")
        return reply["result"].get("value")

    def screenshot(self, path: Path, *, full_page: bool = True, max_height_px: int | None = None) -> Path:
        params: dict[str, Any] = {"format": "png"}
        if full_page:
            width = self.evaluate("document.documentElement.clientWidth")
            height = self.evaluate("document.documentElement.scrollHeight")
            if max_height_px is not None:
                height = min(height, max_height_px)
            params |= {"clip": {"x": 0, "y": 0, "width": width, "height": height, "scale": 1}}
            params["captureBeyondViewport"] = True
        data = self.send("Page.captureScreenshot", params, session=True)["data"]
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(base64.b64decode(data))
        return path

    def close(self) -> None:
        with contextlib.suppress(RuntimeError, TimeoutError, OSError):
            self.send("Browser.close")
        try:
            self._proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self._proc.kill()
            self._proc.wait()
        os.close(self._cmd_w)
        os.close(self._out_r)
        self._profile.cleanup()

    def __enter__(self) -> Chromium:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

"""Load test of `kneedrive serve` on loopback, bounded: 20 clients poll the API and 5 upload keypoint CSVs for
DURATION_S (60 s), then the queue is waited on until it drains (at most DRAIN_S). Checks that no request
failed, no session was lost or duplicated and every upload ended done; prints the figures for the README.

    python benchmarks/app_load.py [--duration-s 60] [--pollers 20] [--uploaders 5]

Traffic goes to 127.0.0.1 only; the server is started here in a temporary store and stopped at the end.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
import uuid
from pathlib import Path

DRAIN_S = 900.0
UPLOAD_EVERY_S = 6.0


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def _request(url: str, data: bytes | None = None, headers: dict[str, str] | None = None) -> tuple[int, bytes, float]:
    start = time.perf_counter()
    req = urllib.request.Request(url, data=data, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=30) as response:
            return response.status, response.read(), time.perf_counter() - start
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read(), time.perf_counter() - start


def _multipart(fields: dict[str, str], name: str, content: bytes) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode() for k, v in fields.items()
    ]
    parts.append(
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{name}"\r\n'
        f"Content-Type: text/csv\r\n\r\n".encode()
        + content
        + f"\r\n--{boundary}--\r\n".encode()
    )
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--duration-s", type=float, default=60.0)
    parser.add_argument("--pollers", type=int, default=20)
    parser.add_argument("--uploaders", type=int, default=5)
    args = parser.parse_args()

    from kneedrive.demo import run_demo
    from kneedrive.io.keypoints_csv import write_keypoints_csv

    with tempfile.TemporaryDirectory(prefix="kneedrive-load-") as tmp:
        csv = Path(tmp) / "demo.csv"
        write_keypoints_csv(run_demo("sprint", []).sequence, csv)
        content = csv.read_bytes()
        port = _free_port()
        base = f"http://127.0.0.1:{port}"
        server = subprocess.Popen(
            [sys.executable, "-m", "kneedrive.cli", "serve", "--port", str(port), "--data-dir", f"{tmp}/store"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            env=os.environ,
        )
        try:
            deadline = time.monotonic() + 30
            while True:
                try:
                    _request(base + "/api/athletes")
                    break
                except OSError:
                    if time.monotonic() > deadline:
                        raise
                    time.sleep(0.2)
            _, body, _ = _request(
                base + "/api/athletes", json.dumps({"name": "Load"}).encode(), {"Content-Type": "application/json"}
            )
            athlete = json.loads(body)["id"]
            lock = threading.Lock()
            latencies: dict[str, list[float]] = {"poll": [], "upload": []}
            failures: list[str] = []
            uploaded: list[str] = []
            stop_at = time.monotonic() + args.duration_s

            def poller() -> None:
                while time.monotonic() < stop_at:
                    with lock:
                        target = uploaded[-1] if uploaded else None
                    url = base + (f"/api/sessions/{target}" if target else "/api/athletes")
                    try:
                        code, _, took = _request(url)
                    except OSError as exc:
                        code, took = -1, 0.0
                        with lock:
                            failures.append(f"poll: {exc}")
                    with lock:
                        latencies["poll"].append(took)
                        if code != 200:
                            failures.append(f"poll {url}: {code}")
                    time.sleep(0.5)

            def uploader() -> None:
                while time.monotonic() < stop_at:
                    data, kind = _multipart({"athlete_id": str(athlete)}, "load.csv", content)
                    try:
                        code, reply, took = _request(base + "/api/sessions", data, {"Content-Type": kind})
                    except OSError as exc:
                        with lock:
                            failures.append(f"upload: {exc}")
                        continue
                    with lock:
                        latencies["upload"].append(took)
                        if code == 202:
                            uploaded.append(json.loads(reply)["id"])
                        else:
                            failures.append(f"upload: {code} {reply[:100]!r}")
                    time.sleep(UPLOAD_EVERY_S)

            threads = [threading.Thread(target=poller) for _ in range(args.pollers)]
            threads += [threading.Thread(target=uploader) for _ in range(args.uploaders)]
            started = time.monotonic()
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            drain_deadline = time.monotonic() + DRAIN_S
            while True:
                sessions = json.loads(_request(base + "/api/sessions")[1])
                pending = [s for s in sessions if s["status"] in ("queued", "running")]
                if not pending or time.monotonic() > drain_deadline:
                    break
                time.sleep(1.0)
            drained_s = time.monotonic() - started
            ids = [s["id"] for s in sessions]
            statuses = {st: sum(s["status"] == st for s in sessions) for st in ("done", "failed", "queued", "running")}
            lost = set(uploaded) - set(ids)
            duplicated = len(ids) - len(set(ids))
            extra = set(ids) - set(uploaded)
            polls = sorted(latencies["poll"])
            ups = sorted(latencies["upload"])
            print(f"{args.pollers} pollers, {args.uploaders} uploaders, {args.duration_s:.0f} s on loopback")
            print(f"requests: {len(polls)} polls, {len(ups)} uploads; failed: {len(failures)}")
            if polls:
                p95 = polls[int(0.95 * (len(polls) - 1))]
                print(f"poll latency: median {1000 * statistics.median(polls):.0f} ms, p95 {1000 * p95:.0f} ms")
            if ups:
                print(
                    f"upload latency (202): median {1000 * statistics.median(ups):.0f} ms, max {1000 * ups[-1]:.0f} ms"
                )
            print(f"sessions: {len(ids)} stored, {statuses}, lost {len(lost)}, duplicated {duplicated}")
            print(f"sessions nobody uploaded: {len(extra)}")
            rate = statuses["done"] / max(drained_s, 1) * 60
            print(f"queue drained {drained_s:.0f} s after the start ({rate:.1f} analyses/min)")
            for failure in failures[:10]:
                print("  ", failure)
            ok = not failures and not lost and not duplicated and not extra and statuses["done"] == len(uploaded)
            print("OK" if ok else "FAILED")
            return 0 if ok else 1
        finally:
            server.terminate()
            server.wait(timeout=30)


if __name__ == "__main__":
    raise SystemExit(main())

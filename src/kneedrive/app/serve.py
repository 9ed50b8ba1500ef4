"""`kneedrive serve`: the app under uvicorn. On 127.0.0.1 only, unless --lan: then on every interface, with a
token that every request needs (printed, and as a QR code a phone's camera opens)."""

from __future__ import annotations

import socket
import sys
from pathlib import Path

from ..store.location import StoreLocation
from .config import DEFAULT_MAX_IMPORT_BYTES, AppConfig


def lan_addresses() -> list[str]:
    """This machine's IPv4 addresses other than loopback (from its own name; nothing is sent)."""
    try:
        infos = socket.getaddrinfo(socket.gethostname(), None, socket.AF_INET)
    except OSError:
        return []
    return sorted({str(i[4][0]) for i in infos if not str(i[4][0]).startswith("127.")})


def serve(
    *,
    data_dir: Path | None,
    db_url: str | None,
    port: int,
    lan: bool,
    max_upload_bytes: int,
    max_import_bytes: int = DEFAULT_MAX_IMPORT_BYTES,
) -> None:
    import uvicorn

    from .server import create_app

    location = StoreLocation.resolve(data_dir, db_url)
    if lan:
        config = AppConfig.for_lan(location, max_upload_bytes=max_upload_bytes, max_import_bytes=max_import_bytes)
    else:
        config = AppConfig(location, max_upload_bytes=max_upload_bytes, max_import_bytes=max_import_bytes)
    app = create_app(config)
    host = "0.0.0.0" if lan else "127.0.0.1"
    print(f"kneedrive: store in {location.data_dir}", file=sys.stderr)
    if config.token is None:
        print(f"open http://127.0.0.1:{port}/ (this machine only; --lan for a phone)", file=sys.stderr)
    else:
        addresses = lan_addresses() or ["THIS-MACHINE"]
        urls = [f"http://{a}:{port}/?token={config.token}" for a in addresses]
        print("on the local network; open (the token is needed on every request):", file=sys.stderr)
        for url in urls:
            print(f"  {url}", file=sys.stderr)
        import segno

        segno.make(urls[0], error="m").terminal(compact=True)
    uvicorn.run(app, host=host, port=port, log_level="warning")

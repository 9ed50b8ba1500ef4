"""The app's gate, one ASGI middleware around everything: the --lan token, the upload size limit (counted
as the body arrives, not trusted from a header), cross-site requests refused (Origin), the CSRF cookie the
forms echo, and the security headers. Errors are one JSON line under /api/, a short page elsewhere."""

from __future__ import annotations

import json
import secrets
from http.cookies import SimpleCookie
from typing import Any
from urllib.parse import parse_qs, urlsplit

from markupsafe import escape
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .config import AppConfig
from .uploads import TooLarge

UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}
#: Room for the multipart envelope and the form's small fields beside the file.
FORM_OVERHEAD_BYTES = 64_000
#: The form and the API call that take a whole store archive (their own, larger limit: max_import_bytes).
IMPORT_PATHS = ("/store/import", "/api/store/import")
PAGE_CSP = "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; frame-ancestors 'self'"


def csrf_cookie(config: AppConfig) -> str:
    return f"{config.cookie_prefix}_csrf"


def token_cookie(config: AppConfig) -> str:
    return f"{config.cookie_prefix}_token"


def error_response_body(path: str, status: int, message: str) -> tuple[bytes, bytes]:
    """(content type, body) of an error: JSON under /api/, a small page elsewhere."""
    if path.startswith("/api/"):
        return b"application/json", json.dumps({"error": message}).encode()
    page = (
        f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{status}</title>'
        f'<link rel="stylesheet" href="/static/app.css"></head><body><main><h1>{status}</h1>'
        f'<p class="error">{escape(message)}</p><p><a href="/">Athletes</a></p></main></body></html>'
    )
    return b"text/html; charset=utf-8", page.encode()


class Guard:
    def __init__(self, app: ASGIApp, config: AppConfig) -> None:
        self.app = app
        self.config = config

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        cookies = {k: m.value for k, m in SimpleCookie(headers.get("cookie", "")).items()}
        path: str = scope["path"]
        method: str = scope["method"]
        set_cookies: list[str] = []

        config = self.config
        if config.token is not None:
            query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
            given = (
                headers.get("authorization", "").removeprefix("Bearer ").strip()
                or cookies.get(token_cookie(config), "")
                or (query.get("token") or [""])[0]
            )
            if not secrets.compare_digest(given.encode(), config.token.encode()):
                why = "wrong token" if given else "a token is required"
                await _error(send, path, 401, f"{why}: open the address printed by `kneedrive serve --lan`")
                return
            if cookies.get(token_cookie(config)) != config.token:
                set_cookies.append(f"{token_cookie(config)}={config.token}; Path=/; HttpOnly; SameSite=Strict")

        if method in UNSAFE:
            origin = headers.get("origin")
            if origin is not None and (origin == "null" or urlsplit(origin).netloc != headers.get("host")):
                await _error(send, path, 403, "cross-site request refused")
                return

        largest = config.max_import_bytes if path in IMPORT_PATHS else config.max_upload_bytes
        limit = largest + FORM_OVERHEAD_BYTES
        too_large = f"the file is over the upload limit of {largest / 1e6:g} MB"
        length = headers.get("content-length", "")
        if length.isdigit() and int(length) > limit:
            await _error(send, path, 413, too_large)
            return

        csrf = cookies.get(csrf_cookie(config), "")
        if len(csrf) < 16:
            csrf = secrets.token_urlsafe(24)
            set_cookies.append(f"{csrf_cookie(config)}={csrf}; Path=/; SameSite=Strict")
        scope.setdefault("state", {})["csrf"] = csrf
        scope["state"]["csrf_cookie"] = cookies.get(csrf_cookie(config), "")

        received = 0

        async def counted() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise TooLarge(too_large)
            return message

        is_file = "/files/" in path

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                extra: list[tuple[bytes, bytes]] = [
                    (b"x-content-type-options", b"nosniff"),
                    (b"referrer-policy", b"same-origin"),  # no-referrer would make Origin "null"
                    (b"x-frame-options", b"SAMEORIGIN"),
                ]
                if not is_file:
                    extra.append((b"content-security-policy", PAGE_CSP.encode()))
                extra += [(b"set-cookie", c.encode()) for c in set_cookies]
                message = {**message, "headers": [*message.get("headers", []), *extra]}
            await send(message)

        await self.app(scope, counted, send_with_headers)


async def _error(send: Send, path: str, status: int, message: str) -> None:
    content_type, body = error_response_body(path, status, message)
    start: dict[str, Any] = {
        "type": "http.response.start",
        "status": status,
        "headers": [(b"content-type", content_type), (b"content-length", str(len(body)).encode())],
    }
    await send(start)
    await send({"type": "http.response.body", "body": body})

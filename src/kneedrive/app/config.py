"""The web app's settings, resolved once at the edge (`kneedrive serve`'s flags) into one frozen value."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field

from ..store.location import StoreLocation

DEFAULT_MAX_UPLOAD_BYTES = 500_000_000
#: A backup of the whole store (every session's report folder and annotated video) is larger than a clip.
DEFAULT_MAX_IMPORT_BYTES = 20_000_000_000


@dataclass(frozen=True)
class AppConfig:
    location: StoreLocation
    #: With --lan: the token every request must carry (header, cookie, or ?token= once); None on loopback.
    token: str | None = None
    max_upload_bytes: int = DEFAULT_MAX_UPLOAD_BYTES
    #: The largest store archive the import form takes (POST /store/import).
    max_import_bytes: int = DEFAULT_MAX_IMPORT_BYTES
    #: Run queued analyses (off in tests that only look at the queue).
    run_worker: bool = True
    #: Signs nothing; the CSRF cookie is random per browser, this only names the app's cookies apart.
    cookie_prefix: str = "kneedrive"
    instance: str = field(default_factory=lambda: secrets.token_hex(4))

    @classmethod
    def for_lan(cls, location: StoreLocation, **kwargs: object) -> AppConfig:
        return cls(location, token=secrets.token_urlsafe(18), **kwargs)  # type: ignore[arg-type]

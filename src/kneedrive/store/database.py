"""The engine and the migrations: one SQLite file (WAL, foreign keys, writers waiting for each other) or any
database SQLAlchemy reaches by URL; the schema brought to the newest revision with Alembic on open."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, create_engine, event

#: Seconds a writer waits for another one (the web app's worker and a CLI run can write at once).
BUSY_TIMEOUT_S = 30.0
MIGRATIONS = "kneedrive.store:migrations"


#: What `pip install` brings a PostgreSQL driver (psycopg 3, the maintained one).
POSTGRES_EXTRA = "pip install 'kneedrive[postgres]'"


class MissingDriver(ImportError):
    """The database URL names a database whose Python driver is not installed."""


def _has(module: str) -> bool:
    import importlib.util

    return importlib.util.find_spec(module) is not None


def resolve_url(url: str) -> str:
    """`url` with the driver that is installed: a plain `postgresql://` means psycopg2 to SQLAlchemy; when only
    psycopg 3 is installed (the `postgres` extra), it is used instead. MissingDriver when neither is."""
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    if parsed.get_backend_name() != "postgresql":
        return url
    driver = parsed.get_driver_name()
    module = {"psycopg2": "psycopg2", "psycopg": "psycopg", "pg8000": "pg8000", "asyncpg": "asyncpg"}.get(driver)
    if parsed.drivername == "postgresql" and not _has("psycopg2"):
        if _has("psycopg"):
            return parsed.set(drivername="postgresql+psycopg").render_as_string(hide_password=False)
        raise MissingDriver(f"no PostgreSQL driver is installed ({POSTGRES_EXTRA})")
    if module is not None and not _has(module):
        raise MissingDriver(f"the {module} driver is not installed (or use postgresql:// with {POSTGRES_EXTRA})")
    return url


def shown_url(url: str) -> str:
    """The URL as it may be printed: without its password."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return url


def make_engine(url: str, *, immediate: bool = False) -> Engine:
    """An engine for `url`. SQLite: WAL journal (readers never wait for a writer), foreign keys on, and with
    `immediate` every transaction starts with BEGIN IMMEDIATE: a writer takes the write lock first and waits
    for it, instead of failing when another process wrote since it read."""
    if not url.startswith("sqlite"):
        return create_engine(resolve_url(url), pool_pre_ping=True)
    engine = create_engine(url, connect_args={"timeout": BUSY_TIMEOUT_S, "check_same_thread": False})

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # SQLAlchemy emits BEGIN itself (below)
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")  # durable across a killed process (WAL)
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    return engine


def _config() -> Any:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", MIGRATIONS)
    return config


def head_revision() -> str:
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(_config()).get_current_head()
    assert head is not None
    return str(head)


def known_revisions() -> frozenset[str]:
    """Every schema revision this version knows (a store or archive of another one is from a newer version)."""
    from alembic.script import ScriptDirectory

    return frozenset(str(s.revision) for s in ScriptDirectory.from_config(_config()).walk_revisions())


def current_revision(engine: Engine) -> str | None:
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as conn:
        revision = MigrationContext.configure(conn).get_current_revision()
    return None if revision is None else str(revision)


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Migrate the database to `revision` (the newest by default), in one transaction."""
    from alembic import command

    if revision == "head" and current_revision(engine) == head_revision():
        return
    config = _config()
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, revision)

"""The engine and the migrations: one SQLite file (WAL, foreign keys, writers waiting for each other) or any
database SQLAlchemy reaches by URL; the schema brought to the newest revision with Alembic on open."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, create_engine, event

#: Seconds a writer waits for another one (the web app's worker and a CLI run can write at once).
BUSY_TIMEOUT_S = 30.0
MIGRATIONS = "kneedrive.store:migrations"


def make_engine(url: str, *, immediate: bool = False) -> Engine:
    """An engine for `url`. SQLite: WAL journal (readers never wait for a writer), foreign keys on, and with
    `immediate` every transaction starts with BEGIN IMMEDIATE: a writer takes the write lock first and waits
    for it, instead of failing when another process wrote since it read."""
    if not url.startswith("sqlite"):
        return create_engine(url, pool_pre_ping=True)
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

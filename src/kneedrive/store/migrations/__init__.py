"""Alembic migrations of the store (run by kneedrive.store.Store on open; no alembic.ini needed)."""

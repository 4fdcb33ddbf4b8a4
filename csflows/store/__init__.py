"""The store: every row the procedures leave behind (SQLAlchemy 2, migrated by Alembic)."""

from csflows.store.db import database_url, engine, ready, session, upgrade

__all__ = ["database_url", "engine", "ready", "session", "upgrade"]

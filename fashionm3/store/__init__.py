"""Per-user storage behind the :class:`~fashionm3.backends.UserStore` interface (SQLAlchemy: SQLite or PostgreSQL)."""

from __future__ import annotations

from pathlib import Path

from fashionm3.store.sql import SQLUserStore


def open_user_store(data_dir: Path, database_url: str = "") -> SQLUserStore:
    """The store at ``database_url`` (e.g. ``postgresql+psycopg://...``), else SQLite in ``data_dir``."""
    return SQLUserStore(database_url or f"sqlite:///{Path(data_dir).resolve() / 'users.sqlite3'}")

"""Per-user storage behind the :class:`~fashionm3.backends.UserStore` interface (SQLAlchemy: SQLite or PostgreSQL)."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
from alembic.util import CommandError

from fashionm3.errors import StartupError
from fashionm3.store.sql import SQLUserStore

ASIDE = "stop the app and restore it from a backup, or move it (with its -wal and -shm files) aside to start empty"
WRITABLE = "give the user running the app write access to it and its folder"
SQLITE_FAULTS = {  # SQLite result code (or its prefix) -> what is wrong, and the fix
    "SQLITE_CORRUPT": ("the user database is damaged", ASIDE),
    "SQLITE_NOTADB": ("this is not a SQLite database (or its header is damaged)", ASIDE),
    "SQLITE_FULL": ("the disk is full", "free space on that disk, or set FASHIONM3_DATA_DIR to a disk with room"),
    "SQLITE_READONLY": ("the database cannot be written", WRITABLE),
    "SQLITE_CANTOPEN": ("the database cannot be opened", "check that its folder exists and is writable"),
    "SQLITE_PERM": ("permission denied", WRITABLE),
    "SQLITE_IOERR": ("the disk failed to read or write it", "check the disk (dmesg), free space, then restart"),
    "SQLITE_BUSY": ("another process holds a lock on it", "stop the other app instance using it (or use PostgreSQL)"),
}


def open_user_store(data_dir: Path, database_url: str = "") -> SQLUserStore:
    """The store at ``database_url`` (e.g. ``postgresql+psycopg://...``), else SQLite in ``data_dir``.

    Runs the integrity check (``PRAGMA quick_check`` on SQLite), then the migrations; a damaged, unwritable, full
    or unreachable database raises :class:`StartupError` with one line naming the file (or the URL, password
    hidden) and the fix.
    """
    path = Path(data_dir).resolve() / "users.sqlite3"
    url = database_url or f"sqlite:///{path}"
    where = str(path) if not database_url else sa.engine.make_url(url).render_as_string(hide_password=True)
    try:
        store = SQLUserStore(url)
        if store.integrity_check(quick=True) != "ok":  # before any migration writes to it
            raise StartupError(f"{where}: the user database is damaged (quick_check failed). Fix: {ASIDE}.")
        store.upgrade()
    except (sa.exc.SQLAlchemyError, CommandError) as error:
        raise StartupError(f"{where}: {_describe(error)}.") from error
    return store


def _describe(error: Exception) -> str:
    """What is wrong and the fix, from SQLite's result code; else the first line of the database's error."""
    code = getattr(getattr(error, "orig", None), "sqlite_errorname", "")
    for prefix, (problem, fix) in SQLITE_FAULTS.items():
        if code.startswith(prefix):
            return f"{problem} ({code}). Fix: {fix}"
    if code:
        return f"the user database cannot be opened ({code}). Fix: {ASIDE}"
    first_line = str(getattr(error, "orig", None) or error).splitlines()[0][:160]
    return f"the user store cannot be opened ({first_line}). Fix: check FASHIONM3_DATABASE_URL and that its server runs"

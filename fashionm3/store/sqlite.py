"""Per-user history and feedback in SQLite (WAL mode, one connection per thread)."""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from pathlib import Path
from typing import Any

SCHEMA = """
CREATE TABLE IF NOT EXISTS events (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id TEXT NOT NULL,
    session_id TEXT NOT NULL DEFAULT '',
    created REAL NOT NULL,
    kind TEXT NOT NULL,
    payload TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS events_user ON events(user_id, created);
CREATE TABLE IF NOT EXISTS feedback (
    user_id TEXT NOT NULL,
    item_id TEXT NOT NULL,
    liked INTEGER NOT NULL,
    session_id TEXT NOT NULL DEFAULT '',
    created REAL NOT NULL,
    PRIMARY KEY (user_id, item_id)
);
"""
HISTORY_LIMIT = 50


class SQLiteUserStore:
    """History events and likes/dislikes per user. Safe to share between Gradio's worker threads."""

    label = "SQLite"

    def __init__(self, path: Path):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._local = threading.local()
        with self._connection() as connection:
            connection.executescript(SCHEMA)

    def _connection(self) -> sqlite3.Connection:
        connection = getattr(self._local, "connection", None)
        if connection is None:
            connection = sqlite3.connect(self.path, timeout=30)
            connection.execute("PRAGMA journal_mode=WAL")
            connection.execute("PRAGMA synchronous=NORMAL")
            self._local.connection = connection
        return connection

    def add_event(self, user_id: str, kind: str, payload: dict[str, Any], session_id: str = "") -> None:
        """Append one history event (a search, a chat turn, ...)."""
        with self._connection() as connection:
            connection.execute(
                "INSERT INTO events(user_id, session_id, created, kind, payload) VALUES (?, ?, ?, ?, ?)",
                (user_id, session_id, time.time(), kind, json.dumps(payload)),
            )

    def set_feedback(self, user_id: str, item_id: str, liked: bool, session_id: str = "") -> None:
        """Record a like or dislike; a later opinion on the same item replaces the earlier one."""
        with self._connection() as connection:
            connection.execute(
                "INSERT OR REPLACE INTO feedback(user_id, item_id, liked, session_id, created) VALUES (?, ?, ?, ?, ?)",
                (user_id, item_id, int(liked), session_id, time.time()),
            )

    def history(self, user_id: str, limit: int = HISTORY_LIMIT) -> list[dict[str, Any]]:
        """The user's latest events, newest first."""
        rows = self._connection().execute(
            "SELECT created, kind, payload, session_id FROM events WHERE user_id = ? ORDER BY created DESC, id DESC LIMIT ?",
            (user_id, limit),
        )
        return [{"time": t, "kind": k, "session_id": s, **json.loads(p)} for t, k, p, s in rows]

    def feedback(self, user_id: str) -> dict[str, bool]:
        """Item id -> liked, for this user."""
        rows = self._connection().execute("SELECT item_id, liked FROM feedback WHERE user_id = ?", (user_id,))
        return {item_id: bool(liked) for item_id, liked in rows}

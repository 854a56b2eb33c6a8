"""Per-user history and feedback through SQLAlchemy: SQLite (WAL) by default, PostgreSQL for several instances.

The schema is versioned with Alembic; :class:`SQLUserStore` upgrades the database to the latest revision when it
opens it, so an older database file keeps its data across releases.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from alembic import command
from alembic.config import Config

from fashionm3.store.schema import events, feedback

HISTORY_LIMIT = 50
MIGRATIONS = Path(__file__).parent / "migrations"


class SQLUserStore:
    """History events and likes/dislikes per user. Safe to share between threads (a connection pool)."""

    def __init__(self, url: str):
        self.url = url
        self.engine = sa.create_engine(url, pool_pre_ping=True)
        self.label = {"sqlite": "SQLite (WAL)", "postgresql": "PostgreSQL"}.get(self.engine.dialect.name, self.engine.dialect.name)
        if self.engine.dialect.name == "sqlite":
            sa.event.listen(self.engine, "connect", _sqlite_pragmas)
        with self.engine.begin() as connection:
            config = Config()
            config.set_main_option("script_location", str(MIGRATIONS))
            config.attributes["connection"] = connection
            command.upgrade(config, "head")

    def add_event(self, user_id: str, kind: str, payload: dict[str, Any], session_id: str = "") -> None:
        """Append one history event (a chat turn, stated preferences, a study answer, ...)."""
        with self.engine.begin() as connection:
            connection.execute(events.insert().values(user_id=user_id, session_id=session_id, created=time.time(), kind=kind, payload=json.dumps(payload)))

    def add_events_once(self, user_id: str, kind: str, keyed: list[tuple[str, dict[str, Any]]]) -> bool:
        """Append events that may exist once per user and key, all or none (one transaction); False when any
        key is taken already (the unique index decides, so two simultaneous submissions cannot both land)."""
        if not keyed:
            return True
        created = time.time()
        rows = [{"user_id": user_id, "session_id": "", "created": created, "kind": kind, "payload": json.dumps(payload), "once_key": key}
                for key, payload in keyed]  # fmt: skip
        try:
            with self.engine.begin() as connection:
                connection.execute(events.insert(), rows)
        except sa.exc.IntegrityError:
            return False
        return True

    def set_feedback(self, user_id: str, item_id: str, liked: bool, session_id: str = "") -> None:
        """Record a like or dislike; a later opinion on the same item replaces the earlier one."""
        dialect = self.engine.dialect.name
        insert = {"sqlite": sa.dialects.sqlite.insert, "postgresql": sa.dialects.postgresql.insert}[dialect]
        values = {"user_id": user_id, "item_id": item_id, "liked": int(liked), "session_id": session_id, "created": time.time()}
        statement = insert(feedback).values(**values)
        statement = statement.on_conflict_do_update(index_elements=["user_id", "item_id"], set_={k: values[k] for k in ("liked", "session_id", "created")})
        with self.engine.begin() as connection:
            connection.execute(statement)

    def history(self, user_id: str, limit: int = HISTORY_LIMIT, kinds: list[str] | None = None) -> list[dict[str, Any]]:
        """The user's latest events (only those of ``kinds`` when given), newest first."""
        query = sa.select(events.c.created, events.c.kind, events.c.payload, events.c.session_id).where(events.c.user_id == user_id)
        if kinds:
            query = query.where(events.c.kind.in_(kinds))
        query = query.order_by(events.c.created.desc(), events.c.id.desc()).limit(limit)
        with self.engine.connect() as connection:
            rows = connection.execute(query).all()
        return [{"time": t, "kind": k, "session_id": s, **json.loads(p)} for t, k, p, s in rows]

    def latest(self, user_id: str, kind: str) -> dict[str, Any] | None:
        """The user's most recent event of this kind (e.g. their stated preferences), or None."""
        query = (sa.select(events.c.payload).where(events.c.user_id == user_id, events.c.kind == kind)
                 .order_by(events.c.created.desc(), events.c.id.desc()).limit(1))  # fmt: skip
        with self.engine.connect() as connection:
            payload = connection.execute(query).scalar()
        return json.loads(payload) if payload else None

    def all_events(self, kinds: list[str]) -> list[dict[str, Any]]:
        """Every user's events of these kinds, oldest first (for researchers' exports)."""
        query = (sa.select(events.c.user_id, events.c.created, events.c.kind, events.c.payload, events.c.session_id)
                 .where(events.c.kind.in_(kinds)).order_by(events.c.created, events.c.id))  # fmt: skip
        with self.engine.connect() as connection:
            rows = connection.execute(query).all()
        return [{"user_id": u, "time": t, "kind": k, "session_id": s, **json.loads(p)} for u, t, k, p, s in rows]

    def feedback(self, user_id: str) -> dict[str, bool]:
        """Item id -> liked, for this user, oldest opinion first."""
        query = sa.select(feedback.c.item_id, feedback.c.liked).where(feedback.c.user_id == user_id).order_by(feedback.c.created)
        with self.engine.connect() as connection:
            return {item_id: bool(liked) for item_id, liked in connection.execute(query)}

    def users(self) -> list[str]:
        """Every user id with history or feedback."""
        query = sa.union(sa.select(events.c.user_id), sa.select(feedback.c.user_id))
        with self.engine.connect() as connection:
            return sorted(user_id for (user_id,) in connection.execute(query))

    def delete_user(self, user_id: str) -> int:
        """Remove everything stored for this user; returns how many rows went."""
        with self.engine.begin() as connection:
            removed = connection.execute(events.delete().where(events.c.user_id == user_id)).rowcount
            return removed + connection.execute(feedback.delete().where(feedback.c.user_id == user_id)).rowcount

    def integrity_check(self) -> str:
        """``"ok"`` when the database is sound (SQLite's full integrity check; a round trip elsewhere)."""
        with self.engine.connect() as connection:
            if self.engine.dialect.name == "sqlite":
                return str(connection.exec_driver_sql("PRAGMA integrity_check").scalar())
            return "ok" if connection.execute(sa.text("SELECT 1")).scalar() == 1 else "failed"


def _sqlite_pragmas(connection: Any, _record: Any) -> None:
    """WAL for concurrent readers, FULL sync so an acknowledged write survives a crash, and patient locking."""
    cursor = connection.cursor()
    for pragma in ("journal_mode=WAL", "synchronous=FULL", "busy_timeout=30000"):
        cursor.execute(f"PRAGMA {pragma}")
    cursor.close()

"""Per-user history and feedback through SQLAlchemy: SQLite (WAL) by default, PostgreSQL for several instances.

The schema is versioned with Alembic; :func:`~fashionm3.store.open_user_store` checks the database and upgrades it
to the latest revision when it opens it, so an older database file keeps its data across releases.
"""

from __future__ import annotations

import contextlib
import json
import logging
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from alembic import command
from alembic.config import Config

from fashionm3.errors import Unavailable
from fashionm3.store.schema import api_keys, events, feedback

log = logging.getLogger(__name__)

HISTORY_LIMIT = 50
STORE_UNAVAILABLE = "Your profile data cannot be read or saved right now; please try again later."
MIGRATIONS = Path(__file__).parent / "migrations"


class SQLUserStore:
    """History events and likes/dislikes per user. Safe to share between threads (a connection pool).

    A database failure in any read or write (a damaged file, a full disk, a lost server) raises
    :class:`~fashionm3.errors.Unavailable` with a generic message; the database's own text goes only to the log.
    """

    def __init__(self, url: str):
        self.url = url
        self.engine = sa.create_engine(url, pool_pre_ping=True)
        self.label = {"sqlite": "SQLite (WAL)", "postgresql": "PostgreSQL"}.get(self.engine.dialect.name, self.engine.dialect.name)
        if self.engine.dialect.name == "sqlite":
            sa.event.listen(self.engine, "connect", _sqlite_pragmas)

    def upgrade(self) -> None:
        """Migrate the schema to the latest revision (a no-op when it is there already)."""
        with self.engine.begin() as connection:
            config = Config()
            config.set_main_option("script_location", str(MIGRATIONS))
            config.attributes["connection"] = connection
            command.upgrade(config, "head")

    def add_event(self, user_id: str, kind: str, payload: dict[str, Any], session_id: str = "") -> None:
        """Append one history event (a chat turn, stated preferences, a study answer, ...)."""
        with self._connection(write=True) as connection:
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
        with self._connection(write=True) as connection:
            connection.execute(statement)

    def history(self, user_id: str, limit: int = HISTORY_LIMIT, kinds: list[str] | None = None) -> list[dict[str, Any]]:
        """The user's latest events (only those of ``kinds`` when given), newest first."""
        query = sa.select(events.c.created, events.c.kind, events.c.payload, events.c.session_id).where(events.c.user_id == user_id)
        if kinds:
            query = query.where(events.c.kind.in_(kinds))
        query = query.order_by(events.c.created.desc(), events.c.id.desc()).limit(limit)
        with self._connection() as connection:
            rows = connection.execute(query).all()
        return [{"time": t, "kind": k, "session_id": s, **json.loads(p)} for t, k, p, s in rows]

    def latest(self, user_id: str, kind: str) -> dict[str, Any] | None:
        """The user's most recent event of this kind (e.g. their stated preferences), or None."""
        query = (sa.select(events.c.payload).where(events.c.user_id == user_id, events.c.kind == kind)
                 .order_by(events.c.created.desc(), events.c.id.desc()).limit(1))  # fmt: skip
        with self._connection() as connection:
            payload = connection.execute(query).scalar()
        return json.loads(payload) if payload else None

    def all_events(self, kinds: list[str]) -> list[dict[str, Any]]:
        """Every user's events of these kinds, oldest first (for researchers' exports)."""
        query = (sa.select(events.c.user_id, events.c.created, events.c.kind, events.c.payload, events.c.session_id)
                 .where(events.c.kind.in_(kinds)).order_by(events.c.created, events.c.id))  # fmt: skip
        with self._connection() as connection:
            rows = connection.execute(query).all()
        return [{"user_id": u, "time": t, "kind": k, "session_id": s, **json.loads(p)} for u, t, k, p, s in rows]

    def feedback(self, user_id: str) -> dict[str, bool]:
        """Item id -> liked, for this user, oldest opinion first."""
        query = sa.select(feedback.c.item_id, feedback.c.liked).where(feedback.c.user_id == user_id).order_by(feedback.c.created)
        with self._connection() as connection:
            return {item_id: bool(liked) for item_id, liked in connection.execute(query)}

    def users(self) -> list[str]:
        """Every user id with history or feedback."""
        query = sa.union(sa.select(events.c.user_id), sa.select(feedback.c.user_id))
        with self._connection() as connection:
            return sorted(user_id for (user_id,) in connection.execute(query))

    def delete_user(self, user_id: str) -> int:
        """Remove everything stored for this user (API keys included); returns how many rows went."""
        with self._connection(write=True) as connection:
            removed = connection.execute(events.delete().where(events.c.user_id == user_id)).rowcount
            removed += connection.execute(api_keys.delete().where(api_keys.c.user_id == user_id)).rowcount
            removed += connection.execute(feedback.delete().where(feedback.c.user_id == user_id)).rowcount
        if self.engine.dialect.name == "sqlite":  # move the deletion out of the write-ahead log into the zeroed pages
            with self._connection() as connection:
                connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        return removed

    def replace_api_key(self, user_id: str, digest: str) -> None:
        """Make ``digest`` the user's only API key (earlier keys stop working at once)."""
        with self._connection(write=True) as connection:
            connection.execute(api_keys.delete().where(api_keys.c.user_id == user_id))
            connection.execute(api_keys.insert().values(digest=digest, user_id=user_id, created=time.time()))

    def revoke_api_keys(self, user_id: str) -> int:
        """Revoke every API key of the user; returns how many there were."""
        with self._connection(write=True) as connection:
            return connection.execute(api_keys.delete().where(api_keys.c.user_id == user_id)).rowcount

    def user_for_key(self, digest: str) -> str | None:
        """The user an API key digest belongs to, or None for an unknown or revoked key."""
        with self._connection() as connection:
            return connection.execute(sa.select(api_keys.c.user_id).where(api_keys.c.digest == digest)).scalar()

    def has_api_key(self, user_id: str) -> bool:
        """Whether the user holds a working API key."""
        with self._connection() as connection:
            return connection.execute(sa.select(api_keys.c.digest).where(api_keys.c.user_id == user_id).limit(1)).first() is not None

    def integrity_check(self, quick: bool = False) -> str:
        """``"ok"`` when the database is sound: SQLite's full integrity check (``quick``: its faster ``quick_check``,
        which skips index consistency), a round trip elsewhere. Database errors are raised as they are."""
        with self.engine.connect() as connection:
            if self.engine.dialect.name == "sqlite":
                return str(connection.exec_driver_sql(f"PRAGMA {'quick_check' if quick else 'integrity_check'}").scalar())
            return "ok" if connection.execute(sa.text("SELECT 1")).scalar() == 1 else "failed"

    @contextlib.contextmanager
    def _connection(self, write: bool = False) -> Iterator[sa.Connection]:
        """A connection (in a transaction when ``write``) whose database errors become :class:`Unavailable`."""
        try:
            with (self.engine.begin() if write else self.engine.connect()) as connection:
                yield connection
        except sa.exc.SQLAlchemyError as error:
            log.error("User store %s failed: %s", "write" if write else "read", str(error).splitlines()[0][:300])
            raise Unavailable(STORE_UNAVAILABLE) from error


def _sqlite_pragmas(connection: Any, _record: Any) -> None:
    """WAL for concurrent readers, FULL sync so an acknowledged write survives a crash, patient locking, and deleted
    rows overwritten on disk (a deleted user's data does not linger in free pages)."""
    cursor = connection.cursor()
    for pragma in ("journal_mode=WAL", "synchronous=FULL", "busy_timeout=30000", "secure_delete=ON"):
        cursor.execute(f"PRAGMA {pragma}")
    cursor.close()

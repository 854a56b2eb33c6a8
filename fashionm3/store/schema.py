"""The user store's tables (SQLAlchemy Core). Changes to them go through a migration in ``migrations/versions``."""

from __future__ import annotations

from sqlalchemy import Column, Float, Index, Integer, MetaData, PrimaryKeyConstraint, String, Table, Text

metadata = MetaData()

events = Table(
    "events",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("user_id", String(128), nullable=False),
    Column("session_id", String(64), nullable=False, server_default=""),
    Column("created", Float, nullable=False),
    Column("kind", String(32), nullable=False),
    Column("payload", Text, nullable=False),
    Column("once_key", String(200), nullable=True),  # set for records a user may make only once (study answers)
    Index("events_user", "user_id", "created"),
    Index("events_once", "user_id", "once_key", unique=True),
)

feedback = Table(
    "feedback",
    metadata,
    Column("user_id", String(128), nullable=False),
    Column("item_id", String(64), nullable=False),
    Column("liked", Integer, nullable=False),
    Column("session_id", String(64), nullable=False, server_default=""),
    Column("created", Float, nullable=False),
    PrimaryKeyConstraint("user_id", "item_id"),
)

api_keys = Table(
    "api_keys",
    metadata,
    Column("digest", String(64), primary_key=True),  # SHA-256 of the key; the key itself is never stored
    Column("user_id", String(128), nullable=False),
    Column("created", Float, nullable=False),
    Index("api_keys_user", "user_id"),
)

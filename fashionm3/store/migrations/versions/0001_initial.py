"""Events (history, preferences, study logs) and feedback (one opinion per user and item).

Databases made before migrations existed already hold these tables with the same columns: they are kept.

Revision ID: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None


def upgrade() -> None:
    existing = set(sa.inspect(op.get_bind()).get_table_names())
    if "events" not in existing:
        op.create_table(
            "events",
            sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
            sa.Column("user_id", sa.String(128), nullable=False),
            sa.Column("session_id", sa.String(64), nullable=False, server_default=""),
            sa.Column("created", sa.Float, nullable=False),
            sa.Column("kind", sa.String(32), nullable=False),
            sa.Column("payload", sa.Text, nullable=False),
        )
        op.create_index("events_user", "events", ["user_id", "created"])
    if "feedback" not in existing:
        op.create_table(
            "feedback",
            sa.Column("user_id", sa.String(128), nullable=False),
            sa.Column("item_id", sa.String(64), nullable=False),
            sa.Column("liked", sa.Integer, nullable=False),
            sa.Column("session_id", sa.String(64), nullable=False, server_default=""),
            sa.Column("created", sa.Float, nullable=False),
            sa.PrimaryKeyConstraint("user_id", "item_id"),
        )


def downgrade() -> None:
    op.drop_table("feedback")
    op.drop_index("events_user", "events")
    op.drop_table("events")

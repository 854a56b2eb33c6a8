"""Records a user may make only once (a study answer per task and question): ``events.once_key`` and a unique
index on (user_id, once_key). Rows without a key (NULL) are never in conflict.

Revision ID: 0003
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"


def upgrade() -> None:
    op.add_column("events", sa.Column("once_key", sa.String(200), nullable=True))
    op.create_index("events_once", "events", ["user_id", "once_key"], unique=True)


def downgrade() -> None:
    op.drop_index("events_once", "events")
    with op.batch_alter_table("events") as batch:
        batch.drop_column("once_key")

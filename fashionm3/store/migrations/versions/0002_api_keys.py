"""Personal API keys (their SHA-256 digests) that let MCP / API callers reach their own profile.

Revision ID: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"


def upgrade() -> None:
    op.create_table(
        "api_keys",
        sa.Column("digest", sa.String(64), primary_key=True),
        sa.Column("user_id", sa.String(128), nullable=False),
        sa.Column("created", sa.Float, nullable=False),
    )
    op.create_index("api_keys_user", "api_keys", ["user_id"])


def downgrade() -> None:
    op.drop_index("api_keys_user", "api_keys")
    op.drop_table("api_keys")

"""a request's context per tab and device, with its furthest step and history

Revision ID: 0008
Revises: 0007
Create Date: 2027-02-01 10:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # A new table only: requests keep their `context` (the latest), so nothing moves.
    op.create_table(
        "context_sources",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column(
            "request_id",
            sa.String(32),
            sa.ForeignKey("requests.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("source", sa.String(130), nullable=False),
        sa.Column("tab", sa.String(64), nullable=True),
        sa.Column("device", sa.String(64), nullable=True),
        sa.Column("ua", sa.String(16), nullable=False),
        sa.Column("step", sa.String(200), nullable=True),
        sa.Column("context", sa.JSON(), nullable=False),
        sa.Column("peak_step", sa.String(200), nullable=True),
        sa.Column("peak", sa.JSON(), nullable=True),
        sa.Column("peak_at", sa.BigInteger(), nullable=True),
        sa.Column("history", sa.JSON(), nullable=False),
        sa.Column("seen", sa.JSON(), nullable=False),
        sa.Column("steps", sa.JSON(), nullable=True),
        sa.Column("updated_at", sa.BigInteger(), nullable=False),
        sa.UniqueConstraint("request_id", "source", name="uq_context_sources"),
    )
    op.create_index("ix_context_sources_request_id", "context_sources", ["request_id"])


def downgrade() -> None:
    op.drop_index("ix_context_sources_request_id", table_name="context_sources")
    op.drop_table("context_sources")

"""an app can take requests from verified customers only

Revision ID: 0007
Revises: 0006
Create Date: 2027-01-20 10:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Existing apps keep taking unverified customers: off unless an operator turns it on.
    # Plain ALTER TABLE, not batch: on SQLite a batch copy of `apps` would drop the table
    # that requests and queues refer to, which foreign keys refuse once there are any.
    op.add_column(
        "apps",
        sa.Column("verified_only", sa.Boolean(), nullable=False, server_default=sa.false()),
    )


def downgrade() -> None:
    op.drop_column("apps", "verified_only")  # SQLite 3.35+ drops a plain column in place

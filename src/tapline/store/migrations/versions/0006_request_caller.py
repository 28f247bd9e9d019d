"""a client id is unique per caller, not per app

Revision ID: 0006
Revises: 0005
Create Date: 2027-01-10 10:00:00.000000
"""

import hashlib
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

requests = sa.table(
    "requests",
    sa.column("id", sa.String),
    sa.column("app_id", sa.String),
    sa.column("client_id", sa.String),
    sa.column("customer_key", sa.String),
    sa.column("caller", sa.String),
    sa.column("created_at", sa.DateTime),
)


def upgrade() -> None:
    with op.batch_alter_table("requests") as batch:
        batch.add_column(sa.Column("caller", sa.String(length=64), nullable=True))
        batch.drop_constraint("uq_requests_app_client", type_="unique")
        batch.create_unique_constraint(
            "uq_requests_app_caller_client", ["app_id", "caller", "client_id"]
        )
    # Verified customers keep finding their own requests on a retry (as
    # actions/customer.caller_key hashes them); the others' requests become unreachable
    # by client id, which is the point.
    connection = op.get_bind()
    rows = connection.execute(
        sa.select(requests.c.id, requests.c.customer_key).where(
            requests.c.customer_key.is_not(None)
        )
    )
    for row_id, key in list(rows):
        caller = hashlib.sha256(f"customer:{key}".encode()).hexdigest()
        connection.execute(requests.update().where(requests.c.id == row_id).values(caller=caller))


def downgrade() -> None:
    # Two callers may now share a client id: the later requests get theirs made unique
    # (suffixed with the request's own id) so the old constraint can come back.
    connection = op.get_bind()
    seen: set[tuple[str, str]] = set()
    rows = connection.execute(
        sa.select(requests.c.id, requests.c.app_id, requests.c.client_id).order_by(
            requests.c.created_at, requests.c.id
        )
    )
    for row_id, app_id, client_id in list(rows):
        if (app_id, client_id) in seen:
            unique = f"{client_id[: 63 - len(row_id)]}~{row_id}"
            connection.execute(
                requests.update().where(requests.c.id == row_id).values(client_id=unique)
            )
        seen.add((app_id, client_id))
    with op.batch_alter_table("requests") as batch:
        batch.drop_constraint("uq_requests_app_caller_client", type_="unique")
        batch.create_unique_constraint("uq_requests_app_client", ["app_id", "client_id"])
        batch.drop_column("caller")

"""keys that cannot collide, and what a server has applied of the replicas' outboxes

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-06 08:50:00

Every advisor-written table gets `uid`: 32 lowercase hex characters (a uuid4), unique, made by
the laptop that creates the row, so that rows made offline on two replicas never clash. Rows
already there get one. New rows get one from the model and, on PostgreSQL, from the column's
default (COPY and plain INSERTs). SQLite cannot add a NOT NULL column with a computed default
without rebuilding the tables every other one refers to (which, with foreign keys on, would
delete their rows): there the column takes the model's value and a unique index.

`sync_applied` is the server's record of the outbox entries it has applied, so that a push
repeated after a cut applies nothing twice. On PostgreSQL an advisor reads and adds only the
entries of their own login.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ADVISOR = "naervaer_advisor"
LEAD = "naervaer_lead"
ADVISOR_WRITTEN = (
    "sessions",
    "employee_reviews",
    "measures",
    "measure_follow_ups",
    "milestones_done",
    "survey_scores",
    "presence_factors",
)
NEW_UID = {
    "postgresql": "replace(gen_random_uuid()::text, '-', '')",
    "sqlite": "lower(hex(randomblob(16)))",
}


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    new_uid = NEW_UID[dialect]
    for table in ADVISOR_WRITTEN:
        op.add_column(table, sa.Column("uid", sa.String(length=32), nullable=True))
        op.execute(f"UPDATE {table} SET uid = {new_uid}")
        if dialect == "postgresql":
            op.alter_column(table, "uid", nullable=False, server_default=sa.text(f"({new_uid})"))
        op.create_index(f"ix_{table}_uid", table, ["uid"], unique=True)
    op.create_table(
        "sync_applied",
        sa.Column("uid", sa.String(length=32), nullable=False),
        sa.Column("login", sa.String(length=63), nullable=False),
        sa.Column("applied_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("uid", name=op.f("pk_sync_applied")),
    )
    if dialect == "postgresql":
        op.execute(f"GRANT SELECT, INSERT ON sync_applied TO {ADVISOR}")
        op.execute(f"GRANT SELECT, INSERT ON sync_applied TO {LEAD}")
        op.execute("ALTER TABLE sync_applied ENABLE ROW LEVEL SECURITY")
        op.execute(
            "CREATE POLICY own_login ON sync_applied USING (login = current_user) "
            "WITH CHECK (login = current_user)"
        )


def downgrade() -> None:
    op.drop_table("sync_applied")  # its policy goes with it
    for table in ADVISOR_WRITTEN:
        op.drop_index(f"ix_{table}_uid", table_name=table)
        op.drop_column(table, "uid")

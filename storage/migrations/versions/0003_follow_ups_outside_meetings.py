"""measure history outside meetings: a follow-up row may have no session

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-06 05:45:00

A measure cancelled outside a meeting keeps its reason in its history: a row of
measure_follow_ups without a session, dated by its updated_at. Only the column's NOT NULL goes;
on SQLite that rebuilds measure_follow_ups, which no other table refers to.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("measure_follow_ups") as batch:
        batch.alter_column("session_id", existing_type=sa.Integer(), nullable=True)


def downgrade() -> None:
    # The schema before had no history outside a meeting: those rows cannot be kept.
    op.execute("DELETE FROM measure_follow_ups WHERE session_id IS NULL")
    with op.batch_alter_table("measure_follow_ups") as batch:
        batch.alter_column("session_id", existing_type=sa.Integer(), nullable=False)

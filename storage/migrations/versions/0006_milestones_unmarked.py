"""a milestone unmarked keeps its row: marking it done again is an edit of its version

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-06 08:45:00

A milestone marked done and then unmarked was deleted, and with it its version: a later mark
could not tell a row changed since it was seen. Now it stays, with no day done (done_on NULL),
so that marking and unmarking are conditional edits logged like the others. Only the column's
NOT NULL goes; on SQLite that rebuilds milestones_done, which no other table refers to.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("milestones_done") as batch:
        batch.alter_column("done_on", existing_type=sa.Date(), nullable=True)


def downgrade() -> None:
    # The schema before had no row for a milestone not done.
    op.execute("DELETE FROM milestones_done WHERE done_on IS NULL")
    with op.batch_alter_table("milestones_done") as batch:
        batch.alter_column("done_on", existing_type=sa.Date(), nullable=False)

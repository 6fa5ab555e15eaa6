"""the lead imports: the sequences are the lead's to move

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-06 09:40:00

An import reserves its ids by moving each table's sequence past the rows it writes (setval),
which needs UPDATE on the sequence; 0005 gave the lead only USAGE and SELECT, so the lead's
import was refused. Nothing changes on a file.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

LEAD = "naervaer_lead"


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"GRANT UPDATE ON ALL SEQUENCES IN SCHEMA public TO {LEAD}")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"REVOKE UPDATE ON ALL SEQUENCES IN SCHEMA public FROM {LEAD}")

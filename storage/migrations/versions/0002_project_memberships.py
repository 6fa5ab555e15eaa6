"""project memberships: a unit's periods in the project, with history

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-06 03:10:00

The membership moves from two columns on units (one period, no way out) to a table of periods.
The columns are dropped with ALTER TABLE DROP COLUMN, not a batch rebuild of units: rebuilding
it would drop the table every other table refers to, with foreign keys on.
"""

import datetime as dt
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _quarter_before(day: dt.date) -> str:
    index = day.year * 4 + (day.month - 1) // 3 - 1
    return f"{index // 4}Q{index % 4 + 1}"


def upgrade() -> None:
    memberships = op.create_table(
        "project_memberships",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("joined_on", sa.Date(), nullable=False),
        sa.Column("left_on", sa.Date(), nullable=True),
        sa.Column("baseline_quarter", sa.String(length=6), nullable=False),
        sa.Column("target_group", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "left_on IS NULL OR left_on >= joined_on",
            name=op.f("ck_project_memberships_left_after_joined"),
        ),
        sa.ForeignKeyConstraint(
            ["unit_id"],
            ["units.id"],
            name=op.f("fk_project_memberships_unit_id_units"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_project_memberships")),
        sa.UniqueConstraint(
            "unit_id", "joined_on", name=op.f("uq_project_memberships_unit_id_joined_on")
        ),
    )
    units = sa.table(
        "units",
        sa.column("id", sa.Integer),
        sa.column("project_joined_on", sa.Date),
        sa.column("baseline_quarter", sa.String),
    )
    joined = op.get_bind().execute(
        sa.select(units.c.id, units.c.project_joined_on, units.c.baseline_quarter).where(
            units.c.project_joined_on.is_not(None)
        )
    )
    rows = [
        {
            "unit_id": unit_id,
            "joined_on": joined_on,
            "baseline_quarter": baseline or _quarter_before(joined_on),
        }
        for unit_id, joined_on, baseline in joined
    ]
    if rows:
        op.bulk_insert(memberships, rows)
    op.drop_column("units", "baseline_quarter")
    op.drop_column("units", "project_joined_on")


def downgrade() -> None:
    op.add_column("units", sa.Column("project_joined_on", sa.Date(), nullable=True))
    op.add_column("units", sa.Column("baseline_quarter", sa.String(length=6), nullable=True))
    # The schema before had one period and no way out: the ongoing one is kept.
    op.execute(
        "UPDATE units SET (project_joined_on, baseline_quarter) = "
        "(SELECT joined_on, baseline_quarter FROM project_memberships m "
        "WHERE m.unit_id = units.id AND m.left_on IS NULL)"
    )
    op.drop_table("project_memberships")

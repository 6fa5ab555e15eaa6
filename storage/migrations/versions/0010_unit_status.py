"""unit status: what the status overview shows of each unit, kept in a row of its own

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-06 11:00:00

The status overview read every unit's quarters, groups at joining and share of the goal from
the monthly figures each time it opened. They are computed with the figures, for the same day,
and stored (unit_status), rewritten whenever the figures, the project's periods or the settings
change. A database upgraded to it has none until then: the overview computes them as before.

On a server the rows are every advisor's to read, as the monthly figures are (figures per unit,
no person). Every advisor may change the settings they are computed with, so every advisor
writes them; the lead and the owner with the figures and the project's periods.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ADVISOR = "naervaer_advisor"
LEAD = "naervaer_lead"

SUMS = [
    f"{prefix}{name}_{part}"
    for prefix, names in (
        ("", ("baseline", "compare", "last_four", "before_four")),
        ("municipal_", ("baseline", "compare", "before_four")),
    )
    for name in names
    for part in ("lost", "possible")
]
GOALS = ["goal_days", "goal_nok", "achieved_days", "achieved_nok", "to_go_days", "to_go_nok"]


def upgrade() -> None:
    op.create_table(
        "unit_status",
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("project_joined_on", sa.Date(), nullable=True),
        sa.Column("baseline_quarter", sa.String(length=6), nullable=True),
        sa.Column("target_group_at_joining", sa.Integer(), nullable=True),
        sa.Column("headcount", sa.Integer(), nullable=False),
        sa.Column("avg_2y_pct", sa.Float(), nullable=True),
        sa.Column("target_group", sa.Integer(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("joined_group", sa.Integer(), nullable=True),
        sa.Column("joined_reason", sa.Text(), nullable=True),
        sa.Column("compare_quarter", sa.String(length=6), nullable=True),
        *(sa.Column(name, sa.Float(), nullable=False) for name in SUMS),
        *(sa.Column(name, sa.Float(), nullable=True) for name in [*GOALS, "sector_pct"]),
        sa.Column("light", sa.String(length=8), nullable=True),
        sa.ForeignKeyConstraint(
            ["unit_id"],
            ["units.id"],
            name=op.f("fk_unit_status_unit_id_units"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("unit_id", name=op.f("pk_unit_status")),
    )
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"GRANT SELECT, INSERT, DELETE ON unit_status TO {ADVISOR}")
        op.execute(f"GRANT SELECT, INSERT, UPDATE, DELETE ON unit_status TO {LEAD}")


def downgrade() -> None:
    op.drop_table("unit_status")

"""status figures: the prognosis kept with the monthly figures; every unit's activity counted

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-06 08:50:00

The prognosis of every unit is computed with the monthly figures, for the same day, and stored
beside them (unit_prognoses), so that the status overview and `forecast` read it. It is every
advisor's to read, as the monthly figures are, and written by whoever rebuilds those (the lead's
and the owner's imports and starts).

On PostgreSQL the status overview's counts of open and overdue measures and the day of the
last session are figures per unit too: every advisor's overview needs them for every unit, also
for units whose measures and sessions row-level security keeps from them. Two functions count
them as the owner (whom the policies do not hold), as unit_headcounts does the headcount; no
text and no person leaves them.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ADVISOR = "naervaer_advisor"
LEAD = "naervaer_lead"

FUNCTIONS = {
    "unit_measure_counts(day date, open_statuses text[])": (
        "TABLE (unit_id integer, open_measures bigint, overdue_measures bigint)",
        "SELECT m.unit_id, count(*), count(*) FILTER (WHERE m.due_date < day) FROM measures m "
        "WHERE m.status = ANY (open_statuses) GROUP BY m.unit_id",
    ),
    "unit_last_sessions()": (
        "TABLE (unit_id integer, held_on date)",
        "SELECT s.unit_id, max(s.held_on) FROM sessions s GROUP BY s.unit_id",
    ),
}


def _signature(declared: str) -> str:
    """`name(arg type, …)` as DROP and GRANT name it: the types alone."""
    name, arguments = declared.rstrip(")").split("(")
    types = [argument.split()[-1] for argument in arguments.split(",") if argument.strip()]
    return f"{name}({', '.join(types)})"


def upgrade() -> None:
    op.create_table(
        "unit_prognoses",
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("quarter", sa.String(length=6), nullable=False),
        sa.Column("known_pct", sa.Float(), nullable=True),
        sa.Column("expected_pct", sa.Float(), nullable=True),
        sa.Column("pct", sa.Float(), nullable=True),
        sa.Column("known_lost", sa.Float(), nullable=True),
        sa.Column("lost", sa.Float(), nullable=True),
        sa.Column("possible", sa.Float(), nullable=False),
        sa.ForeignKeyConstraint(
            ["unit_id"],
            ["units.id"],
            name=op.f("fk_unit_prognoses_unit_id_units"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("unit_id", "quarter", name=op.f("pk_unit_prognoses")),
    )
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"GRANT SELECT ON unit_prognoses TO {ADVISOR}")
        op.execute(f"GRANT SELECT, INSERT, UPDATE, DELETE ON unit_prognoses TO {LEAD}")
        for declared, (returns, body) in FUNCTIONS.items():
            op.execute(
                f"CREATE FUNCTION {declared} RETURNS {returns} LANGUAGE sql STABLE "
                f"SECURITY DEFINER SET search_path = public AS $$ {body} $$"
            )
            op.execute(f"REVOKE ALL ON FUNCTION {_signature(declared)} FROM PUBLIC")
            op.execute(f"GRANT EXECUTE ON FUNCTION {_signature(declared)} TO {ADVISOR}")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for declared in FUNCTIONS:
            op.execute(f"DROP FUNCTION {_signature(declared)}")
    op.drop_table("unit_prognoses")

"""versions and an audit log: no edit overwrites another, and who did what is kept

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-06 07:00:00

Every row two advisors can edit gets a version (a change states the one it was based on) and
who created and last changed it, and when. The audit log records each change of a measure,
a session or a note: who, when, the old and the new value. On PostgreSQL a trigger refuses to
change or delete its rows, for every role the app uses.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

EDITED = (
    "sessions",
    "employee_reviews",
    "measures",
    "milestones_done",
    "survey_scores",
    "presence_factors",
)

APPEND_ONLY = """
CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_log is append-only: % refused', TG_OP;
END
$$
"""


def upgrade() -> None:
    for table in EDITED:
        op.add_column(table, sa.Column("version", sa.Integer(), nullable=False, server_default="1"))
        op.add_column(table, sa.Column("created_by", sa.String(length=200), nullable=True))
        op.add_column(table, sa.Column("changed_by", sa.String(length=200), nullable=True))
        op.add_column(table, sa.Column("changed_at", sa.DateTime(), nullable=True))
    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("advisor", sa.String(length=200), nullable=False),
        sa.Column("table_name", sa.String(length=32), nullable=False),
        sa.Column("row_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("field", sa.String(length=32), nullable=False),
        sa.Column("old_value", sa.Text(), nullable=True),
        sa.Column("new_value", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_log")),
    )
    op.create_index("ix_audit_log_row", "audit_log", ["table_name", "row_id"])
    if op.get_bind().dialect.name == "postgresql":
        op.execute(APPEND_ONLY)
        op.execute(
            "CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log "
            "FOR EACH ROW EXECUTE FUNCTION audit_log_append_only()"
        )
        op.execute(
            "CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log "
            "FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only()"
        )


def downgrade() -> None:
    op.drop_table("audit_log")  # its triggers go with it
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION audit_log_append_only()")
    # ALTER TABLE DROP COLUMN, not a batch rebuild: sessions is referred to by other tables.
    for table in EDITED:
        for column in ("changed_at", "changed_by", "created_by", "version"):
            op.drop_column(table, column)

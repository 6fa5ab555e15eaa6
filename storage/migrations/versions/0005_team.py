"""the team: advisors, their units, and on a server who sees what

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-06 06:50:00

Both backends get the two tables. On PostgreSQL the migration also creates the app's group
roles (naervaer_advisor for every advisor, naervaer_lead for the project lead; a role is the
server's, shared by its databases, so an existing one is kept), grants them what the app does,
and turns on row-level security: the personal data and the advisory work of a unit are read and
written only by the advisors it is assigned to and by a lead. The units, their project periods,
the monthly figures and the settings are every advisor's. The database owner is not subject to
the policies (it owns the tables); it runs the migrations, imports and `naervaer team`.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ADVISOR = "naervaer_advisor"
LEAD = "naervaer_lead"

# Whether the current login is the team's lead, or assigned the unit `{unit}`.
_LEAD = "EXISTS (SELECT 1 FROM advisors a WHERE a.login = current_user AND a.lead)"
_ASSIGNED = (
    "EXISTS (SELECT 1 FROM advisor_units au WHERE au.login = current_user AND au.unit_id = {unit})"
)


def _unit_visible(unit: str) -> str:
    return f"({_LEAD} OR {_ASSIGNED.format(unit=unit)})"


def _employee_visible(employee: str) -> str:
    """A person is seen through an employment in a unit the advisor sees."""
    return (
        f"({_LEAD} OR EXISTS (SELECT 1 FROM employments e JOIN advisor_units au "
        f"ON au.unit_id = e.unit_id AND au.login = current_user WHERE e.employee_id = {employee}))"
    )


def _session_visible(session: str) -> str:
    return (
        f"EXISTS (SELECT 1 FROM sessions s WHERE s.id = {session} AND {_unit_visible('s.unit_id')})"
    )


# Each table kept to its unit's advisors: the rule that says whether a row is seen. Decided from
# DOMAIN.md's privacy section: everything about a person, and the notes of a unit's meetings
# (which may name people) and its measures, scores and factors (the advisor's work with it).
POLICIES = {
    "employees": _employee_visible("employees.id"),
    "employments": _unit_visible("employments.unit_id"),
    "absence_spells": (
        f"(CASE WHEN absence_spells.unit_id IS NULL "
        f"THEN {_employee_visible('absence_spells.employee_id')} "
        f"ELSE {_unit_visible('absence_spells.unit_id')} END)"
    ),
    "sessions": _unit_visible("sessions.unit_id"),
    "employee_reviews": _session_visible("employee_reviews.session_id"),
    "measures": _unit_visible("measures.unit_id"),
    "measure_follow_ups": (
        "EXISTS (SELECT 1 FROM measures m WHERE m.id = measure_follow_ups.measure_id "
        f"AND {_unit_visible('m.unit_id')})"
    ),
    "milestones_done": _employee_visible("milestones_done.employee_id"),
    "survey_scores": _unit_visible("survey_scores.unit_id"),
    "presence_factors": _unit_visible("presence_factors.unit_id"),
}
# Every advisor reads these whole; only a lead (and the owner) writes the shared ones, except the
# settings, which the app writes for every advisor.
SHARED = ("units", "project_memberships", "unit_month_figures", "advisors", "advisor_units")


def upgrade() -> None:
    op.create_table(
        "advisors",
        sa.Column("login", sa.String(length=63), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("lead", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("login", name=op.f("pk_advisors")),
    )
    op.create_table(
        "advisor_units",
        sa.Column("login", sa.String(length=63), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["login"],
            ["advisors.login"],
            name=op.f("fk_advisor_units_login_advisors"),
            ondelete="CASCADE",
            onupdate="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["unit_id"],
            ["units.id"],
            name=op.f("fk_advisor_units_unit_id_units"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("login", "unit_id", name=op.f("pk_advisor_units")),
    )
    if op.get_bind().dialect.name == "postgresql":
        _secure()


def _secure() -> None:
    for role in (ADVISOR, LEAD):
        op.execute(
            f"DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{role}') "
            f"THEN CREATE ROLE {role} NOLOGIN; END IF; END $$"
        )
    op.execute(f"GRANT {ADVISOR} TO {LEAD}")
    op.execute(f"GRANT USAGE ON SCHEMA public TO {ADVISOR}")
    op.execute(f"GRANT SELECT ON alembic_version TO {ADVISOR}")
    op.execute(f"GRANT SELECT ON {', '.join(SHARED)} TO {ADVISOR}")
    op.execute(f"GRANT SELECT, INSERT, UPDATE ON settings TO {ADVISOR}")
    # The audit log: written with every change, never changed (its trigger refuses it).
    op.execute(f"GRANT SELECT, INSERT ON audit_log TO {ADVISOR}")
    op.execute(f"GRANT SELECT, INSERT, UPDATE, DELETE ON {', '.join(POLICIES)} TO {ADVISOR}")
    op.execute(f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {ADVISOR}")
    # A lead imports and manages the team: every table.
    op.execute(f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {LEAD}")
    op.execute(f"REVOKE INSERT, UPDATE, DELETE ON alembic_version FROM {LEAD}")
    for table, visible in POLICIES.items():
        op.execute(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
        op.execute(
            f"CREATE POLICY assigned_units ON {table} USING ({visible}) WITH CHECK ({visible})"
        )
    # A person is added before the employment that makes them seen (an import of a lead does).
    op.execute("CREATE POLICY added ON employees FOR INSERT WITH CHECK (true)")
    # Each unit's headcount on a day is a figure per unit, like the monthly figures: every
    # advisor's unit list and status overview need it (the small-number rule, target groups).
    # Counted as the owner, whom the policies do not hold; no person leaves the function.
    op.execute(
        "CREATE FUNCTION unit_headcounts(day date) RETURNS TABLE (unit_id integer, "
        "headcount bigint) LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$ "
        "SELECT e.unit_id, count(DISTINCT e.employee_id) FROM employments e "
        "WHERE e.start_date <= day AND (e.end_date IS NULL OR e.end_date >= day) "
        "GROUP BY e.unit_id $$"
    )
    op.execute("REVOKE ALL ON FUNCTION unit_headcounts(date) FROM PUBLIC")
    op.execute(f"GRANT EXECUTE ON FUNCTION unit_headcounts(date) TO {ADVISOR}")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION unit_headcounts(date)")
        op.execute("DROP POLICY added ON employees")
        for table in POLICIES:
            op.execute(f"DROP POLICY assigned_units ON {table}")
            op.execute(f"ALTER TABLE {table} DISABLE ROW LEVEL SECURITY")
        # The roles stay: they are the server's, and other databases may grant them.
        for role in (ADVISOR, LEAD):
            op.execute(f"REVOKE ALL ON ALL TABLES IN SCHEMA public FROM {role}")
            op.execute(f"REVOKE ALL ON ALL SEQUENCES IN SCHEMA public FROM {role}")
            op.execute(f"REVOKE ALL ON SCHEMA public FROM {role}")
    op.drop_table("advisor_units")
    op.drop_table("advisors")

"""Reports (DOMAIN.md §5): root cause and neglect on the case, business volume, issued
penalty bulletins, early warnings sent once, report-friendly indexes, archive marks, and
outbox rows that belong to no case (bulletins, warnings, reports).

Issued bulletins are immutable: a trigger refuses any UPDATE of an issued row and any
DELETE of one, on SQLite and PostgreSQL alike (a correction is a new bulletin).

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-26
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | Sequence[str] | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UTC = sa.DateTime(timezone=True)
NO_CASE = "case_id IS NULL"
IMMUTABLE = "issued bulletins are immutable: issue a correction that cites this one"


def upgrade() -> None:
    with op.batch_alter_table("cases") as batch:
        batch.add_column(sa.Column("root_cause_dimension", sa.String(length=8),
                                   nullable=False, server_default=""))
        batch.add_column(sa.Column("repeat_by_neglect", sa.Integer(), nullable=False,
                                   server_default="0"))
        batch.add_column(sa.Column("archived_at", UTC, nullable=True))
        batch.create_index("ix_cases_received_at", ["received_at"])
        batch.create_index("ix_cases_closed_at", ["closed_at"])
    # Clock counts read the index alone; callbacks answered in a period find met_at.
    op.create_index("ix_clocks_name_due_at", "clocks", ["name", "due_at", "outcome"])
    op.create_index("ix_clocks_name_met_at", "clocks", ["name", "met_at", "case_id"])
    op.create_index("ix_escalations_at", "escalations", ["at"])
    op.create_index("ix_responsibilities_at", "responsibilities", ["at"])
    with op.batch_alter_table("outbox") as batch:
        batch.alter_column("case_id", existing_type=sa.Integer(), nullable=True)
    op.create_index("uq_outbox_no_case", "outbox", ["purpose", "role", "ref"], unique=True,
                    sqlite_where=sa.text(NO_CASE), postgresql_where=sa.text(NO_CASE))
    op.create_table(
        "volumes",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("month", sa.String(length=7), nullable=False),
        sa.Column("department", sa.String(length=64), nullable=False),
        sa.Column("volume", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("updated_by", sa.String(length=120), nullable=False, server_default=""),
        sa.Column("updated_at", UTC, nullable=False),
        sa.UniqueConstraint("month", "department", name="uq_volumes_month_department"),
    )
    op.create_table(
        "bulletins",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("number", sa.String(length=32), nullable=False, unique=True),
        sa.Column("flow_run_id", sa.String(length=36), nullable=False, unique=True),
        sa.Column("period_start", sa.String(length=10), nullable=False),
        sa.Column("period_end", sa.String(length=10), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("corrects", sa.String(length=32), nullable=False, server_default=""),
        sa.Column("content", sa.JSON(), nullable=False),
        sa.Column("markdown", sa.Text(), nullable=False),
        sa.Column("created_at", UTC, nullable=False),
        sa.Column("decided_by", sa.String(length=120), nullable=False, server_default=""),
        sa.Column("decided_at", UTC, nullable=True),
        sa.Column("comment", sa.Text(), nullable=False, server_default=""),
    )
    op.create_index("ix_bulletins_period", "bulletins", ["period_start", "status"])
    op.create_table(
        "warnings",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("key", sa.String(length=128), nullable=False),
        sa.Column("department", sa.String(length=64), nullable=False, server_default=""),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("raised_at", UTC, nullable=False),
        sa.UniqueConstraint("kind", "key", name="uq_warnings_kind_key"),
    )
    op.create_index("ix_warnings_raised_at", "warnings", ["raised_at"])
    _immutable_bulletins()


def _immutable_bulletins() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for verb, row in (("UPDATE", "OLD"), ("DELETE", "OLD")):
            op.execute(f"CREATE TRIGGER bulletins_issued_no_{verb.lower()} BEFORE {verb} "
                       f"ON bulletins FOR EACH ROW WHEN {row}.status = 'issued' "
                       f"BEGIN SELECT RAISE(ABORT, '{IMMUTABLE}'); END")
        return
    op.execute(f"""CREATE FUNCTION bulletins_issued_immutable() RETURNS trigger AS $$
        BEGIN
          IF OLD.status = 'issued' THEN RAISE EXCEPTION '{IMMUTABLE}'; END IF;
          IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
          RETURN NEW;
        END $$ LANGUAGE plpgsql""")
    op.execute("CREATE TRIGGER bulletins_issued_immutable BEFORE UPDATE OR DELETE ON "
               "bulletins FOR EACH ROW EXECUTE FUNCTION bulletins_issued_immutable()")


def downgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        op.execute("DROP TRIGGER bulletins_issued_immutable ON bulletins")
        op.execute("DROP FUNCTION bulletins_issued_immutable()")
    op.drop_table("warnings")
    op.drop_table("bulletins")
    op.drop_table("volumes")
    op.drop_index("uq_outbox_no_case", table_name="outbox")
    with op.batch_alter_table("outbox") as batch:
        batch.alter_column("case_id", existing_type=sa.Integer(), nullable=False)
    op.drop_index("ix_responsibilities_at", table_name="responsibilities")
    op.drop_index("ix_escalations_at", table_name="escalations")
    op.drop_index("ix_clocks_name_met_at", table_name="clocks")
    op.drop_index("ix_clocks_name_due_at", table_name="clocks")
    with op.batch_alter_table("cases", recreate="never") as batch:
        batch.drop_index("ix_cases_closed_at")
        batch.drop_index("ix_cases_received_at")
        for name in ("archived_at", "repeat_by_neglect", "root_cause_dimension"):
            batch.drop_column(name)

"""The centre's rules (DOMAIN.md §7): first contact, sign-off, validity and responsibility,
irrational follow-up, rejections, callback result, customer links, structured actions.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-26
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | Sequence[str] | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UTC = sa.DateTime(timezone=True)
TEXT_COLUMNS = {"taken_by": 120, "signed_by": 120, "validity": 8, "unreasonable_type": 24,
                "irrational": 8, "follow_up": 8, "tracker": 120, "callback_result": 16,
                "phone_key": 64, "email_key": 64, "repeat_of": 32}


def upgrade() -> None:
    with op.batch_alter_table("cases") as batch:
        for name, length in TEXT_COLUMNS.items():
            batch.add_column(sa.Column(name, sa.String(length=length), nullable=False,
                                       server_default=""))
        batch.add_column(sa.Column("signed_at", UTC, nullable=True))
        batch.add_column(sa.Column("established_loss", sa.Numeric(14, 2), nullable=True))
        batch.add_column(sa.Column("rejections", sa.Integer(), nullable=False,
                                   server_default="0"))
        batch.add_column(sa.Column("satisfaction_score", sa.Integer(), nullable=True))
        batch.create_index("ix_cases_phone_key", ["phone_key"])
        batch.create_index("ix_cases_email_key", ["email_key"])
    op.create_table(
        "responsibilities",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("case_id", sa.Integer(), sa.ForeignKey("cases.id"), nullable=False),
        sa.Column("person", sa.String(length=120), nullable=False),
        sa.Column("department", sa.String(length=64), nullable=False),
        sa.Column("at", UTC, nullable=False),
    )
    op.create_index("ix_responsibilities_case_id", "responsibilities", ["case_id"])
    op.create_index("ix_responsibilities_person", "responsibilities", ["person"])
    op.create_table(
        "actions",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("case_id", sa.Integer(), sa.ForeignKey("cases.id"), nullable=False),
        sa.Column("kind", sa.String(length=12), nullable=False),
        sa.Column("what", sa.Text(), nullable=False),
        sa.Column("owner", sa.String(length=120), nullable=False),
        sa.Column("due_at", UTC, nullable=False),
        sa.Column("check", sa.Text(), nullable=False),
        sa.Column("created_at", UTC, nullable=False),
        sa.Column("asked_at", UTC, nullable=True),
        sa.Column("flow_run_id", sa.String(length=36), nullable=False, server_default=""),
        sa.Column("checked_at", UTC, nullable=True),
        sa.Column("checked_by", sa.String(length=120), nullable=False, server_default=""),
        sa.Column("done", sa.Integer(), nullable=True),
        sa.Column("effective", sa.Integer(), nullable=True),
        sa.Column("note", sa.Text(), nullable=False, server_default=""),
    )
    op.create_index("ix_actions_case_id", "actions", ["case_id"])
    op.create_index("ix_actions_due", "actions", ["checked_at", "due_at"])


def downgrade() -> None:
    op.drop_table("actions")
    op.drop_table("responsibilities")
    # SQLite (3.35+) drops these columns in place; a copied table would break the
    # foreign keys of events, steps and clocks.
    with op.batch_alter_table("cases", recreate="never") as batch:
        batch.drop_index("ix_cases_email_key")
        batch.drop_index("ix_cases_phone_key")
        for name in ("satisfaction_score", "rejections", "established_loss", "signed_at",
                     *TEXT_COLUMNS):
            batch.drop_column(name)

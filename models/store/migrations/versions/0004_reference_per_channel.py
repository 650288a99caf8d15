"""One reference per channel and customer: external_ref is no longer unique on its own.

The same external_ref in another channel, or from another customer, is another case
(flagged `ref_reused_of`); unique is now (channel, external_ref, ref_seq), where ref_seq
is 0 for the first case of a reference and counts the reuses after it.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-26
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | Sequence[str] | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# SQLite's copy of the table names its unnamed unique constraint by this convention.
NAMING = {"uq": "uq_%(table_name)s_%(column_0_name)s"}


def _old_unique() -> str:
    sqlite = op.get_bind().dialect.name == "sqlite"
    return "uq_cases_external_ref" if sqlite else "cases_external_ref_key"


def upgrade() -> None:
    with op.batch_alter_table("cases", naming_convention=NAMING) as batch:
        batch.drop_constraint(_old_unique(), type_="unique")
        batch.add_column(sa.Column("ref_seq", sa.Integer(), nullable=False,
                                   server_default="0"))
        batch.add_column(sa.Column("ref_reused_of", sa.String(length=32), nullable=True))
        batch.create_unique_constraint("uq_cases_channel_external_ref",
                                       ["channel", "external_ref", "ref_seq"])


def downgrade() -> None:
    with op.batch_alter_table("cases", naming_convention=NAMING) as batch:
        batch.drop_constraint("uq_cases_channel_external_ref", type_="unique")
        batch.drop_column("ref_reused_of")
        batch.drop_column("ref_seq")
        batch.create_unique_constraint(_old_unique(), ["external_ref"])

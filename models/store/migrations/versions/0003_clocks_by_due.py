"""Clocks by due time, for the SLA board's "breaching soon" query.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-24
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0003"
down_revision: str | Sequence[str] | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_clocks_open_due", "clocks", ["open", "due_at"])


def downgrade() -> None:
    op.drop_index("ix_clocks_open_due", table_name="clocks")

"""Outbox: when a sender claimed a row (to reclaim rows of a sender that died), longer refs.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("outbox") as batch:
        batch.add_column(sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=True))
        batch.alter_column("ref", type_=sa.String(length=128), existing_type=sa.String(64),
                           existing_nullable=False)


def downgrade() -> None:
    with op.batch_alter_table("outbox") as batch:
        batch.alter_column("ref", type_=sa.String(length=64), existing_type=sa.String(128),
                           existing_nullable=False)
        batch.drop_column("claimed_at")

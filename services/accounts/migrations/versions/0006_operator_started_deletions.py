"""deletions an operator starts (a person reported to be under 17): who and why, on the request and its receipt

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-07 18:15:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    for table in ("deletion_requests", "deletion_receipts"):
        op.add_column(table, sa.Column("started_by", sa.String(length=16), server_default="person", nullable=False))
        op.add_column(table, sa.Column("operator_id", sa.String(length=64), nullable=True))
        op.add_column(table, sa.Column("operator_reason", sa.String(length=32), nullable=True))
    op.add_column("deletion_requests", sa.Column("operator_note", sa.Text(), nullable=True))


def downgrade() -> None:
    op.drop_column("deletion_requests", "operator_note")
    for table in ("deletion_requests", "deletion_receipts"):
        op.drop_column(table, "operator_reason")
        op.drop_column(table, "operator_id")
        op.drop_column(table, "started_by")

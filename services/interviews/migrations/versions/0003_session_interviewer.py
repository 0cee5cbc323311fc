"""practice sessions: the interviewer persona

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-29 05:20:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("practice_sessions", sa.Column("interviewer", sa.String(length=20), nullable=True))


def downgrade() -> None:
    op.drop_column("practice_sessions", "interviewer")

"""practice goals: the role, level and date of the interview a person prepares for

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-07 23:10:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "practice_goals",
        sa.Column("user_id", sa.String(64), primary_key=True),
        sa.Column("role", sa.String(60), nullable=True),
        sa.Column("difficulty", sa.String(10), nullable=True),
        sa.Column("interview_date", sa.Date(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("practice_goals")

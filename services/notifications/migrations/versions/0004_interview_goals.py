"""interview goals: the role and date of the interview a person prepares for (reminders count down to it)

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-07 23:15:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "interview_goals",
        sa.Column("user_id", sa.String(64), primary_key=True),
        sa.Column("role_label", sa.String(120), nullable=True),
        sa.Column("interview_date", sa.Date(), nullable=True),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("interview_goals")

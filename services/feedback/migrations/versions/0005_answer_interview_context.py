"""answer_inputs.interview: the interview around an answer (persona, its thread, what was asked), for the
interviewer's follow-up decision

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-07 21:30:00
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("answer_inputs", sa.Column("interview", JSONB(), nullable=True))


def downgrade() -> None:
    op.drop_column("answer_inputs", "interview")

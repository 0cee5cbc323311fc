"""session_videos.session_question_id: the interviewer's follow-ups are lines of a session too; clips.priority:
a follow-up someone is waiting for renders before everything else

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-07 22:00:00
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import UUID

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("session_videos", sa.Column("session_question_id", UUID(as_uuid=True), nullable=True))
    op.add_column("clips", sa.Column("priority", sa.Integer(), server_default="0", nullable=False))


def downgrade() -> None:
    op.drop_column("clips", "priority")
    op.drop_column("session_videos", "session_question_id")

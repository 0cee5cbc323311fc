"""transcription progress

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-29 03:40:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "transcription_progress",
        sa.Column("recording_id", sa.UUID(), nullable=False),
        sa.Column("user_id", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("share", sa.Float(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.PrimaryKeyConstraint("recording_id", name=op.f("pk_transcription_progress")),
    )
    op.create_index(op.f("ix_transcription_progress_user_id"), "transcription_progress", ["user_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_transcription_progress_user_id"), table_name="transcription_progress")
    op.drop_table("transcription_progress")

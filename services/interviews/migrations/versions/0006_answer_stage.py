"""answers: one pipeline status per answer (stage and how far it is), fed by the services' events

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-07 18:10:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("answers", sa.Column("stage", sa.String(length=20), server_default="ready", nullable=False))
    op.add_column("answers", sa.Column("stage_share", sa.Float(), server_default="0", nullable=False))
    # Answers from before: a rejected one stays rejected, one still waiting for its recording keeps waiting; the
    # rest went through the pipeline before it had a status (their feedback is there).
    op.execute("UPDATE answers SET stage = 'rejected' WHERE status = 'rejected'")
    op.execute("UPDATE answers SET stage = 'awaiting_recording' WHERE status = 'awaiting_recording'")


def downgrade() -> None:
    op.drop_column("answers", "stage_share")
    op.drop_column("answers", "stage")

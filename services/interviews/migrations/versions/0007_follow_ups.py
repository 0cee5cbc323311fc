"""session_questions: the interviewer's follow-ups (a thread under their main question); answers: the follow-up
decision on each answer

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-07 21:45:00
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB, UUID

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(
        "session_questions",
        sa.Column(
            "parent_id", UUID(as_uuid=True), sa.ForeignKey("session_questions.id", ondelete="CASCADE"), nullable=True
        ),
    )
    op.create_index("ix_session_questions_parent_id", "session_questions", ["parent_id"])
    op.add_column("session_questions", sa.Column("depth", sa.Integer(), server_default="0", nullable=False))
    op.add_column("session_questions", sa.Column("prompt", sa.Text(), nullable=True))
    op.add_column("session_questions", sa.Column("spoken", sa.Text(), nullable=True))
    op.add_column("session_questions", sa.Column("probe", sa.String(length=20), nullable=True))
    op.add_column("session_questions", sa.Column("reason", sa.Text(), nullable=True))
    op.add_column("session_questions", sa.Column("evidence", JSONB(), nullable=True))
    op.add_column("session_questions", sa.Column("from_answer_id", UUID(as_uuid=True), nullable=True))
    op.add_column("session_questions", sa.Column("decided_by", sa.String(length=40), nullable=True))
    # A follow-up shares its main question's position, one level deeper.
    op.drop_constraint("uq_session_questions_position", "session_questions", type_="unique")
    op.create_unique_constraint(
        "uq_session_questions_position", "session_questions", ["session_id", "position", "depth"]
    )
    op.add_column("answers", sa.Column("follow_up", sa.String(length=10), nullable=True))


def downgrade() -> None:
    op.drop_column("answers", "follow_up")
    op.execute("DELETE FROM session_questions WHERE parent_id IS NOT NULL")
    op.drop_constraint("uq_session_questions_position", "session_questions", type_="unique")
    op.create_unique_constraint("uq_session_questions_position", "session_questions", ["session_id", "position"])
    for column in ("decided_by", "from_answer_id", "evidence", "reason", "probe", "spoken", "prompt", "depth"):
        op.drop_column("session_questions", column)
    op.drop_index("ix_session_questions_parent_id", table_name="session_questions")
    op.drop_column("session_questions", "parent_id")

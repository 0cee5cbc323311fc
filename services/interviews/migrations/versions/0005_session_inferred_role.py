"""practice sessions: what a job description was read as (role, other candidates, skills)

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-07 15:20:00
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("practice_sessions", sa.Column("inferred", postgresql.JSONB(), nullable=True))


def downgrade() -> None:
    op.drop_column("practice_sessions", "inferred")

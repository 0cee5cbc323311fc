"""device information with consent

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-29 09:09:14.506392
"""

import sqlalchemy as sa
from alembic import op
from intervu_kit.migrations import create_consent_copies_v1, drop_consent_copies_v1
from sqlalchemy.dialects import postgresql

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_consent_copies_v1()
    op.add_column("practice_sessions", sa.Column("device", postgresql.JSONB(astext_type=sa.Text()), nullable=True))


def downgrade() -> None:
    op.drop_column("practice_sessions", "device")
    drop_consent_copies_v1()

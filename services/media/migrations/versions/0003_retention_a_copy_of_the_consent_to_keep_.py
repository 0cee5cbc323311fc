"""retention: a copy of the consent to keep recordings, purged recordings

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-29 09:06:40.189522
"""

import sqlalchemy as sa
from alembic import op
from intervu_kit.migrations import create_consent_copies_v1, drop_consent_copies_v1

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_consent_copies_v1()
    op.add_column("recordings", sa.Column("purged_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    op.drop_column("recordings", "purged_at")
    drop_consent_copies_v1()

"""a copy of the consent to third-party AI

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-29 09:00:47.660337
"""

from intervu_kit.migrations import create_consent_copies_v1, drop_consent_copies_v1

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_consent_copies_v1()


def downgrade() -> None:
    drop_consent_copies_v1()

"""a copy of the consent to third-party AI

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-29 09:00:53.687719
"""

from intervu_kit.migrations import create_consent_copies_v1, drop_consent_copies_v1

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_consent_copies_v1()


def downgrade() -> None:
    drop_consent_copies_v1()

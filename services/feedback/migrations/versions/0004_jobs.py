"""jobs: answers are analysed by leased jobs (intervu_kit.jobs), not inside the event handler

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-07 18:00:00
"""

from intervu_kit.migrations import create_jobs_v1, drop_jobs_v1

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_jobs_v1()


def downgrade() -> None:
    drop_jobs_v1()

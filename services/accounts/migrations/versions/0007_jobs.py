"""jobs: an export's ZIP is made by a leased job (intervu_kit.jobs), not inside the scheduler's pass

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-07 18:25:00
"""

from intervu_kit.migrations import create_jobs_v1, drop_jobs_v1

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_jobs_v1()


def downgrade() -> None:
    drop_jobs_v1()

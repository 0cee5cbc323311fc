"""Event tables (outbox, inbox, parked events).

Revision ID: 0001
Create Date: 2026-11-28
"""

from intervu_kit.migrations import create_event_tables_v1, drop_event_tables_v1

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_event_tables_v1()


def downgrade() -> None:
    drop_event_tables_v1()

"""A service's own copy of the consents it acts on, kept from ``accounts.consent_changed.v1``.

Accounts is the record; a service that must honour a consent (transcription and feedback: may a third-party AI
provider process this person's answer?) keeps the latest answer per person and purpose in its own database, so
the decision needs no call to accounts and works while accounts is down. No row means the default: not granted
(privacy by default). An event older than the copy is ignored (events may arrive out of order).
"""

from __future__ import annotations

from collections.abc import Callable

import sqlalchemy as sa
from intervu_contracts import ConsentChanged, EventEnvelope
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from intervu_kit.events import EventConsumer


def consent_table(metadata: sa.MetaData) -> sa.Table:
    """Declare the copy on a service's metadata (its migrations create it)."""
    return sa.Table(
        "consent_copies",
        metadata,
        sa.Column("user_id", sa.String(64), primary_key=True),
        sa.Column("purpose", sa.String(32), primary_key=True),
        sa.Column("granted", sa.Boolean, nullable=False),
        sa.Column("retention_days", sa.Integer, nullable=True),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
    )


async def granted(session: AsyncSession, table: sa.Table, user_id: str, purpose: str, *, hold: bool = False) -> bool:
    """The person's latest answer for ``purpose``; False when they never gave one. ``hold``: keep a withdrawal
    from committing until this transaction ends (what is stored under the consent is then seen by the handler
    that clears it)."""
    query = sa.select(table.c.granted).where(table.c.user_id == user_id, table.c.purpose == purpose)
    if hold:
        query = query.with_for_update(read=True)
    return bool(await session.scalar(query))


async def copy_consent(session: AsyncSession, table: sa.Table, event: ConsentChanged) -> None:
    values = {"granted": event.granted, "retention_days": event.retention_days, "changed_at": event.changed_at}
    await session.execute(
        insert(table)
        .values(user_id=event.user_id, purpose=event.purpose, **values)
        .on_conflict_do_update(
            index_elements=[table.c.user_id, table.c.purpose],
            set_=values,
            where=table.c.changed_at < event.changed_at,  # the newest answer wins, whatever the arrival order
        )
    )


def consent_registrar(table: sa.Table) -> Callable[[EventConsumer], None]:
    async def on_consent_changed(session: AsyncSession, event: ConsentChanged, envelope: EventEnvelope) -> None:
        await copy_consent(session, table, event)

    def register(consumer: EventConsumer) -> None:
        consumer.on(ConsentChanged)(on_consent_changed)

    return register

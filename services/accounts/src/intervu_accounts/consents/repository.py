"""All SQL of consents."""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from intervu_accounts.models import Consent, ConsentChange


class ConsentRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.db = session

    async def current(self, user_id: str) -> Sequence[Consent]:
        # populate_existing: the upsert below is a Core statement, so rows already loaded must be read again.
        query = sa.select(Consent).where(Consent.user_id == user_id).execution_options(populate_existing=True)
        return (await self.db.scalars(query)).all()

    async def set(self, consent: Consent) -> None:
        await self.db.execute(
            insert(Consent)
            .values(user_id=consent.user_id, purpose=consent.purpose, granted=consent.granted,
                    retention_days=consent.retention_days, changed_at=consent.changed_at)
            .on_conflict_do_update(
                index_elements=[Consent.user_id, Consent.purpose],
                set_={"granted": consent.granted, "retention_days": consent.retention_days,
                      "changed_at": consent.changed_at},
            )
        )  # fmt: skip

    def record(self, change: ConsentChange) -> None:
        self.db.add(change)

    async def history(self, user_id: str, limit: int, offset: int) -> Sequence[ConsentChange]:
        return (
            await self.db.scalars(
                sa.select(ConsentChange)
                .where(ConsentChange.user_id == user_id)
                .order_by(ConsentChange.changed_at.desc(), ConsentChange.id)
                .limit(limit)
                .offset(offset)
            )
        ).all()

"""All SQL of notifications and preferences."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from intervu_notifications.models import Notification, Preferences


class InboxRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.db = session

    async def add(self, notice: Notification) -> bool:
        """Insert unless this person already has a notice with its dedupe key; True when inserted."""
        values = {c.name: getattr(notice, c.key) for c in Notification.__table__.columns}
        inserted = await self.db.execute(
            insert(Notification).values(**values).on_conflict_do_nothing().returning(Notification.id)
        )
        return inserted.first() is not None

    async def set_email(self, notice_id: uuid.UUID, status: str, error: str | None = None) -> None:
        await self.db.execute(
            sa.update(Notification).where(Notification.id == notice_id).values(email=status, email_error=error)
        )

    async def inbox(self, user_id: str, limit: int, offset: int) -> Sequence[Notification]:
        query = sa.select(Notification).where(Notification.user_id == user_id)
        query = query.order_by(Notification.created_at.desc(), Notification.id).limit(limit).offset(offset)
        return (await self.db.scalars(query)).all()

    async def unread(self, user_id: str) -> int:
        query = sa.select(sa.func.count()).where(Notification.user_id == user_id, Notification.read_at.is_(None))
        return int(await self.db.scalar(query) or 0)

    async def mark_read(self, user_id: str, notice_id: uuid.UUID | None, now: datetime) -> int:
        query = sa.update(Notification).where(Notification.user_id == user_id, Notification.read_at.is_(None))
        if notice_id is not None:
            query = query.where(Notification.id == notice_id)
        result = await self.db.execute(query.values(read_at=now))
        return int(result.rowcount)  # type: ignore[attr-defined]

    async def owned(self, user_id: str, notice_id: uuid.UUID) -> Notification | None:
        query = sa.select(Notification).where(Notification.id == notice_id, Notification.user_id == user_id)
        return await self.db.scalar(query)

    async def preferences(self, user_id: str) -> Preferences | None:
        return await self.db.get(Preferences, user_id)

    def add_preferences(self, prefs: Preferences) -> None:
        self.db.add(prefs)

"""Every query on recordings. Lookups for a user are always scoped to that user."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from intervu_media.models import Recording, RecordingStatus, consents

_COUNTED = (RecordingStatus.UPLOADING.value, RecordingStatus.PROCESSING.value, RecordingStatus.READY.value)


class RecordingRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    def add(self, recording: Recording) -> None:
        self.session.add(recording)

    async def get(self, recording_id: uuid.UUID, *, lock: bool = False, nowait: bool = False) -> Recording | None:
        query = sa.select(Recording).where(Recording.id == recording_id)
        if lock:
            # populate_existing: a row already in the session would otherwise come back with the values read
            # before the lock, and a racing request's write would be checked against stale ones.
            query = query.with_for_update(nowait=nowait).execution_options(populate_existing=True)
        return await self.session.scalar(query)

    async def get_owned(
        self, recording_id: uuid.UUID, user_id: str, *, lock: bool = False, nowait: bool = False
    ) -> Recording | None:
        query = sa.select(Recording).where(Recording.id == recording_id, Recording.user_id == user_id)
        if lock:
            query = query.with_for_update(nowait=nowait).execution_options(populate_existing=True)
        return await self.session.scalar(query)

    async def lock_user_quota(self, user_id: str) -> None:
        """Serialise one person's quota checks until the transaction ends: two uploads created (or finished) at
        once could each pass a check the pair of them breaks. Other people are not held."""
        await self.session.execute(
            sa.select(sa.func.pg_advisory_xact_lock(sa.func.hashtextextended("media-quota:" + user_id, 0)))
        )

    async def open_uploads(self, user_id: str) -> int:
        query = sa.select(sa.func.count()).where(
            Recording.user_id == user_id, Recording.status == RecordingStatus.UPLOADING.value
        )
        return int(await self.session.scalar(query) or 0)

    async def bytes_used(self, user_id: str, *, excluding: uuid.UUID | None = None) -> int:
        """Storage a user holds or has reserved: finished recordings plus the declared size of open uploads."""
        size = sa.case(
            (Recording.status == RecordingStatus.READY.value, sa.func.coalesce(Recording.media_size, 0)),
            else_=sa.func.coalesce(Recording.upload_length, Recording.upload_offset),
        )
        query = sa.select(sa.func.coalesce(sa.func.sum(size), 0)).where(
            Recording.user_id == user_id, Recording.status.in_(_COUNTED)
        )
        if excluding is not None:
            query = query.where(Recording.id != excluding)
        return int(await self.session.scalar(query) or 0)

    async def list_owned(
        self, user_id: str, *, answer_id: uuid.UUID | None, session_id: uuid.UUID | None, limit: int, offset: int
    ) -> Sequence[Recording]:
        query = sa.select(Recording).where(Recording.user_id == user_id)
        if answer_id:
            query = query.where(Recording.answer_id == answer_id)
        if session_id:
            query = query.where(Recording.session_id == session_id)
        rows = await self.session.scalars(
            query.order_by(Recording.created_at.desc(), Recording.id).limit(limit).offset(offset)
        )
        return rows.all()

    async def expired_uploads(self, now: datetime, limit: int = 100) -> Sequence[Recording]:
        rows = await self.session.scalars(
            sa.select(Recording)
            .where(Recording.status == RecordingStatus.UPLOADING.value, Recording.expires_at < now)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        return rows.all()

    async def all_of(self, user_id: str, *, lock: bool = False) -> Sequence[Recording]:
        """Every recording of a person (export, deletion). ``lock`` waits for one being processed to finish, so
        nothing is written under the person's prefix after it was emptied."""
        query = sa.select(Recording).where(Recording.user_id == user_id).order_by(Recording.created_at, Recording.id)
        if lock:
            query = query.with_for_update()
        return (await self.session.scalars(query)).all()

    async def past_retention(self, now: datetime, limit: int = 100) -> Sequence[Recording]:
        """Ready recordings of people who chose not to keep them, older than their retention period."""
        c = consents
        query = (
            sa.select(Recording)
            .join(c, sa.and_(c.c.user_id == Recording.user_id, c.c.purpose == "keep_recordings"))
            .where(
                Recording.status == RecordingStatus.READY.value,
                c.c.granted.is_(False),
                c.c.retention_days.is_not(None),
                # "N days after upload", as the consent says.
                Recording.created_at < sa.literal(now) - sa.func.make_interval(0, 0, 0, c.c.retention_days),
            )
            .order_by(Recording.created_at)
            .limit(limit)
            .with_for_update(of=Recording, skip_locked=True)
        )
        return (await self.session.scalars(query)).all()

    async def delete(self, recording: Recording) -> None:
        await self.session.delete(recording)

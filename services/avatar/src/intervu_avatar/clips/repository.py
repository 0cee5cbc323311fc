"""All SQL of the avatar service."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from intervu_avatar.models import Clip, ClipStatus, ProviderJob, SessionVideo


class ClipRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.db = session

    async def ensure_clip(self, key: str, text: str, persona: str, provider: str, retry_after_s: float) -> bool:
        """The clip row, created pending when new; True when it was new (a cache miss).

        Only what worked is cached for good: a clip that ended degraded (another renderer, the voice alone) or as
        text gets another render when a session needs it again after ``retry_after_s`` (its old files are served
        meanwhile).
        """
        result = await self.db.execute(
            insert(Clip)
            .values(key=key, text=text, persona=persona, provider=provider, status=ClipStatus.PENDING.value,
                    degraded=False, objects={}, attempts=0, errors=[])
            .on_conflict_do_nothing()
            .returning(Clip.key)
        )  # fmt: skip
        if result.scalar_one_or_none() is not None:
            return True
        await self.db.execute(
            sa.update(Clip)
            .where(
                Clip.key == key,
                sa.or_(Clip.degraded, Clip.status == ClipStatus.TEXT_ONLY.value),
                Clip.ready_at < datetime.now(UTC) - timedelta(seconds=retry_after_s),
            )
            .values(status=ClipStatus.PENDING.value, attempts=0)
        )
        return False

    async def add_line(self, line: SessionVideo) -> None:
        await self.db.execute(
            insert(SessionVideo)
            .values(session_id=line.session_id, position=line.position, user_id=line.user_id, persona=line.persona,
                    kind=line.kind, question_id=line.question_id, clip_key=line.clip_key)
            .on_conflict_do_nothing()
        )  # fmt: skip

    async def session_lines(self, session_id: uuid.UUID, user_id: str) -> Sequence[tuple[SessionVideo, Clip]]:
        rows = await self.db.execute(
            sa.select(SessionVideo, Clip)
            .join(Clip, Clip.key == SessionVideo.clip_key)
            .where(SessionVideo.session_id == session_id, SessionVideo.user_id == user_id)
            .order_by(SessionVideo.position)
        )
        return [(line, clip) for line, clip in rows.all()]

    async def claim(self, lease_s: float, max_attempts: int) -> Clip | None:
        """The oldest clip waiting for a renderer (or whose renderer died), leased to this worker.

        SKIP LOCKED: several workers take different clips instead of queueing on the same row.
        """
        now = datetime.now(UTC)
        waiting = (
            sa.select(Clip.key)
            .where(
                sa.or_(
                    Clip.status == ClipStatus.PENDING.value,
                    sa.and_(Clip.status == ClipStatus.RENDERING.value, Clip.lease_until < now),
                ),
                Clip.attempts < max_attempts,
            )
            .order_by(Clip.created_at)
            .limit(1)
            .with_for_update(skip_locked=True)
            .scalar_subquery()
        )
        return await self.db.scalar(
            sa.update(Clip)
            .where(Clip.key == waiting)
            .values(status=ClipStatus.RENDERING.value, lease_until=now + timedelta(seconds=lease_s),
                    attempts=Clip.attempts + 1)
            .returning(Clip)
        )  # fmt: skip

    async def exhausted(self, max_attempts: int) -> Sequence[Clip]:
        """Clips whose renderers kept dying (a crash, not an error): they become text only."""
        return (
            await self.db.scalars(
                sa.select(Clip)
                .where(
                    Clip.status.in_([ClipStatus.PENDING.value, ClipStatus.RENDERING.value]),
                    Clip.attempts >= max_attempts,
                    sa.or_(Clip.lease_until.is_(None), Clip.lease_until < datetime.now(UTC)),
                )
                .with_for_update(skip_locked=True)
            )
        ).all()

    async def finish(self, key: str, **values: Any) -> None:
        await self.db.execute(sa.update(Clip).where(Clip.key == key).values(lease_until=None, **values))

    async def get(self, key: str) -> Clip | None:
        return await self.db.get(Clip, key)

    async def counts(self) -> dict[str, int]:
        rows = await self.db.execute(sa.select(Clip.status, sa.func.count()).group_by(Clip.status))
        return {str(status): int(count) for status, count in rows.all()}


class JobRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.db = session

    async def add(self, job_id: uuid.UUID, provider: str, external_id: str) -> None:
        self.db.add(ProviderJob(id=job_id, provider=provider, external_id=external_id))

    async def get(self, job_id: uuid.UUID, provider: str) -> ProviderJob | None:
        return await self.db.scalar(
            sa.select(ProviderJob).where(ProviderJob.id == job_id, ProviderJob.provider == provider)
        )

    async def result(self, job_id: uuid.UUID) -> dict[str, Any] | None:
        return await self.db.scalar(sa.select(ProviderJob.result).where(ProviderJob.id == job_id))

    async def record_result(self, job_id: uuid.UUID, result: dict[str, Any]) -> None:
        await self.db.execute(
            sa.update(ProviderJob).where(ProviderJob.id == job_id).values(result=result, finished_at=datetime.now(UTC))
        )

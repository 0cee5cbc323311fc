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

    async def ensure_clip(
        self, key: str, text: str, persona: str, provider: str, retry_after_s: float, priority: int = 0
    ) -> bool:
        """The clip row, created pending when new; True when it was new (a cache miss).

        Only what worked is cached for good: a clip that ended degraded (another renderer, the voice alone) or as
        text gets another render when a session needs it again after ``retry_after_s`` (its old files are served
        meanwhile).
        """
        result = await self.db.execute(
            insert(Clip)
            .values(key=key, text=text, persona=persona, provider=provider, status=ClipStatus.PENDING.value,
                    degraded=False, objects={}, attempts=0, errors=[], priority=priority)
            .on_conflict_do_nothing()
            .returning(Clip.key)
        )  # fmt: skip
        if result.scalar_one_or_none() is not None:
            return True
        await self.db.execute(
            sa.update(Clip)
            .where(
                Clip.key == key,
                # Only a finished clip: one being rendered again already is left alone (no second render).
                Clip.status.in_([ClipStatus.READY.value, ClipStatus.TEXT_ONLY.value]),
                sa.or_(Clip.degraded, Clip.status == ClipStatus.TEXT_ONLY.value),
                Clip.ready_at < sa.func.now() - timedelta(seconds=retry_after_s),
            )
            # Queued behind the clips sessions are waiting for now (the old files keep playing meanwhile).
            .values(status=ClipStatus.PENDING.value, attempts=0, created_at=sa.func.clock_timestamp())
        )
        return False

    async def release(self, key: str, lease_token: uuid.UUID | None) -> None:
        """Give a lease back unused (a stopping worker): waiting again, the attempt not counted."""
        await self.db.execute(
            sa.update(Clip)
            .where(Clip.key == key, Clip.lease_token == lease_token, Clip.status == ClipStatus.RENDERING.value)
            .values(status=ClipStatus.PENDING.value, lease_until=None, attempts=sa.func.greatest(Clip.attempts - 1, 0))
        )

    async def requeue(self, key: str, objects: dict[str, str], priority: int = 0) -> bool:
        """A ready clip rendered again from scratch (its files, ``objects``, are gone): pending, no files. Only if
        it still has those files' keys: a render finished meanwhile stays. True when it was queued."""
        result = await self.db.execute(
            sa.update(Clip)
            .where(Clip.key == key, Clip.status == ClipStatus.READY.value, Clip.objects == objects)
            .values(status=ClipStatus.PENDING.value, objects={}, attempts=0, priority=priority,
                    created_at=sa.func.clock_timestamp())
            .returning(Clip.key)
        )  # fmt: skip
        return result.scalar_one_or_none() is not None

    async def add_line(self, line: SessionVideo) -> None:
        await self.db.execute(
            insert(SessionVideo)
            .values(session_id=line.session_id, position=line.position, user_id=line.user_id, persona=line.persona,
                    kind=line.kind, question_id=line.question_id, clip_key=line.clip_key,
                    session_question_id=line.session_question_id)
            .on_conflict_do_nothing()
        )  # fmt: skip

    async def lock_session(self, session_id: uuid.UUID) -> None:
        """Serialise additions to one session's lines until commit (two follow-ups handled at once would take the
        same next position, and the second line would be dropped by the insert's conflict rule)."""
        await self.db.execute(sa.select(sa.func.pg_advisory_xact_lock(sa.func.hashtextextended(str(session_id), 0))))

    async def next_position(self, session_id: uuid.UUID) -> int:
        last = await self.db.scalar(
            sa.select(sa.func.max(SessionVideo.position)).where(SessionVideo.session_id == session_id)
        )
        return int(last or 0) + 1

    async def session_lines(self, session_id: uuid.UUID, user_id: str) -> Sequence[tuple[SessionVideo, Clip]]:
        rows = await self.db.execute(
            sa.select(SessionVideo, Clip)
            .join(Clip, Clip.key == SessionVideo.clip_key)
            .where(SessionVideo.session_id == session_id, SessionVideo.user_id == user_id)
            .order_by(SessionVideo.position)
        )
        return [(line, clip) for line, clip in rows.all()]

    async def planned_for_someone_else(self, session_id: uuid.UUID, user_id: str) -> bool:
        """Whether the session's clips are planned for another person. (Asking "planned for anyone?" after finding
        none of one's own raced the planner: its commit could land between the two reads, and the owner was told
        the session was someone else's.)"""
        found = await self.db.scalar(
            sa.select(SessionVideo.position)
            .where(SessionVideo.session_id == session_id, SessionVideo.user_id != user_id)
            .limit(1)
        )
        return found is not None

    async def claim(self, lease_s: float, max_attempts: int) -> Clip | None:
        """The oldest clip waiting for a renderer (or whose renderer died), leased to this worker.

        SKIP LOCKED: several workers take different clips instead of queueing on the same row. Each claim gets a
        new lease token: only the holder of the current token can finish the clip (a renderer overtaken after
        its lease ran out cannot overwrite the one that took over). Times are the database's, not the workers'.
        """
        now = sa.func.now()
        waiting = (
            sa.select(Clip.key)
            .where(
                sa.or_(
                    Clip.status == ClipStatus.PENDING.value,
                    sa.and_(Clip.status == ClipStatus.RENDERING.value, Clip.lease_until < now),
                ),
                Clip.attempts < max_attempts,
            )
            .order_by(Clip.priority.desc(), Clip.created_at)
            .limit(1)
            .with_for_update(skip_locked=True)
            .scalar_subquery()
        )
        return await self.db.scalar(
            sa.update(Clip)
            .where(Clip.key == waiting)
            .values(status=ClipStatus.RENDERING.value, lease_until=now + timedelta(seconds=lease_s),
                    attempts=Clip.attempts + 1, lease_token=uuid.uuid4())
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
                    sa.or_(Clip.lease_until.is_(None), Clip.lease_until < sa.func.now()),
                )
                .with_for_update(skip_locked=True)
            )
        ).all()

    async def finish(self, key: str, lease_token: uuid.UUID | None, **values: Any) -> bool:
        """Record a render's outcome if ``lease_token`` still holds the lease; False when another took over."""
        query = sa.update(Clip).where(Clip.key == key)
        if lease_token is not None:
            query = query.where(Clip.lease_token == lease_token, Clip.status == ClipStatus.RENDERING.value)
        result = await self.db.execute(query.values(lease_until=None, lease_token=None, **values).returning(Clip.key))
        return result.scalar_one_or_none() is not None

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
        # The first report counts: a replayed or late webhook does not replace it.
        await self.db.execute(
            sa.update(ProviderJob)
            .where(ProviderJob.id == job_id, ProviderJob.result.is_(None))
            .values(result=result, finished_at=datetime.now(UTC))
        )

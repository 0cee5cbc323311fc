"""Every query on practice sessions and answers. Each one is scoped to its owner."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from intervu_interviews.models import Answer, PracticeSession, SessionQuestion


class SessionRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    def add(self, obj: PracticeSession | Answer) -> None:
        self.session.add(obj)

    async def get_owned(self, session_id: uuid.UUID, user_id: str, *, lock: bool = False) -> PracticeSession | None:
        query = sa.select(PracticeSession).where(PracticeSession.id == session_id, PracticeSession.user_id == user_id)
        if lock:
            query = query.with_for_update()
        return await self.session.scalar(query)

    async def page(
        self,
        user_id: str,
        *,
        status: str | None,
        role: str | None,
        created_from: datetime | None,
        created_to: datetime | None,
        offset: int,
        limit: int,
    ) -> tuple[Sequence[PracticeSession], int]:
        clauses: list[Any] = [PracticeSession.user_id == user_id]
        if status:
            clauses.append(PracticeSession.status == status)
        if role:
            clauses.append(PracticeSession.role == role)
        if created_from:
            clauses.append(PracticeSession.created_at >= created_from)
        if created_to:
            clauses.append(PracticeSession.created_at < created_to)
        total = await self.session.scalar(sa.select(sa.func.count()).select_from(PracticeSession).where(*clauses))
        rows = await self.session.scalars(
            sa.select(PracticeSession)
            .where(*clauses)
            .order_by(PracticeSession.created_at.desc(), PracticeSession.id)
            .offset(offset)
            .limit(limit)
        )
        return rows.all(), int(total or 0)

    async def next_attempt(self, session_question_id: uuid.UUID) -> int:
        current = await self.session.scalar(
            sa.select(sa.func.max(Answer.attempt)).where(Answer.session_question_id == session_question_id)
        )
        return int(current or 0) + 1

    async def get_answer_owned(self, answer_id: uuid.UUID, user_id: str) -> Answer | None:
        return await self.session.scalar(sa.select(Answer).where(Answer.id == answer_id, Answer.user_id == user_id))

    async def session_of_answer(self, answer: Answer, *, lock: bool = False) -> PracticeSession | None:
        query = (
            sa.select(PracticeSession)
            .join(SessionQuestion, SessionQuestion.session_id == PracticeSession.id)
            .where(SessionQuestion.id == answer.session_question_id, PracticeSession.user_id == answer.user_id)
        )
        if lock:
            query = query.with_for_update(of=PracticeSession)
        return await self.session.scalar(query)

    async def session_of_question(self, session_question_id: uuid.UUID) -> SessionQuestion | None:
        return await self.session.get(SessionQuestion, session_question_id)

    async def forget_devices(self, user_id: str) -> None:
        await self.session.execute(
            sa.update(PracticeSession).where(PracticeSession.user_id == user_id).values(device=None)
        )

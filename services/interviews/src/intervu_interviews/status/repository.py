"""All SQL of answer statuses."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from intervu_interviews.models import Answer, PracticeSession, SessionQuestion

CHANNEL = "intervu_answer_status"


class StatusRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def answer_owned(self, answer_id: uuid.UUID, user_id: str, *, lock: bool = True) -> Answer | None:
        query = sa.select(Answer).where(Answer.id == answer_id, Answer.user_id == user_id)
        if lock:  # two events for one answer handled at once: the second waits and sees the first
            query = query.with_for_update().execution_options(populate_existing=True)
        return await self.session.scalar(query)

    async def answer_of_recording(self, recording_id: uuid.UUID, user_id: str) -> Answer | None:
        query = sa.select(Answer).where(Answer.recording_id == recording_id, Answer.user_id == user_id)
        return await self.session.scalar(query.with_for_update().execution_options(populate_existing=True))

    async def session_of(self, answer: Answer) -> uuid.UUID | None:
        query = sa.select(SessionQuestion.session_id).where(SessionQuestion.id == answer.session_question_id)
        return await self.session.scalar(query)

    async def owns_session(self, session_id: uuid.UUID, user_id: str) -> bool:
        query = sa.select(PracticeSession.id).where(
            PracticeSession.id == session_id, PracticeSession.user_id == user_id
        )
        return await self.session.scalar(query) is not None

    async def answers_of(self, session_id: uuid.UUID) -> Sequence[Answer]:
        query = (
            sa.select(Answer)
            .join(SessionQuestion, SessionQuestion.id == Answer.session_question_id)
            .where(SessionQuestion.session_id == session_id)
            .order_by(SessionQuestion.position, Answer.attempt)
        )
        return (await self.session.scalars(query)).all()

    async def notify(self, session_id: uuid.UUID) -> None:
        """Wake the session's status streams (sent at commit; never for a rolled-back change)."""
        await self.session.execute(sa.select(sa.func.pg_notify(CHANNEL, str(session_id))))

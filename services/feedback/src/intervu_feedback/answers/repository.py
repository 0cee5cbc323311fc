"""All SQL of the feedback service."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from intervu_feedback.models import AnswerInput, Feedback


class FeedbackRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.db = session

    async def lock_input(self, answer_id: uuid.UUID, user_id: str) -> AnswerInput:
        """The answer's input row, created if missing, locked until commit.

        Its two halves arrive on different subjects and may be handled at the same moment by two workers; the
        row lock makes the second wait and then see the first, so exactly one of them computes the feedback.
        """
        await self.db.execute(insert(AnswerInput).values(answer_id=answer_id, user_id=user_id).on_conflict_do_nothing())
        row = await self.db.scalar(
            sa.select(AnswerInput)
            .where(AnswerInput.answer_id == answer_id)
            .with_for_update()
            .execution_options(populate_existing=True)
        )
        assert row is not None
        return row

    async def input_owned(self, answer_id: uuid.UUID, user_id: str) -> AnswerInput | None:
        return await self.db.scalar(
            sa.select(AnswerInput).where(AnswerInput.answer_id == answer_id, AnswerInput.user_id == user_id)
        )

    async def for_answer(self, answer_id: uuid.UUID, user_id: str | None = None) -> Feedback | None:
        query = sa.select(Feedback).where(Feedback.answer_id == answer_id)
        if user_id is not None:
            query = query.where(Feedback.user_id == user_id)
        return await self.db.scalar(query)

    async def list_owned(
        self, user_id: str, question_id: uuid.UUID | None = None, session_id: uuid.UUID | None = None, limit: int = 100
    ) -> Sequence[Feedback]:
        query = sa.select(Feedback).where(Feedback.user_id == user_id)
        if question_id is not None:
            query = query.where(Feedback.question_id == question_id)
        if session_id is not None:
            query = query.where(Feedback.session_id == session_id)
        return (await self.db.scalars(query.order_by(Feedback.created_at.desc()).limit(limit))).all()

    def add(self, feedback: Feedback) -> None:
        self.db.add(feedback)

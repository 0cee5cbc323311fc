"""All SQL of the interview summary: the session's feedback with its inputs, and the person's earlier sessions."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from intervu_feedback.models import AnswerInput, Feedback


class SummaryRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.db = session

    async def session_feedback(
        self, user_id: str, session_id: uuid.UUID
    ) -> Sequence[tuple[Feedback, AnswerInput | None]]:
        rows = await self.db.execute(
            sa.select(Feedback, AnswerInput)
            .outerjoin(AnswerInput, AnswerInput.answer_id == Feedback.answer_id)
            .where(Feedback.user_id == user_id, Feedback.session_id == session_id)
            .order_by(Feedback.created_at)
        )
        return [(f, a) for f, a in rows.all()]

    async def earlier_sessions(self, user_id: str, session_id: uuid.UUID) -> Sequence[tuple[uuid.UUID, float]]:
        """The person's sessions whose first feedback came before this session's, with their mean overall score."""
        started = (
            sa.select(sa.func.min(Feedback.created_at))
            .where(Feedback.user_id == user_id, Feedback.session_id == session_id)
            .scalar_subquery()
        )
        rows = await self.db.execute(
            sa.select(Feedback.session_id, sa.func.avg(Feedback.overall_score))
            .where(Feedback.user_id == user_id, Feedback.session_id.is_not(None), Feedback.session_id != session_id)
            .group_by(Feedback.session_id)
            .having(sa.func.min(Feedback.created_at) < started)
        )
        return [(sid, float(mean)) for sid, mean in rows.all()]

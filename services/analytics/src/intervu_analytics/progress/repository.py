"""All SQL of answer results."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from intervu_analytics.models import AnswerResult


class ResultRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.db = session

    async def upsert(self, values: dict[str, object]) -> None:
        # Feedback computed again for the same answer replaces the point (the newest report is the truth).
        statement = insert(AnswerResult).values(**values)
        await self.db.execute(
            statement.on_conflict_do_update(
                index_elements=[AnswerResult.answer_id],
                set_={k: statement.excluded[k] for k in values if k != "answer_id"},
                # An older report delivered late never overwrites a newer one.
                where=AnswerResult.completed_at <= statement.excluded.completed_at,
            )
        )

    async def since(self, user_id: str, since: datetime) -> Sequence[AnswerResult]:
        query = sa.select(AnswerResult).where(AnswerResult.user_id == user_id, AnswerResult.completed_at >= since)
        return (await self.db.scalars(query.order_by(AnswerResult.completed_at))).all()

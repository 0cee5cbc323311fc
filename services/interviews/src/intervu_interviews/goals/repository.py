"""All SQL of practice goals."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from intervu_interviews.models import PracticeGoal


class GoalRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.db = session

    async def get(self, user_id: str) -> PracticeGoal | None:
        return await self.db.get(PracticeGoal, user_id)

    async def save(
        self, user_id: str, role: str | None, difficulty: str | None, interview_date: date | None, now: datetime
    ) -> None:
        values = {"role": role, "difficulty": difficulty, "interview_date": interview_date, "updated_at": now}
        await self.db.execute(
            insert(PracticeGoal)
            .values(user_id=user_id, **values)
            .on_conflict_do_update(index_elements=[PracticeGoal.user_id], set_=values)
        )

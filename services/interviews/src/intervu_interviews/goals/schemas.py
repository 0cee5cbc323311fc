from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, ConfigDict

from intervu_interviews.models import Difficulty
from intervu_interviews.questions.schemas import Slug


class GoalIn(BaseModel):
    """What you are preparing for; every field optional (null clears it)."""

    model_config = ConfigDict(extra="forbid")
    role: Slug | None = None
    difficulty: Difficulty | None = None
    interview_date: date | None = None


class GoalOut(BaseModel):
    role: str | None
    role_label: str | None
    difficulty: str | None
    interview_date: date | None
    days_until: int | None  # from today (UTC) to the interview; None without a date
    updated_at: datetime | None

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import BaseModel

from intervu_interviews.models import AnswerStage


class AnswerStatusOut(BaseModel):
    answer_id: uuid.UUID
    session_question_id: uuid.UUID
    attempt: int
    kind: str
    stage: AnswerStage
    share: float  # how far the current stage is, 0..1 (transcription reports it; other stages jump)
    reason: str | None  # why, when rejected or failed
    # The interviewer's decision after it: pending (the answer is being analysed), asked (a follow-up question was
    # added under its main question), none (the interview moves on); null outside an interview's flow.
    follow_up: str | None = None
    updated_at: datetime


class SessionStatusOut(BaseModel):
    session_id: uuid.UUID
    answers: list[AnswerStatusOut]
    done: bool  # every answer ready, rejected or failed: nothing more will change

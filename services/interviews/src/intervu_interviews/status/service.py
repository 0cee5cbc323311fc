"""Moving an answer along its stages as events arrive, and reading a session's statuses."""

from __future__ import annotations

import json
import uuid
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from intervu_interviews.models import Answer, AnswerStage
from intervu_interviews.status.core import FINAL, next_state
from intervu_interviews.status.repository import StatusRepository
from intervu_interviews.status.schemas import AnswerStatusOut, SessionStatusOut


async def move(
    session: AsyncSession, answer: Answer, stage: AnswerStage, share: float = 0.0, reason: str | None = None
) -> bool:
    """Apply one event's stage to the answer (forward only) and wake the session's streams. True when it moved."""
    step = next_state(AnswerStage(answer.stage), answer.stage_share, stage, share)
    if step is None:
        return False
    answer.stage, answer.stage_share = step.stage.value, step.share
    if reason is not None and step.stage in (AnswerStage.REJECTED, AnswerStage.FAILED):
        answer.rejection_reason = reason
    session_id = await StatusRepository(session).session_of(answer)
    if session_id is not None:
        await StatusRepository(session).notify(session_id)
    return True


def _out(answer: Answer) -> AnswerStatusOut:
    return AnswerStatusOut(
        answer_id=answer.id,
        session_question_id=answer.session_question_id,
        attempt=answer.attempt,
        kind=answer.kind,
        stage=AnswerStage(answer.stage),
        share=round(answer.stage_share, 3),
        reason=answer.rejection_reason if answer.stage in (AnswerStage.REJECTED, AnswerStage.FAILED) else None,
        follow_up=answer.follow_up,
        updated_at=answer.updated_at,
    )


async def snapshot(session: AsyncSession, session_id: uuid.UUID) -> SessionStatusOut:
    answers = [_out(a) for a in await StatusRepository(session).answers_of(session_id)]
    return SessionStatusOut(session_id=session_id, answers=answers, done=all(a.stage in FINAL for a in answers))


def as_event(status: SessionStatusOut) -> bytes:
    """One server-sent event carrying the whole session's status (small: a row per answer)."""
    body: dict[str, Any] = status.model_dump(mode="json")
    return f"event: status\ndata: {json.dumps(body, separators=(',', ':'))}\n\n".encode()

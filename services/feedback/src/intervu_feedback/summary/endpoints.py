from __future__ import annotations

import uuid

from fastapi import APIRouter
from intervu_kit.auth import CurrentUser
from intervu_kit.db import SessionDep

from intervu_feedback.summary.repository import SummaryRepository
from intervu_feedback.summary.schemas import InterviewSummary
from intervu_feedback.summary.service import summarise

router = APIRouter(prefix="/sessions", tags=["interview summary"])


@router.get("/{session_id}/summary", response_model=InterviewSummary)
async def interview_summary(session_id: uuid.UUID, user: CurrentUser, session: SessionDep) -> InterviewSummary:
    """The whole interview: scores per competency across its answers (and which answers they come from), the three
    strongest moments and the three things to work on first (each with its evidence), and how it compares with
    your earlier interviews. Answers to follow-ups count like any answer. Someone else's session is a 404."""
    repo = SummaryRepository(session)
    return summarise(
        session_id, await repo.session_feedback(user.id, session_id), await repo.earlier_sessions(user.id, session_id)
    )

from __future__ import annotations

import uuid

from fastapi import APIRouter
from intervu_kit.auth import CurrentUser
from intervu_kit.db import SessionDep

from intervu_feedback.answers.repository import FeedbackRepository
from intervu_feedback.answers.schemas import Comparison, FeedbackOut, FeedbackSummary
from intervu_feedback.answers.service import FeedbackNotFound, compare, get_owned

router = APIRouter(prefix="/answers", tags=["feedback"])


@router.get("", response_model=list[FeedbackSummary])
async def list_feedback(
    user: CurrentUser, session: SessionDep, question_id: uuid.UUID | None = None, session_id: uuid.UUID | None = None
) -> list[FeedbackSummary]:
    """Your feedback, newest first; filter by question to see every attempt at it."""
    rows = await FeedbackRepository(session).list_owned(user.id, question_id, session_id)
    return [
        FeedbackSummary(
            answer_id=r.answer_id,
            feedback_id=r.id,
            question_id=r.question_id,
            session_id=r.session_id,
            attempt=r.attempt,
            source=r.source,
            overall_score=r.overall_score,
            created_at=r.created_at,
        )
        for r in rows
    ]


@router.get("/{answer_id}", response_model=FeedbackOut)
async def get_feedback(answer_id: uuid.UUID, user: CurrentUser, session: SessionDep) -> FeedbackOut:
    """An answer's transcript, scores, remarks (each with its evidence) and coaching. Owner only."""
    data, feedback = await get_owned(session, user.id, answer_id)
    if feedback is None:
        return FeedbackOut(answer_id=answer_id, status="pending", attempt=data.attempt if data else None)
    report = feedback.report
    return FeedbackOut.model_validate(
        {
            "answer_id": answer_id,
            "status": "ready",
            "feedback_id": feedback.id,
            "question_id": feedback.question_id,
            "attempt": feedback.attempt,
            "source": feedback.source,
            "overall_score": feedback.overall_score,
            "scores": report["scores"],
            "remarks": report["remarks"],
            "words": report["words"],
            "filler_indexes": report["filler_indexes"],
            "metrics": {k: report.get(k) for k in ("delivery", "content", "voice", "video")},
            "coaching": feedback.coaching,
            "coaching_provider": feedback.coaching_provider,
            "created_at": feedback.created_at,
        }
    )


@router.get("/{answer_id}/compare/{other_answer_id}", response_model=Comparison)
async def compare_attempts(
    answer_id: uuid.UUID, other_answer_id: uuid.UUID, user: CurrentUser, session: SessionDep
) -> Comparison:
    """How ``answer_id`` (the later attempt) compares with ``other_answer_id`` at the same question."""
    repo = FeedbackRepository(session)
    after = await repo.for_answer(answer_id, user.id)
    before = await repo.for_answer(other_answer_id, user.id)
    if after is None or before is None:
        raise FeedbackNotFound()
    return Comparison.model_validate(compare(before, after))

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Header, Query
from intervu_kit.auth import CurrentUser
from intervu_kit.db import SessionDep
from intervu_kit.paging import Page
from intervu_kit.policy_gate import PolicyAccepted

from intervu_interviews.models import PracticeSession, SessionStatus
from intervu_interviews.questions.service import ROLE_LABELS
from intervu_interviews.sessions.repository import SessionRepository
from intervu_interviews.sessions.schemas import (
    AnswerCreate,
    AnswerOut,
    SessionCreate,
    SessionOut,
    SessionPage,
    SessionSummary,
)
from intervu_interviews.sessions.service import SessionService

router = APIRouter(prefix="/sessions", tags=["practice sessions"])


def _summary_fields(p: PracticeSession) -> dict[str, object]:
    return {
        "id": p.id,
        "status": p.status,
        "role": p.role,
        "type": p.type,
        "difficulty": p.difficulty,
        "from_job_description": p.job_description is not None,
        "interviewer": p.interviewer,
        "device": p.device,
        # The main questions: follow-ups are part of their question's thread.
        "question_count": sum(1 for sq in p.questions if sq.parent_id is None),
        "answered_count": sum(1 for sq in p.questions if sq.parent_id is None and sq.answers),
        "created_at": p.created_at,
        "started_at": p.started_at,
        "ended_at": p.ended_at,
    }


def _out(p: PracticeSession) -> SessionOut:
    inferred = {**p.inferred, "label": ROLE_LABELS.get(p.inferred["role"], p.inferred["role"])} if p.inferred else None
    return SessionOut.model_validate(
        {**_summary_fields(p), "job_description": p.job_description, "inferred": inferred, "questions": p.questions}
    )


@router.post("", status_code=201, response_model=SessionOut)
async def create_session(
    data: SessionCreate,
    user: PolicyAccepted,
    session: SessionDep,
    user_agent: Annotated[str | None, Header(alias="User-Agent")] = None,
) -> SessionOut:
    """Start a practice session from a role (type, difficulty optional) or from a pasted job description.

    With a job description, questions are ranked by relevance to it (sentence embeddings plus shared terms);
    each question carries its relevance score and the terms it matched. With your consent to device information,
    the session keeps the device type, operating system and browser it was started on (`device`).
    """
    practice = await SessionService(session).create(user.id, data, user_agent)
    return _out(practice)


@router.get("", response_model=SessionPage)
async def list_sessions(
    user: CurrentUser,
    session: SessionDep,
    status: SessionStatus | None = None,
    role: str | None = None,
    created_from: datetime | None = None,
    created_to: datetime | None = None,
    page: Page = 1,
    page_size: Annotated[int, Query(ge=1, le=100)] = 20,
) -> SessionPage:
    """Your session history, newest first, with filters."""
    rows, total = await SessionRepository(session).page(
        user.id,
        status=status.value if status else None,
        role=role,
        created_from=created_from,
        created_to=created_to,
        offset=(page - 1) * page_size,
        limit=page_size,
    )
    items = [SessionSummary.model_validate(_summary_fields(p)) for p in rows]
    return SessionPage(items=items, total=total, page=page, page_size=page_size)


@router.get("/{session_id}", response_model=SessionOut)
async def get_session(session_id: uuid.UUID, user: CurrentUser, session: SessionDep) -> SessionOut:
    """One of your sessions with its questions and every attempt at each."""
    return _out(await SessionService(session).get(user.id, session_id))


@router.post("/{session_id}/start", response_model=SessionOut)
async def start_session(session_id: uuid.UUID, user: CurrentUser, session: SessionDep) -> SessionOut:
    return _out(await SessionService(session).transition(user.id, session_id, SessionStatus.IN_PROGRESS))


@router.post("/{session_id}/complete", response_model=SessionOut)
async def complete_session(session_id: uuid.UUID, user: CurrentUser, session: SessionDep) -> SessionOut:
    return _out(await SessionService(session).transition(user.id, session_id, SessionStatus.COMPLETED))


@router.post("/{session_id}/abandon", response_model=SessionOut)
async def abandon_session(session_id: uuid.UUID, user: CurrentUser, session: SessionDep) -> SessionOut:
    return _out(await SessionService(session).transition(user.id, session_id, SessionStatus.ABANDONED))


@router.post("/{session_id}/questions/{session_question_id}/answers", status_code=201, response_model=AnswerOut)
async def create_answer(
    session_id: uuid.UUID, session_question_id: uuid.UUID, data: AnswerCreate, user: PolicyAccepted, session: SessionDep
) -> AnswerOut:
    """Answer a question (or answer it again: each attempt is kept beside the earlier ones).

    A typed answer is stored at once. For a recorded answer, upload the recording to the media service with
    tus, passing this answer's id as the `answer_id` metadata; the answer becomes `recorded` (or `rejected`,
    with the reason) when the media service has validated it.
    """
    answer = await SessionService(session).answer(user.id, session_id, session_question_id, data)
    await session.flush()
    await session.refresh(answer)
    return AnswerOut.model_validate(answer)


@router.get("/answers/{answer_id}", response_model=AnswerOut)
async def get_answer(answer_id: uuid.UUID, user: CurrentUser, session: SessionDep) -> AnswerOut:
    """One of your answers, with the session it belongs to (`session_id`)."""
    answer, session_id = await SessionService(session).get_answer_where(user.id, answer_id)
    return AnswerOut.model_validate(answer).model_copy(update={"session_id": session_id})

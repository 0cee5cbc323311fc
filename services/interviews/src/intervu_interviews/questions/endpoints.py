from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Query
from intervu_kit.auth import CurrentUser, User, require_role
from intervu_kit.db import SessionDep
from intervu_kit.paging import Page

from intervu_interviews.models import Difficulty, QuestionType
from intervu_interviews.questions.repository import QuestionRepository
from intervu_interviews.questions.schemas import (
    QuestionCreate,
    QuestionOut,
    QuestionPage,
    QuestionUpdate,
    RoleSummary,
)
from intervu_interviews.questions.service import QuestionService

router = APIRouter(tags=["question bank"])
Admin = Annotated[User, Depends(require_role("admin"))]


@router.get("/roles", response_model=list[RoleSummary])
async def list_roles(_: CurrentUser, session: SessionDep) -> list[RoleSummary]:
    """Roles with questions, and how many of each type."""
    return [
        RoleSummary(role=role, label=label, questions=sum(types.values()), by_type=types)
        for role, label, types in await QuestionService(session).roles()
    ]


@router.get("/questions", response_model=QuestionPage)
async def list_questions(
    user: CurrentUser,
    session: SessionDep,
    role: str | None = None,
    type: QuestionType | None = None,
    difficulty: Difficulty | None = None,
    q: Annotated[str | None, Query(max_length=100, description="words in the question text")] = None,
    include_retired: bool = False,
    page: Page = 1,
    page_size: Annotated[int, Query(ge=1, le=200)] = 50,
) -> QuestionPage:
    """Browse the question bank. Retired questions are listed for admins only."""
    rows, total = await QuestionRepository(session).page(
        role=role,
        type_=type.value if type else None,
        difficulty=difficulty.value if difficulty else None,
        search=q,
        include_retired=include_retired and user.has_role("admin"),
        offset=(page - 1) * page_size,
        limit=page_size,
    )
    return QuestionPage(
        items=[QuestionOut.model_validate(r) for r in rows], total=total, page=page, page_size=page_size
    )


@router.get("/questions/{question_id}", response_model=QuestionOut)
async def get_question(question_id: uuid.UUID, user: CurrentUser, session: SessionDep) -> QuestionOut:
    question = await QuestionService(session).get(question_id, include_retired=user.has_role("admin"))
    return QuestionOut.model_validate(question)


@router.post("/questions", status_code=201, response_model=QuestionOut)
async def create_question(data: QuestionCreate, _: Admin, session: SessionDep) -> QuestionOut:
    """Add a question (admin)."""
    question = await QuestionService(session).create(data)
    await session.flush()
    return QuestionOut.model_validate(question)


@router.patch("/questions/{question_id}", response_model=QuestionOut)
async def update_question(question_id: uuid.UUID, data: QuestionUpdate, _: Admin, session: SessionDep) -> QuestionOut:
    """Edit a question (admin). An edited shipped question keeps the edit across bank reloads."""
    question = await QuestionService(session).update(question_id, data)
    await session.flush()
    return QuestionOut.model_validate(question)


@router.post("/questions/{question_id}/retire", response_model=QuestionOut)
async def retire_question(question_id: uuid.UUID, _: Admin, session: SessionDep) -> QuestionOut:
    """Retire a question (admin): no new session picks it; past sessions keep it."""
    question = await QuestionService(session).retire(question_id)
    await session.flush()
    return QuestionOut.model_validate(question)


@router.post("/questions/{question_id}/restore", response_model=QuestionOut)
async def restore_question(question_id: uuid.UUID, _: Admin, session: SessionDep) -> QuestionOut:
    question = await QuestionService(session).restore(question_id)
    await session.flush()
    return QuestionOut.model_validate(question)

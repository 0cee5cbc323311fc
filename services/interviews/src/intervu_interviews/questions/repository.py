"""Every query on the question bank."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from intervu_interviews.models import Question


class QuestionRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, question_id: uuid.UUID) -> Question | None:
        return await self.session.get(Question, question_id)

    async def by_keys(self) -> dict[str, Question]:
        rows = await self.session.scalars(sa.select(Question).options(sa.orm.undefer(Question.embedding)))
        return {q.key: q for q in rows}

    def _filters(
        self, role: str | None, type_: str | None, difficulty: str | None, search: str | None, include_retired: bool
    ) -> list[Any]:
        clauses: list[Any] = []
        if role:
            clauses.append(Question.role == role)
        if type_:
            clauses.append(Question.type == type_)
        if difficulty:
            clauses.append(Question.difficulty == difficulty)
        if search:
            escaped = search.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
            clauses.append(Question.text.ilike(f"%{escaped}%", escape="\\"))
        if not include_retired:
            clauses.append(Question.retired_at.is_(None))
        return clauses

    async def page(
        self,
        *,
        role: str | None,
        type_: str | None,
        difficulty: str | None,
        search: str | None,
        include_retired: bool,
        offset: int,
        limit: int,
    ) -> tuple[Sequence[Question], int]:
        clauses = self._filters(role, type_, difficulty, search, include_retired)
        total = await self.session.scalar(sa.select(sa.func.count()).select_from(Question).where(*clauses))
        rows = await self.session.scalars(
            sa.select(Question)
            .where(*clauses)
            .order_by(Question.role, Question.type, Question.key)
            .offset(offset)
            .limit(limit)
        )
        return rows.all(), int(total or 0)

    async def active(
        self,
        *,
        roles: Sequence[str] | None = None,
        type_: str | None = None,
        difficulty: str | None = None,
        keys: Sequence[str] | None = None,
        with_embeddings: bool = False,
    ) -> Sequence[Question]:
        query = sa.select(Question).where(Question.retired_at.is_(None))
        if roles:
            query = query.where(Question.role.in_(roles))
        if keys is not None:
            query = query.where(Question.key.in_(keys))
        if type_:
            query = query.where(Question.type == type_)
        if difficulty:
            query = query.where(Question.difficulty == difficulty)
        if with_embeddings:
            query = query.options(sa.orm.undefer(Question.embedding))
        return (await self.session.scalars(query.order_by(Question.key))).all()

    async def role_counts(self) -> list[tuple[str, str, int]]:
        rows = await self.session.execute(
            sa.select(Question.role, Question.type, sa.func.count())
            .where(Question.retired_at.is_(None))
            .group_by(Question.role, Question.type)
            .order_by(Question.role)
        )
        return [(r[0], r[1], int(r[2])) for r in rows]

    def add(self, question: Question) -> None:
        self.session.add(question)

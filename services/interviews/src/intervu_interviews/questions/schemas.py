from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from intervu_interviews.models import Difficulty, QuestionType

Slug = Annotated[str, StringConstraints(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$", max_length=60)]
Phrase = Annotated[str, StringConstraints(strip_whitespace=True, min_length=2, max_length=300)]


class QuestionBase(BaseModel):
    role: Slug
    type: QuestionType
    difficulty: Difficulty
    text: Annotated[str, StringConstraints(strip_whitespace=True, min_length=10, max_length=1000)]
    competencies: Annotated[list[Phrase], Field(min_length=1, max_length=6)]
    key_points: Annotated[list[Phrase], Field(min_length=3, max_length=6)]
    suggested_seconds: Annotated[int, Field(ge=30, le=600)]


class BankQuestion(QuestionBase):
    """One entry of a shipped bank file."""

    model_config = ConfigDict(extra="forbid")
    key: Annotated[str, StringConstraints(pattern=r"^[a-z0-9-]+/[a-z-]+/[a-z0-9-]+$", max_length=200)]


class QuestionCreate(QuestionBase):
    model_config = ConfigDict(extra="forbid")


class QuestionUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    role: Slug | None = None
    type: QuestionType | None = None
    difficulty: Difficulty | None = None
    text: Annotated[str, StringConstraints(strip_whitespace=True, min_length=10, max_length=1000)] | None = None
    competencies: Annotated[list[Phrase], Field(min_length=1, max_length=6)] | None = None
    key_points: Annotated[list[Phrase], Field(min_length=3, max_length=6)] | None = None
    suggested_seconds: Annotated[int, Field(ge=30, le=600)] | None = None


class QuestionOut(QuestionBase):
    model_config = ConfigDict(from_attributes=True)
    id: uuid.UUID
    key: str
    source: str
    retired_at: datetime | None


class QuestionPage(BaseModel):
    items: list[QuestionOut]
    total: int
    page: int
    page_size: int


class RoleSummary(BaseModel):
    role: str
    label: str
    questions: int
    by_type: dict[str, int]

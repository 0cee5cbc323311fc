"""Tables of the feedback database (and only that database: no service reads another's tables)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from intervu_kit.consents import consent_table
from intervu_kit.db import Base as KitBase
from intervu_kit.db import new_metadata
from intervu_kit.events import event_tables
from intervu_kit.jobs import job_table
from sqlalchemy.dialects.postgresql import JSONB, UUID
from sqlalchemy.orm import Mapped, mapped_column


class Base(KitBase):
    __abstract__ = True
    metadata = new_metadata()


events = event_tables(Base.metadata)
# Leased jobs: one analysis per answer (intervu_kit.jobs).
jobs = job_table(Base.metadata)
ANALYSE_KIND = "analyse"
# Who allowed third-party AI providers to coach their answers (kept from accounts.consent_changed.v1).
consents = consent_table(Base.metadata)


class AnswerInput(Base):
    """What an answer's feedback is computed from, gathered from two events that may arrive in either order:
    the answer (interviews) and, for a recording, its transcript (transcription)."""

    __tablename__ = "answer_inputs"

    answer_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True)
    user_id: Mapped[str] = mapped_column(sa.String(64), index=True)
    session_id: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True), nullable=True)
    question_id: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True), nullable=True)
    attempt: Mapped[int | None] = mapped_column(sa.Integer, nullable=True)
    kind: Mapped[str | None] = mapped_column(sa.String(10), nullable=True)
    question: Mapped[dict[str, Any] | None] = mapped_column(JSONB, nullable=True)
    text: Mapped[str | None] = mapped_column(sa.Text, nullable=True)
    transcript: Mapped[dict[str, Any] | None] = mapped_column(JSONB, nullable=True)
    # The interview around it (persona, session question, its thread, what was asked): the follow-up decision's input.
    interview: Mapped[dict[str, Any] | None] = mapped_column(JSONB, nullable=True)
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), server_default=sa.func.now())


class Feedback(Base):
    __tablename__ = "feedback"
    __table_args__ = (sa.Index("ix_feedback_user_question", "user_id", "question_id", "created_at"),)

    id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True, default=uuid.uuid4)
    answer_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), unique=True)
    user_id: Mapped[str] = mapped_column(sa.String(64))
    session_id: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True), nullable=True)
    question_id: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True), nullable=True)
    attempt: Mapped[int | None] = mapped_column(sa.Integer, nullable=True)
    source: Mapped[str] = mapped_column(sa.String(10))  # "recording" or "text"
    overall_score: Mapped[float] = mapped_column(sa.Float)
    report: Mapped[dict[str, Any]] = mapped_column(JSONB)  # scores, metrics, remarks with evidence, transcript
    coaching: Mapped[dict[str, Any]] = mapped_column(JSONB)
    coaching_provider: Mapped[str] = mapped_column(sa.String(60))
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), server_default=sa.func.now())

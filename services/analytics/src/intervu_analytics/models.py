"""Tables of the analytics database (and only that database: no service reads another's tables)."""

from __future__ import annotations

import uuid
from datetime import datetime

import sqlalchemy as sa
from intervu_kit.db import Base as KitBase
from intervu_kit.db import new_metadata
from intervu_kit.events import event_tables
from sqlalchemy.dialects.postgresql import JSONB, UUID
from sqlalchemy.orm import Mapped, mapped_column


class Base(KitBase):
    __abstract__ = True
    metadata = new_metadata()


events = event_tables(Base.metadata)


class AnswerResult(Base):
    """One answer's outcome, as feedback reported it: the point progress is drawn from."""

    __tablename__ = "answer_results"
    __table_args__ = (sa.Index("ix_answer_results_user_completed", "user_id", "completed_at"),)

    answer_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True)
    user_id: Mapped[str] = mapped_column(sa.String(64))
    feedback_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True))
    session_id: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True), nullable=True)
    question_id: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True), nullable=True)
    attempt: Mapped[int | None] = mapped_column(sa.Integer, nullable=True)
    question_type: Mapped[str | None] = mapped_column(sa.String(20), nullable=True)
    difficulty: Mapped[str | None] = mapped_column(sa.String(10), nullable=True)
    source: Mapped[str] = mapped_column(sa.String(10))
    overall: Mapped[float] = mapped_column(sa.Float)
    scores: Mapped[dict[str, int]] = mapped_column(JSONB)
    wpm: Mapped[float | None] = mapped_column(sa.Float, nullable=True)
    fillers_per_minute: Mapped[float | None] = mapped_column(sa.Float, nullable=True)
    fillers_per_100_words: Mapped[float | None] = mapped_column(sa.Float, nullable=True)
    longest_pause_s: Mapped[float | None] = mapped_column(sa.Float, nullable=True)
    duration_s: Mapped[float | None] = mapped_column(sa.Float, nullable=True)
    completed_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True))

"""Tables of the interviews database (and only that database: no service reads another's tables)."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from intervu_kit.consents import consent_table
from intervu_kit.db import Base as KitBase
from intervu_kit.db import new_metadata
from intervu_kit.events import event_tables
from sqlalchemy.dialects.postgresql import ARRAY, JSONB, UUID
from sqlalchemy.orm import Mapped, mapped_column, relationship


class Base(KitBase):
    __abstract__ = True
    metadata = new_metadata()


events = event_tables(Base.metadata)
# Whether each person allows device information with their sessions (kept from accounts.consent_changed.v1).
consents = consent_table(Base.metadata)


class QuestionType(StrEnum):
    BEHAVIORAL = "behavioral"
    TECHNICAL = "technical"
    SITUATIONAL = "situational"
    MOTIVATIONAL = "motivational"
    ROLE_SPECIFIC = "role-specific"


class Difficulty(StrEnum):
    EASY = "easy"
    MEDIUM = "medium"
    HARD = "hard"


class SessionStatus(StrEnum):
    CREATED = "created"
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"
    ABANDONED = "abandoned"


class AnswerKind(StrEnum):
    RECORDING = "recording"
    TEXT = "text"


class AnswerStage(StrEnum):
    """Where an answer is on its way to feedback: the one status the results page shows (fed by every service's
    events; see ``status/core.py`` for the order and what may follow what)."""

    AWAITING_RECORDING = "awaiting_recording"
    UPLOADING = "uploading"
    CHECKING = "checking"
    TRANSCRIBING = "transcribing"
    ANALYSING = "analysing"
    READY = "ready"
    REJECTED = "rejected"
    FAILED = "failed"


class FollowUpState(StrEnum):
    """The interviewer's decision after an answer given in an interview: waiting for the analysis, a follow-up was
    asked (a new session question under the main one), or none (the interview moves on)."""

    PENDING = "pending"
    ASKED = "asked"
    NONE = "none"


class AnswerStatus(StrEnum):
    AWAITING_RECORDING = "awaiting_recording"  # created; the upload has not finished processing
    RECORDED = "recorded"  # the media service accepted the recording
    SUBMITTED = "submitted"  # a typed answer
    REJECTED = "rejected"  # the recording failed validation


def _now() -> sa.FunctionElement[datetime]:
    return sa.func.now()


class Question(Base):
    __tablename__ = "questions"

    id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True)
    # Shipped questions are keyed "<role>/<type>/<slug>"; the loader upserts by key.
    key: Mapped[str] = mapped_column(sa.String(200), unique=True)
    role: Mapped[str] = mapped_column(sa.String(60), index=True)
    type: Mapped[str] = mapped_column(sa.String(20))
    difficulty: Mapped[str] = mapped_column(sa.String(10))
    text: Mapped[str] = mapped_column(sa.Text)
    competencies: Mapped[list[str]] = mapped_column(JSONB)
    key_points: Mapped[list[str]] = mapped_column(JSONB)
    suggested_seconds: Mapped[int] = mapped_column(sa.Integer)
    source: Mapped[str] = mapped_column(sa.String(10))  # "bank" (shipped) or "admin"
    # An admin edit of a shipped question wins over the next bank load.
    customized: Mapped[bool] = mapped_column(sa.Boolean, server_default=sa.false())
    embedding: Mapped[list[float] | None] = mapped_column(ARRAY(sa.REAL), nullable=True, deferred=True)
    retired_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True), nullable=True)
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), server_default=_now())
    updated_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), server_default=_now(), onupdate=_now())


class PracticeSession(Base):
    __tablename__ = "practice_sessions"
    __table_args__ = (sa.Index("ix_practice_sessions_user_created", "user_id", "created_at"),)

    id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True, default=uuid.uuid4)
    user_id: Mapped[str] = mapped_column(sa.String(64))
    status: Mapped[str] = mapped_column(sa.String(20), default=SessionStatus.CREATED.value)
    role: Mapped[str | None] = mapped_column(sa.String(60), nullable=True)
    type: Mapped[str | None] = mapped_column(sa.String(20), nullable=True)
    difficulty: Mapped[str | None] = mapped_column(sa.String(10), nullable=True)
    job_description: Mapped[str | None] = mapped_column(sa.Text, nullable=True)
    interviewer: Mapped[str | None] = mapped_column(sa.String(20), nullable=True)
    # A job description's reading: {"role", "alternatives", "skills"}; none when the person chose the role.
    inferred: Mapped[dict[str, Any] | None] = mapped_column(JSONB, nullable=True)
    # Type, OS and browser: only with the person's consent (cleared when they withdraw it).
    device: Mapped[dict[str, str | None] | None] = mapped_column(JSONB, nullable=True)
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), server_default=_now())
    started_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True), nullable=True)
    ended_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True), nullable=True)

    questions: Mapped[list[SessionQuestion]] = relationship(
        order_by="[SessionQuestion.position, SessionQuestion.depth]", lazy="selectin", cascade="all, delete-orphan"
    )


class SessionQuestion(Base):
    __tablename__ = "session_questions"
    # A follow-up shares its main question's position, one level deeper (depth 1, 2...).
    __table_args__ = (sa.UniqueConstraint("session_id", "position", "depth", name="uq_session_questions_position"),)

    id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True, default=uuid.uuid4)
    session_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("practice_sessions.id", ondelete="CASCADE"), index=True)
    # A follow-up points at its main question's bank question (its competencies and type), with its own words.
    question_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("questions.id"))
    position: Mapped[int] = mapped_column(sa.Integer)
    relevance: Mapped[float | None] = mapped_column(sa.Float, nullable=True)
    matched_terms: Mapped[list[str]] = mapped_column(JSONB, default=list)
    # --- follow-ups (none of these on a main question) ---
    parent_id: Mapped[uuid.UUID | None] = mapped_column(
        sa.ForeignKey("session_questions.id", ondelete="CASCADE"), nullable=True, index=True
    )
    depth: Mapped[int] = mapped_column(sa.Integer, server_default="0", default=0)
    prompt: Mapped[str | None] = mapped_column(sa.Text, nullable=True)  # the follow-up question
    spoken: Mapped[str | None] = mapped_column(sa.Text, nullable=True)  # an acknowledgement, then the question
    probe: Mapped[str | None] = mapped_column(sa.String(20), nullable=True)  # result, own_part, depth_scale...
    reason: Mapped[str | None] = mapped_column(sa.Text, nullable=True)
    evidence: Mapped[dict[str, Any] | None] = mapped_column(JSONB, nullable=True)  # {first, last, text}
    from_answer_id: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True), nullable=True)
    decided_by: Mapped[str | None] = mapped_column(sa.String(40), nullable=True)

    question: Mapped[Question] = relationship(lazy="selectin")
    answers: Mapped[list[Answer]] = relationship(
        order_by="Answer.attempt", lazy="selectin", cascade="all, delete-orphan"
    )


class Answer(Base):
    __tablename__ = "answers"
    __table_args__ = (sa.UniqueConstraint("session_question_id", "attempt", name="uq_answers_attempt"),)

    id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True, default=uuid.uuid4)
    session_question_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("session_questions.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[str] = mapped_column(sa.String(64), index=True)
    attempt: Mapped[int] = mapped_column(sa.Integer)
    kind: Mapped[str] = mapped_column(sa.String(10))
    status: Mapped[str] = mapped_column(sa.String(20))
    text: Mapped[str | None] = mapped_column(sa.Text, nullable=True)
    recording_id: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True), nullable=True)
    rejection_code: Mapped[str | None] = mapped_column(sa.String(40), nullable=True)
    rejection_reason: Mapped[str | None] = mapped_column(sa.Text, nullable=True)
    # The pipeline's one status for this answer, and how far its current stage is (0..1).
    stage: Mapped[str] = mapped_column(sa.String(20), server_default=AnswerStage.READY.value)
    stage_share: Mapped[float] = mapped_column(sa.Float, server_default="0")
    # The interviewer's follow-up decision on this answer (FollowUpState); none outside an interview.
    follow_up: Mapped[str | None] = mapped_column(sa.String(10), nullable=True)
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), server_default=_now())
    updated_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), server_default=_now(), onupdate=_now())


class PracticeGoal(Base):
    """What a person is preparing for: a role, a level and the date of the real interview (each optional). The
    practice setup starts from it; notifications words reminders with it (``interviews.goal_changed.v1``)."""

    __tablename__ = "practice_goals"

    user_id: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    role: Mapped[str | None] = mapped_column(sa.String(60), nullable=True)
    difficulty: Mapped[str | None] = mapped_column(sa.String(10), nullable=True)
    interview_date: Mapped[date | None] = mapped_column(sa.Date, nullable=True)
    updated_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True))

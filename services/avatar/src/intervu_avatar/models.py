"""Tables of the avatar database (and only that database: no service reads another's tables)."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Any

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


class ClipStatus(StrEnum):
    PENDING = "pending"
    RENDERING = "rendering"
    READY = "ready"  # a video, or (degraded) the voice alone: see ``kind``
    TEXT_ONLY = "text_only"  # every renderer failed: the page shows the words


class Clip(Base):
    """One thing the interviewer says, rendered once: addressed by its words, persona and renderer.

    Clips hold no personal data (question text from the bank, the persona's own lines), so sessions share them.
    """

    __tablename__ = "clips"

    key: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    text: Mapped[str] = mapped_column(sa.Text)
    persona: Mapped[str] = mapped_column(sa.String(20))
    provider: Mapped[str] = mapped_column(sa.String(20))  # the renderer asked for (part of the key)
    status: Mapped[str] = mapped_column(sa.String(12), default=ClipStatus.PENDING.value, index=True)
    kind: Mapped[str | None] = mapped_column(sa.String(8), nullable=True)  # video | audio
    rendered_by: Mapped[str | None] = mapped_column(sa.String(20), nullable=True)
    degraded: Mapped[bool] = mapped_column(sa.Boolean, default=False)
    objects: Mapped[dict[str, str]] = mapped_column(JSONB, default=dict)  # file name -> storage key
    duration_s: Mapped[float | None] = mapped_column(sa.Float, nullable=True)
    speech_s: Mapped[float | None] = mapped_column(sa.Float, nullable=True)
    render_s: Mapped[float | None] = mapped_column(sa.Float, nullable=True)
    attempts: Mapped[int] = mapped_column(sa.Integer, default=0)
    # Higher renders first: a follow-up a person is waiting for (1) before clips planned ahead of time (0).
    priority: Mapped[int] = mapped_column(sa.Integer, server_default="0", default=0)
    lease_until: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True), nullable=True)
    lease_token: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True), nullable=True)
    errors: Mapped[list[str]] = mapped_column(JSONB, default=list)
    # clock_timestamp, not now(): a session's clips are inserted in one transaction, in the order they are said,
    # and the render loop takes the oldest first, so the intro and the first question are ready first.
    created_at: Mapped[datetime] = mapped_column(
        sa.DateTime(timezone=True), server_default=sa.text("clock_timestamp()")
    )
    ready_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True), nullable=True)


class SessionVideo(Base):
    """A session's script: what the interviewer says, in order, each line pointing at its clip."""

    __tablename__ = "session_videos"

    session_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True)
    position: Mapped[int] = mapped_column(sa.Integer, primary_key=True)
    user_id: Mapped[str] = mapped_column(sa.String(64), index=True)
    persona: Mapped[str] = mapped_column(sa.String(20))
    kind: Mapped[str] = mapped_column(sa.String(12))  # intro | question | transition | closing | follow_up
    question_id: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True), nullable=True)
    # A follow-up's session question (interviews' id): the page plays the line asking it.
    session_question_id: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True), nullable=True)
    clip_key: Mapped[str] = mapped_column(sa.ForeignKey("clips.key"), index=True)
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), server_default=sa.func.now())


class ProviderJob(Base):
    """A cloud render in flight: where its webhook lands and the waiting worker looks."""

    __tablename__ = "provider_jobs"

    id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True)
    provider: Mapped[str] = mapped_column(sa.String(20))
    external_id: Mapped[str] = mapped_column(sa.String(200))
    result: Mapped[dict[str, Any] | None] = mapped_column(JSONB, nullable=True)
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), server_default=sa.func.now())
    finished_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True), nullable=True)

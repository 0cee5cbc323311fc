"""Tables of the transcription database (and only that database: no service reads another's tables)."""

from __future__ import annotations

import uuid
from datetime import datetime

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
# Leased jobs: one transcription per recording (intervu_kit.jobs).
jobs = job_table(Base.metadata)
TRANSCRIBE_KIND = "transcribe"
# Who allowed a third-party speech-to-text provider to hear their answers (kept from accounts.consent_changed.v1).
consents = consent_table(Base.metadata)


class TranscriptRow(Base):
    __tablename__ = "transcripts"

    id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True, default=uuid.uuid4)
    recording_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), unique=True)
    user_id: Mapped[str] = mapped_column(sa.String(64), index=True)
    answer_id: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True), nullable=True, index=True)
    status: Mapped[str] = mapped_column(sa.String(20))  # "completed" or "failed"
    provider: Mapped[str] = mapped_column(sa.String(60))
    language: Mapped[str | None] = mapped_column(sa.String(10), nullable=True)
    text: Mapped[str] = mapped_column(sa.Text, default="")
    words: Mapped[list[dict[str, object]]] = mapped_column(JSONB, default=list)
    speech: Mapped[list[list[float]]] = mapped_column(JSONB, default=list)
    duration_s: Mapped[float | None] = mapped_column(sa.Float, nullable=True)
    error: Mapped[str | None] = mapped_column(sa.Text, nullable=True)
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), server_default=sa.func.now())


class TranscriptionProgress(Base):
    """How far the transcription of a recording is, updated while it runs (in its own short transactions) so the
    app can draw a progress bar for a long answer."""

    __tablename__ = "transcription_progress"

    recording_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True)
    user_id: Mapped[str] = mapped_column(sa.String(64), index=True)
    status: Mapped[str] = mapped_column(sa.String(20))  # transcribing, completed, failed
    share: Mapped[float] = mapped_column(sa.Float, default=0.0)
    updated_at: Mapped[datetime] = mapped_column(
        sa.DateTime(timezone=True), server_default=sa.func.now(), onupdate=sa.func.now()
    )

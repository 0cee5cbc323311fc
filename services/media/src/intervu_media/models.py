"""Tables of the media database (and only that database: no service reads another's tables)."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

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
# Leased jobs: processing an upload (intervu_kit.jobs).
jobs = job_table(Base.metadata)
PROCESS_KIND = "process_recording"
# Whether each person keeps recordings, or for how many days (kept from accounts.consent_changed.v1).
consents = consent_table(Base.metadata)


class RecordingStatus(StrEnum):
    UPLOADING = "uploading"  # tus upload in progress
    PROCESSING = "processing"  # all bytes in; validation and remux running
    READY = "ready"  # valid, remuxed, audio extracted
    REJECTED = "rejected"  # invalid: bytes deleted, reason kept
    EXPIRED = "expired"  # upload abandoned past its expiry: bytes deleted
    # The person chose not to keep recordings: deleted after their retention period (transcript and feedback stay).
    PURGED = "purged"


class Recording(Base):
    """One answer recording, from its first tus byte to playback."""

    __tablename__ = "recordings"
    __table_args__ = (sa.Index("ix_recordings_user_status", "user_id", "status"),)

    id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True, default=uuid.uuid4)
    user_id: Mapped[str] = mapped_column(sa.String(64))
    status: Mapped[str] = mapped_column(sa.String(20))
    answer_id: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True), nullable=True, index=True)
    session_id: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True), nullable=True)
    filename: Mapped[str | None] = mapped_column(sa.String(255), nullable=True)
    declared_type: Mapped[str | None] = mapped_column(sa.String(100), nullable=True)
    # tus state
    upload_length: Mapped[int | None] = mapped_column(sa.BigInteger, nullable=True)  # None: deferred
    upload_offset: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    multipart_id: Mapped[str | None] = mapped_column(sa.String(200), nullable=True)
    parts: Mapped[list[dict[str, object]]] = mapped_column(JSONB, default=list)
    tail_size: Mapped[int] = mapped_column(sa.Integer, default=0)
    expires_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True), nullable=True)
    # what validation found
    container: Mapped[str | None] = mapped_column(sa.String(50), nullable=True)
    audio_codec: Mapped[str | None] = mapped_column(sa.String(30), nullable=True)
    video_codec: Mapped[str | None] = mapped_column(sa.String(30), nullable=True)
    duration_s: Mapped[float | None] = mapped_column(sa.Float, nullable=True)
    media_key: Mapped[str | None] = mapped_column(sa.String(300), nullable=True)
    media_type: Mapped[str | None] = mapped_column(sa.String(50), nullable=True)
    media_size: Mapped[int | None] = mapped_column(sa.BigInteger, nullable=True)
    audio_key: Mapped[str | None] = mapped_column(sa.String(300), nullable=True)
    peak_db: Mapped[float | None] = mapped_column(sa.Float, nullable=True)
    rejection_code: Mapped[str | None] = mapped_column(sa.String(40), nullable=True)
    rejection_reason: Mapped[str | None] = mapped_column(sa.Text, nullable=True)
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), server_default=sa.func.now())
    updated_at: Mapped[datetime] = mapped_column(
        sa.DateTime(timezone=True), server_default=sa.func.now(), onupdate=sa.func.now()
    )
    ready_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True), nullable=True)
    purged_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True), nullable=True)

    @property
    def prefix(self) -> str:
        return f"recordings/{self.user_id}/{self.id}"

    @property
    def original_key(self) -> str:
        return f"{self.prefix}/original"

    @property
    def tail_key(self) -> str:
        return f"{self.prefix}/upload-tail"

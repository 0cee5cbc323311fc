"""Tables of the accounts database (and only that database: no service reads another's tables)."""

from __future__ import annotations

import uuid
from datetime import datetime

import sqlalchemy as sa
from intervu_kit.db import Base as KitBase
from intervu_kit.db import new_metadata
from intervu_kit.events import event_tables
from sqlalchemy.dialects.postgresql import UUID
from sqlalchemy.orm import Mapped, mapped_column


class Base(KitBase):
    __abstract__ = True
    metadata = new_metadata()


events = event_tables(Base.metadata)


class Consent(Base):
    """A person's current answer for one purpose. No row: not granted (privacy by default)."""

    __tablename__ = "consents"

    user_id: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    purpose: Mapped[str] = mapped_column(sa.String(32), primary_key=True)
    granted: Mapped[bool] = mapped_column(sa.Boolean)
    retention_days: Mapped[int | None] = mapped_column(sa.Integer, nullable=True)
    changed_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True))


class ConsentChange(Base):
    """Every change, kept: when a person granted or withdrew what (the proof the policy asks for)."""

    __tablename__ = "consent_changes"
    __table_args__ = (sa.Index("ix_consent_changes_user_changed", "user_id", "changed_at"),)

    id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True, default=uuid.uuid4)
    user_id: Mapped[str] = mapped_column(sa.String(64))
    purpose: Mapped[str] = mapped_column(sa.String(32))
    granted: Mapped[bool] = mapped_column(sa.Boolean)
    retention_days: Mapped[int | None] = mapped_column(sa.Integer, nullable=True)
    changed_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True))

"""Tables of the accounts database (and only that database: no service reads another's tables)."""

from __future__ import annotations

import uuid
from datetime import datetime

import sqlalchemy as sa
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
# Leased jobs: assembling an export's ZIP (intervu_kit.jobs).
jobs = job_table(Base.metadata)
ASSEMBLE_KIND = "assemble_export"


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


class DeletionRequest(Base):
    """A person's request to delete their account and data, from the request to the last confirmation. Removed
    when the deletion completes: what remains is the receipt, which holds no personal data."""

    __tablename__ = "deletion_requests"
    # One open request per person (a new one can follow a cancelled or expired one).
    __table_args__ = (
        sa.Index(
            "uq_deletion_requests_open_user",
            "user_id",
            unique=True,
            postgresql_where=sa.text("status IN ('awaiting_confirmation', 'scheduled', 'in_progress')"),
        ),
    )

    id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True, default=uuid.uuid4)
    user_id: Mapped[str] = mapped_column(sa.String(64), index=True)
    # awaiting_confirmation -> scheduled (grace period) -> in_progress -> (row removed, receipt written);
    # or cancelled / expired (never confirmed).
    status: Mapped[str] = mapped_column(sa.String(32))
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True))
    confirm_before: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True))
    confirmed_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True), nullable=True)
    grace_ends_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True), nullable=True)
    # The policy's promise: everything deleted within this many days of the confirmed request.
    deadline_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True), nullable=True)
    started_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True), nullable=True)
    ended_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True), nullable=True)
    overdue_reported_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True), nullable=True)
    # The second round was asked for (every service confirmed the first): completion waits for its answers.
    swept_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True), nullable=True)
    keycloak_error: Mapped[str | None] = mapped_column(sa.Text, nullable=True)
    # Who started it: the person ("person"), or an operator acting on a report ("operator": who, and why; e.g. a
    # person reported to be under 17). The audit trail of an erasure nobody asked for themselves.
    started_by: Mapped[str] = mapped_column(sa.String(16), server_default="person")
    operator_id: Mapped[str | None] = mapped_column(sa.String(64), nullable=True)
    operator_reason: Mapped[str | None] = mapped_column(sa.String(32), nullable=True)
    operator_note: Mapped[str | None] = mapped_column(sa.Text, nullable=True)


class DeletionConfirmation(Base):
    """One service's part of a deletion in progress: how often it was asked, and its confirmation."""

    __tablename__ = "deletion_confirmations"

    deletion_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("deletion_requests.id", ondelete="CASCADE"), primary_key=True
    )
    service: Mapped[str] = mapped_column(sa.String(32), primary_key=True)
    requests_sent: Mapped[int] = mapped_column(sa.Integer, default=0)
    last_sent_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True), nullable=True)
    confirmed_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True), nullable=True)
    rows: Mapped[int | None] = mapped_column(sa.Integer, nullable=True)
    objects: Mapped[int | None] = mapped_column(sa.Integer, nullable=True)


class DeletionReceipt(Base):
    """Proof that a deletion completed, holding no personal data: the request's id, its times, and per service
    how often it was asked and what it deleted (counts)."""

    __tablename__ = "deletion_receipts"

    deletion_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True)
    confirmed_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True))
    started_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True))
    completed_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True))
    deadline_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True))
    services: Mapped[dict[str, dict[str, object]]] = mapped_column(JSONB)
    identity_deleted: Mapped[bool] = mapped_column(sa.Boolean)
    swept_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True), nullable=True)
    # An operator-started deletion keeps who started it and why (staff, not the person: no personal data).
    started_by: Mapped[str] = mapped_column(sa.String(16), server_default="person")
    operator_id: Mapped[str | None] = mapped_column(sa.String(64), nullable=True)
    operator_reason: Mapped[str | None] = mapped_column(sa.String(32), nullable=True)


class Export(Base):
    """A person's export: collected from every service, zipped, downloadable for a while, then removed."""

    __tablename__ = "exports"
    __table_args__ = (sa.Index("ix_exports_user_requested", "user_id", "requested_at"),)

    id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True, default=uuid.uuid4)
    user_id: Mapped[str] = mapped_column(sa.String(64))
    status: Mapped[str] = mapped_column(sa.String(16))  # collecting -> ready -> expired; or failed
    requested_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True))
    last_asked_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True))
    times_asked: Mapped[int] = mapped_column(sa.Integer, default=1)
    ready_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True), nullable=True)
    expires_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True), nullable=True)
    object_key: Mapped[str | None] = mapped_column(sa.String(300), nullable=True)
    size: Mapped[int | None] = mapped_column(sa.BigInteger, nullable=True)
    error: Mapped[str | None] = mapped_column(sa.Text, nullable=True)


class ExportPart(Base):
    """One service's answer to an export request: the files it wrote or points at, and its counts."""

    __tablename__ = "export_parts"

    export_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("exports.id", ondelete="CASCADE"), primary_key=True)
    service: Mapped[str] = mapped_column(sa.String(32), primary_key=True)
    files: Mapped[list[dict[str, object]]] = mapped_column(JSONB)
    counts: Mapped[dict[str, int]] = mapped_column(JSONB)
    received_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True))


class PolicyVersion(Base):
    """A published version of the privacy policy (Markdown). Versions are never edited: a change is a new one."""

    __tablename__ = "policy_versions"

    version: Mapped[int] = mapped_column(sa.Integer, primary_key=True, autoincrement=False)
    markdown: Mapped[str] = mapped_column(sa.Text)
    summary: Mapped[str | None] = mapped_column(sa.Text, nullable=True)
    sha256: Mapped[str] = mapped_column(sa.String(64))
    published_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True))


class PolicyAcceptance(Base):
    """A person accepted a version, at that time (kept: the history the policy promises)."""

    __tablename__ = "policy_acceptances"

    user_id: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    version: Mapped[int] = mapped_column(sa.ForeignKey("policy_versions.version"), primary_key=True)
    accepted_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True))

"""Tables of the notifications database (and only that database: no service reads another's tables)."""

from __future__ import annotations

import uuid
from datetime import date, datetime

import sqlalchemy as sa
from intervu_kit.consents import consent_table
from intervu_kit.db import Base as KitBase
from intervu_kit.db import new_metadata
from intervu_kit.events import event_tables
from sqlalchemy.dialects.postgresql import UUID
from sqlalchemy.orm import Mapped, mapped_column


class Base(KitBase):
    __abstract__ = True
    metadata = new_metadata()


events = event_tables(Base.metadata)
# Whether each person allows notifications beyond the app itself (email), from accounts.consent_changed.v1.
consents = consent_table(Base.metadata)


class Notification(Base):
    """One notice in a person's inbox (always), and whether it was also emailed (only with permission)."""

    __tablename__ = "notifications"
    __table_args__ = (
        # An event delivered twice, or a fan-out resumed after a failure, never notifies twice.
        sa.UniqueConstraint("user_id", "dedupe_key", name="uq_notifications_user_dedupe"),
        sa.Index("ix_notifications_user_created", "user_id", "created_at"),
    )

    id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True, default=uuid.uuid4)
    user_id: Mapped[str] = mapped_column(sa.String(64))
    kind: Mapped[str] = mapped_column(sa.String(32))  # feedback_ready, export_ready, policy_changed
    dedupe_key: Mapped[str] = mapped_column(sa.String(200))
    title: Mapped[str] = mapped_column(sa.String(200))
    body: Mapped[str] = mapped_column(sa.Text)
    link: Mapped[str | None] = mapped_column(sa.String(500), nullable=True)  # a path in the web app
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True))
    read_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True), nullable=True)
    # sent, or why not: no_consent, email_off, kind_off, no_address, not_configured, failed
    email: Mapped[str] = mapped_column(sa.String(20))
    email_error: Mapped[str | None] = mapped_column(sa.Text, nullable=True)
    # Pushed to the person's browsers: sent, or why not (as for email, plus no_subscription).
    push: Mapped[str] = mapped_column(sa.String(20), server_default="pending")
    push_error: Mapped[str | None] = mapped_column(sa.Text, nullable=True)


class Preferences(Base):
    """What a person wants emailed (the inbox in the app always has everything)."""

    __tablename__ = "notification_preferences"

    user_id: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    email: Mapped[bool] = mapped_column(sa.Boolean, default=True)
    feedback_ready: Mapped[bool] = mapped_column(sa.Boolean, default=True)
    export_ready: Mapped[bool] = mapped_column(sa.Boolean, default=True)
    push: Mapped[bool] = mapped_column(sa.Boolean, default=True, server_default=sa.true())
    # A reminder when this many days pass without practice (0: no reminders).
    remind_after_days: Mapped[int] = mapped_column(sa.Integer, default=3, server_default="3")
    updated_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True))


class PushSubscription(Base):
    """A browser's push subscription (the Push API's endpoint and keys), one per browser a person allowed."""

    __tablename__ = "push_subscriptions"

    id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True, default=uuid.uuid4)
    user_id: Mapped[str] = mapped_column(sa.String(64), index=True)
    endpoint: Mapped[str] = mapped_column(sa.String(1000), unique=True)
    p256dh: Mapped[str] = mapped_column(sa.String(200))
    auth: Mapped[str] = mapped_column(sa.String(100))
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True))


class PracticeActivity(Base):
    """When a person last practised (their last feedback), and when they were last reminded."""

    __tablename__ = "practice_activity"

    user_id: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    last_practised_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True))
    reminded_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True), nullable=True)


class InterviewGoal(Base):
    """The interview a person prepares for (``interviews.goal_changed.v1``): reminders count down to its date."""

    __tablename__ = "interview_goals"

    user_id: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    role_label: Mapped[str | None] = mapped_column(sa.String(120), nullable=True)
    interview_date: Mapped[date | None] = mapped_column(sa.Date, nullable=True)
    changed_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True))

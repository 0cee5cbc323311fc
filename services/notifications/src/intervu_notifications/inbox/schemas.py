from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import BaseModel, ConfigDict


class NotificationOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    kind: str
    title: str
    body: str
    link: str | None
    created_at: datetime
    read_at: datetime | None
    email: str  # sent, or why not (no_consent, email_off, kind_off, not_configured, failed...)


class Inbox(BaseModel):
    items: list[NotificationOut]
    unread: int


class PreferencesOut(BaseModel):
    """What is emailed to you. Email also needs your consent to notifications (in your account's consents); the
    inbox in the app always shows everything, and policy changes are always emailed when email is allowed."""

    model_config = ConfigDict(from_attributes=True)

    email: bool = True
    feedback_ready: bool = True
    export_ready: bool = True


class PreferencesUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    email: bool | None = None
    feedback_ready: bool | None = None
    export_ready: bool | None = None

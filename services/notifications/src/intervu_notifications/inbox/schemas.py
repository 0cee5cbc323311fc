from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field, field_validator

from intervu_notifications.inbox.push import MAX_ENDPOINT_LENGTH


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
    push: str  # the same for web push (and no_subscription)


class Inbox(BaseModel):
    items: list[NotificationOut]
    unread: int


class PreferencesOut(BaseModel):
    """What is emailed or pushed to you. Both also need your consent to notifications (in your account's
    consents); the inbox in the app always shows everything, and policy changes are always sent when a channel is
    on."""

    model_config = ConfigDict(from_attributes=True)

    email: bool = True
    push: bool = True
    feedback_ready: bool = True
    export_ready: bool = True
    remind_after_days: int | None = 3  # a practice reminder after this many days without practice; None: never

    @field_validator("remind_after_days", mode="before")
    @classmethod
    def _never(cls, value: int | None) -> int | None:
        return None if value == 0 else value  # stored as 0


class PreferencesUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    email: bool | None = None
    push: bool | None = None
    feedback_ready: bool | None = None
    export_ready: bool | None = None
    remind_after_days: int | None = Field(default=None, ge=1, le=60)
    no_reminders: bool = False  # turn reminders off (remind_after_days cannot say None: left out means unchanged)


class PushKeys(BaseModel):
    model_config = ConfigDict(extra="forbid")
    p256dh: str = Field(min_length=80, max_length=200, pattern=r"^[A-Za-z0-9_-]+=*$")
    auth: str = Field(min_length=16, max_length=100, pattern=r"^[A-Za-z0-9_-]+=*$")


class PushSubscriptionIn(BaseModel):
    """What the browser's `PushSubscription.toJSON()` gives."""

    model_config = ConfigDict(extra="ignore")  # browsers add expirationTime
    # The length limit is documented here but enforced by `Pusher.check_endpoint`, so an over-long endpoint is
    # refused like any other unusable one: 422 push_endpoint_not_allowed.
    endpoint: str = Field(json_schema_extra={"maxLength": MAX_ENDPOINT_LENGTH})
    keys: PushKeys


class PushSubscriptionOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: uuid.UUID
    endpoint: str
    created_at: datetime


class PushKey(BaseModel):
    """The application server key for `pushManager.subscribe({applicationServerKey})` (base64url)."""

    public_key: str

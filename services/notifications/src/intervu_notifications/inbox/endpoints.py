from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, status
from intervu_kit.auth import CurrentUser
from intervu_kit.db import SessionDep
from intervu_kit.errors import Conflict, NotFound
from intervu_kit.paging import Offset
from intervu_kit.policy_gate import PolicyAccepted

from intervu_notifications.config import Settings
from intervu_notifications.inbox.push import Pusher
from intervu_notifications.inbox.push import PushNotConfigured as PushNotConfiguredError
from intervu_notifications.inbox.repository import InboxRepository
from intervu_notifications.inbox.schemas import (
    Inbox,
    NotificationOut,
    PreferencesOut,
    PreferencesUpdate,
    PushKey,
    PushSubscriptionIn,
    PushSubscriptionOut,
)
from intervu_notifications.models import Preferences, PushSubscription

router = APIRouter(tags=["notifications"])


class NotificationNotFound(NotFound):
    code = "notification_not_found"
    message = "No such notification."


class PushEndpointTaken(Conflict):
    code = "push_endpoint_taken"
    message = (
        "This browser's push subscription belongs to another account: turn notifications off and on again in this"
        " browser to subscribe it afresh."
    )


@router.get("/inbox", response_model=Inbox)
async def inbox(
    user: CurrentUser,
    session: SessionDep,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Offset = 0,
) -> Inbox:
    """Your notifications, newest first, and how many are unread."""
    repo = InboxRepository(session)
    items = [NotificationOut.model_validate(n) for n in await repo.inbox(user.id, limit, offset)]
    return Inbox(items=items, unread=await repo.unread(user.id))


@router.post("/inbox/{notice_id}/read", response_model=NotificationOut)
async def mark_read(notice_id: uuid.UUID, user: CurrentUser, session: SessionDep) -> NotificationOut:
    repo = InboxRepository(session)
    await repo.mark_read(user.id, notice_id, datetime.now(UTC))
    notice = await repo.owned(user.id, notice_id)
    if notice is None:
        raise NotificationNotFound()
    await session.refresh(notice)
    return NotificationOut.model_validate(notice)


@router.post("/inbox/read-all", response_model=Inbox)
async def mark_all_read(user: CurrentUser, session: SessionDep) -> Inbox:
    repo = InboxRepository(session)
    await repo.mark_read(user.id, None, datetime.now(UTC))
    return Inbox(items=[NotificationOut.model_validate(n) for n in await repo.inbox(user.id, 50, 0)], unread=0)


@router.get("/preferences", response_model=PreferencesOut)
async def preferences(user: CurrentUser, session: SessionDep) -> PreferencesOut:
    prefs = await InboxRepository(session).preferences(user.id)
    return PreferencesOut.model_validate(prefs) if prefs else PreferencesOut()


@router.put("/preferences", response_model=PreferencesOut)
async def change_preferences(data: PreferencesUpdate, user: CurrentUser, session: SessionDep) -> PreferencesOut:
    """Change what is emailed to you (fields left out stay as they are)."""
    repo = InboxRepository(session)
    prefs = await repo.preferences(user.id)
    if prefs is None:
        prefs = Preferences(
            user_id=user.id, email=True, push=True, feedback_ready=True, export_ready=True, remind_after_days=3
        )
        repo.add_preferences(prefs)
    for name, value in data.model_dump(exclude_none=True, exclude={"no_reminders"}).items():
        setattr(prefs, name, value)
    if data.no_reminders:
        prefs.remind_after_days = 0
    prefs.updated_at = datetime.now(UTC)
    await session.flush()
    return PreferencesOut.model_validate(prefs)


def _pusher(request: Request) -> Pusher:
    pusher: Pusher | None = getattr(request.app.state, "pusher", None)
    if pusher is None:
        settings: Settings = request.app.state.kit.settings
        pusher = request.app.state.pusher = Pusher(settings)
    return pusher


PusherDep = Annotated[Pusher, Depends(_pusher)]


@router.get("/push/key", response_model=PushKey)
async def push_key(pusher: PusherDep) -> PushKey:
    """The key browsers subscribe with (`404 push_not_configured` when web push is off)."""
    return PushKey(public_key=pusher.public_key)


@router.post("/push/subscriptions", response_model=PushSubscriptionOut, status_code=status.HTTP_201_CREATED)
async def subscribe(
    data: PushSubscriptionIn, user: PolicyAccepted, session: SessionDep, pusher: PusherDep
) -> PushSubscriptionOut:
    """Keep this browser's push subscription. Pushes still need your consent to notifications. Only the push
    services' own HTTPS endpoints are accepted (`422 push_endpoint_not_allowed`)."""
    if not pusher.configured:
        raise PushNotConfiguredError()
    pusher.check_endpoint(data.endpoint)
    sub = PushSubscription(id=uuid.uuid4(), user_id=user.id, endpoint=data.endpoint, p256dh=data.keys.p256dh,
                           auth=data.keys.auth, created_at=datetime.now(UTC))  # fmt: skip
    stored = await InboxRepository(session).subscribe(sub)
    if stored is None:  # another person's endpoint: it stays theirs, with their keys
        raise PushEndpointTaken()
    return PushSubscriptionOut.model_validate(stored)


@router.get("/push/subscriptions", response_model=list[PushSubscriptionOut])
async def subscriptions(user: CurrentUser, session: SessionDep) -> list[PushSubscriptionOut]:
    return [PushSubscriptionOut.model_validate(s) for s in await InboxRepository(session).subscriptions(user.id)]


@router.delete("/push/subscriptions/{subscription_id}", status_code=status.HTTP_204_NO_CONTENT)
async def unsubscribe(subscription_id: uuid.UUID, user: CurrentUser, session: SessionDep) -> None:
    if not await InboxRepository(session).unsubscribe(user.id, subscription_id):
        raise NotFound("No such subscription.", code="push_subscription_not_found")

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Query
from intervu_kit.auth import CurrentUser
from intervu_kit.db import SessionDep
from intervu_kit.errors import NotFound

from intervu_notifications.inbox.repository import InboxRepository
from intervu_notifications.inbox.schemas import Inbox, NotificationOut, PreferencesOut, PreferencesUpdate
from intervu_notifications.models import Preferences

router = APIRouter(tags=["notifications"])


class NotificationNotFound(NotFound):
    code = "notification_not_found"
    message = "No such notification."


@router.get("/inbox", response_model=Inbox)
async def inbox(
    user: CurrentUser,
    session: SessionDep,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0)] = 0,
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
        prefs = Preferences(user_id=user.id, email=True, feedback_ready=True, export_ready=True)
        repo.add_preferences(prefs)
    for name, value in data.model_dump(exclude_none=True).items():
        setattr(prefs, name, value)
    prefs.updated_at = datetime.now(UTC)
    await session.flush()
    return PreferencesOut.model_validate(prefs)

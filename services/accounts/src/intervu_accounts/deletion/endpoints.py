from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Depends, status
from intervu_kit.auth import CurrentUser, User, require_role
from intervu_kit.db import SessionDep
from intervu_kit.errors import NotFound

from intervu_accounts.deletion.repository import DeletionRepository
from intervu_accounts.deletion.schemas import DeletionOut, DeletionProgress, OperatorDeletion, ReceiptOut
from intervu_accounts.deletion.service import (
    cancel_deletion,
    confirm_deletion,
    operator_deletion,
    progress,
    request_deletion,
)
from intervu_accounts.deps import SettingsDep, UsersDep

router = APIRouter(prefix="/deletion", tags=["deletion"])
admin = APIRouter(prefix="/admin", tags=["admin"])


@router.post("", response_model=DeletionOut, status_code=status.HTTP_201_CREATED)
async def ask_for_deletion(user: CurrentUser, session: SessionDep, settings: SettingsDep) -> DeletionOut:
    """Ask to delete your account and all your data. Nothing happens until you confirm (within 30 minutes); an open
    request is returned as it is."""
    request = await request_deletion(session, user.id, settings, datetime.now(UTC))
    return DeletionOut.model_validate(request)


@router.post("/confirm", response_model=DeletionOut)
async def confirm(user: CurrentUser, session: SessionDep, settings: SettingsDep) -> DeletionOut:
    """Confirm the deletion. Needs a sign-in from the last 10 minutes (`403 recent_sign_in_required`: sign in again).
    The deletion then runs when the grace period ends (7 days); until then you can cancel it."""
    return DeletionOut.model_validate(await confirm_deletion(session, user, settings, datetime.now(UTC)))


@router.delete("", response_model=DeletionOut)
async def cancel(user: CurrentUser, session: SessionDep) -> DeletionOut:
    """Cancel your deletion request, until the grace period ends (`409 deletion_in_progress` after)."""
    return DeletionOut.model_validate(await cancel_deletion(session, user.id, datetime.now(UTC)))


@router.get("", response_model=DeletionOut | None)
async def read(user: CurrentUser, session: SessionDep) -> DeletionOut | None:
    """Your latest deletion request and where it stands; `null` when you never asked (not an error: the settings
    page asks on every visit)."""
    request = await DeletionRepository(session).latest_of(user.id)
    return DeletionOut.model_validate(request) if request else None


@admin.get("/deletions", response_model=list[DeletionProgress])
async def deletions(session: SessionDep, _: Annotated[User, Depends(require_role("admin"))]) -> list[DeletionProgress]:
    """Deletions scheduled or running, with each service's confirmation; `overdue` past the 30-day promise."""
    return await progress(session, datetime.now(UTC))


@admin.post("/deletions", response_model=DeletionOut, status_code=status.HTTP_201_CREATED)
async def start_for_a_person(
    data: OperatorDeletion,
    session: SessionDep,
    settings: SettingsDep,
    users: UsersDep,
    operator: Annotated[User, Depends(require_role("admin"))],
) -> DeletionOut:
    """Erase a person's data on a report (a child under 17 who gave us data, as the policy promises). It starts on
    the scheduler's next pass, without confirmation or grace period; the person cannot cancel it. Who started it
    and why are kept on the request and its receipt."""
    request = await operator_deletion(
        session, users, data.user_id, operator.id, data.reason, data.note, settings, datetime.now(UTC)
    )
    return DeletionOut.model_validate(request)


@admin.get("/deletion-receipts/{deletion_id}", response_model=ReceiptOut)
async def receipt(
    deletion_id: uuid.UUID, session: SessionDep, _: Annotated[User, Depends(require_role("admin"))]
) -> ReceiptOut:
    """The proof a deletion completed: times and per-service counts, nothing about the person."""
    found = await DeletionRepository(session).receipt(deletion_id)
    if found is None:
        raise NotFound("No such deletion receipt.", code="receipt_not_found")
    return ReceiptOut.model_validate(found)

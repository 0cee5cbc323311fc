from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from intervu_contracts import ConsentPurpose
from intervu_kit.auth import CurrentUser
from intervu_kit.db import SessionDep
from intervu_kit.paging import Offset

from intervu_accounts.consents.repository import ConsentRepository
from intervu_accounts.consents.schemas import ConsentChangeOut, ConsentOut, ConsentUpdate
from intervu_accounts.consents.service import consents_of, set_consent

router = APIRouter(prefix="/consents", tags=["consents"])


@router.get("", response_model=list[ConsentOut])
async def list_consents(user: CurrentUser, session: SessionDep) -> list[ConsentOut]:
    """Your consents, one per purpose. Nothing is granted until you grant it."""
    return await consents_of(session, user.id)


@router.put("/{purpose}", response_model=ConsentOut)
async def change_consent(
    purpose: ConsentPurpose, data: ConsentUpdate, user: CurrentUser, session: SessionDep
) -> ConsentOut:
    """Grant or withdraw one consent, at any time. The change is kept with its time and announced to the services
    that act on it (`accounts.consent_changed.v1`)."""
    return await set_consent(session, user.id, purpose, data)


@router.get("/history", response_model=list[ConsentChangeOut])
async def consent_history(
    user: CurrentUser,
    session: SessionDep,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    offset: Offset = 0,
) -> list[ConsentChangeOut]:
    """Every change you made, newest first."""
    rows = await ConsentRepository(session).history(user.id, limit, offset)
    return [ConsentChangeOut.model_validate(r) for r in rows]

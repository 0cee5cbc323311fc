from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Depends, status
from intervu_kit.auth import CurrentUser, User, require_role
from intervu_kit.db import SessionDep
from intervu_kit.policy_gate import accepted_version

from intervu_accounts.config import Settings
from intervu_accounts.deps import SettingsDep, UsersDep
from intervu_accounts.policies.repository import PolicyRepository
from intervu_accounts.policies.schemas import Acceptance, AcceptanceOut, PolicyOut, PolicyPublish, PolicyStatus
from intervu_accounts.policies.service import accept, current_policy, publish_version, status_of

router = APIRouter(prefix="/policy", tags=["policy"])
admin = APIRouter(prefix="/admin/policies", tags=["admin"])


def _out(policy: object, settings: Settings) -> PolicyOut:
    out = PolicyOut.model_validate(policy)
    out.contact = settings.privacy_contact
    return out


@router.get("", response_model=PolicyOut)
async def read_policy(session: SessionDep, settings: SettingsDep) -> PolicyOut:
    """The current privacy policy (public: the sign-up page links to it), with the operator's privacy contact."""
    return _out(await current_policy(session), settings)


@router.get("/versions", response_model=list[PolicyOut])
async def versions(session: SessionDep, settings: SettingsDep) -> list[PolicyOut]:
    """Every version ever published, newest first (public)."""
    return [_out(p, settings) for p in await PolicyRepository(session).versions()]


@router.get("/status", response_model=PolicyStatus)
async def my_status(user: CurrentUser, session: SessionDep) -> PolicyStatus:
    """Whether you have accepted the current version (the app asks again when a new one is published)."""
    return await status_of(session, user.id)


@router.post("/acceptances", response_model=AcceptanceOut, status_code=status.HTTP_201_CREATED)
async def accept_policy(data: Acceptance, user: CurrentUser, session: SessionDep, users: UsersDep) -> AcceptanceOut:
    """Accept the current version (`409 policy_version_not_current` for any other). Kept with its time, and put on
    your sign-in account, so the services that process your data see it in your token: renew the token (sign-in
    refresh) before the next request that needs it."""
    accepted = await accept(session, user.id, data.version, datetime.now(UTC))
    if accepted_version(user) != data.version:
        # Keycloak's answer decides: if it cannot record it, the acceptance rolls back and the person tries again.
        await users.set_attribute(user.id, "policy_version", str(data.version))
    return accepted


@router.get("/acceptances", response_model=list[AcceptanceOut])
async def my_acceptances(user: CurrentUser, session: SessionDep) -> list[AcceptanceOut]:
    """Every version you accepted, and when, newest first."""
    return [AcceptanceOut.model_validate(a) for a in await PolicyRepository(session).acceptances(user.id)]


@admin.post("", response_model=PolicyOut, status_code=status.HTTP_201_CREATED)
async def publish_policy(
    data: PolicyPublish, session: SessionDep, _: Annotated[User, Depends(require_role("admin"))]
) -> PolicyOut:
    """Publish a new version (the next number). Everyone is asked to accept it; `accounts.policy_published.v1`
    tells the notifications service. The same text as the current version is refused (`409 policy_unchanged`)."""
    return PolicyOut.model_validate(await publish_version(session, data.markdown, data.summary, datetime.now(UTC)))

from __future__ import annotations

from fastapi import APIRouter
from intervu_kit.auth import CurrentUser

from intervu_accounts.deps import UsersDep
from intervu_accounts.profile.schemas import Profile, ProfileUpdate
from intervu_accounts.profile.service import correct_profile, get_profile

router = APIRouter(prefix="/me", tags=["profile"])


@router.get("", response_model=Profile)
async def read_profile(user: CurrentUser, users: UsersDep) -> Profile:
    """Your profile as Keycloak holds it: name, email, date of birth."""
    return await get_profile(users, user.id)


@router.patch("", response_model=Profile)
async def correct(data: ProfileUpdate, user: CurrentUser, users: UsersDep) -> Profile:
    """Correct your name, email or date of birth (the privacy policy's right to correction).

    Keycloak validates: `422 invalid_profile` lists its field errors (an email it refuses, a date of birth under
    17), `409 email_taken` when another account has the address. A new email address must be confirmed again.
    Tokens issued before carry the old values until they are refreshed.
    """
    return await correct_profile(users, user.id, data)

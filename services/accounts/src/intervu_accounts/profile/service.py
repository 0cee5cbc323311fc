"""Reading and correcting a profile; Keycloak validates and stores it."""

from __future__ import annotations

from datetime import date
from typing import Any

from intervu_kit.keycloak_users import KeycloakUsers

from intervu_accounts.profile.schemas import Profile, ProfileUpdate


def _birthdate(user: dict[str, Any]) -> date | None:
    values = (user.get("attributes") or {}).get("birthdate") or []
    try:
        return date.fromisoformat(values[0]) if values else None
    except ValueError:
        return None


def to_profile(user: dict[str, Any]) -> Profile:
    return Profile(
        id=str(user["id"]),
        email=user.get("email"),
        email_verified=bool(user.get("emailVerified")),
        first_name=user.get("firstName"),
        last_name=user.get("lastName"),
        birthdate=_birthdate(user),
    )


async def get_profile(users: KeycloakUsers, user_id: str) -> Profile:
    return to_profile(await users.get(user_id))


async def correct_profile(users: KeycloakUsers, user_id: str, update: ProfileUpdate) -> Profile:
    user = await users.get(user_id)
    changed = update.model_dump(exclude_unset=True)
    representation: dict[str, Any] = {k: user[k] for k in ("username", "email", "firstName", "lastName") if k in user}
    representation["attributes"] = dict(user.get("attributes") or {})
    if "first_name" in changed:
        representation["firstName"] = changed["first_name"]
    if "last_name" in changed:
        representation["lastName"] = changed["last_name"]
    if "email" in changed and changed["email"] != user.get("email"):
        representation["email"] = changed["email"]
        # A new address is unproven until its owner confirms it (Keycloak asks at the next sign-in where the
        # realm verifies email, as production does).
        representation["emailVerified"] = False
    if "birthdate" in changed and changed["birthdate"] is not None:
        representation["attributes"]["birthdate"] = [changed["birthdate"].isoformat()]
    await users.update(user_id, representation)
    return to_profile(await users.get(user_id))

"""Keycloak's admin API for people's accounts: read and correct a profile, delete an account, list everyone.

Keycloak is the record for name, email and date of birth; Intervu keeps no copy (services store only the
subject id, and read an address when they need one: notifications). Calls go through the admin API with the calling
service's own client credentials (``intervu-svc-<service>``), so Keycloak's own user-profile validation, including our
minimum-age validator, decides what is valid, and Keycloak enforces what each service may do: accounts' service
account holds ``manage-users`` (read, correct, disable, delete), notifications' only ``view-users`` (read, list), the
other services' nothing (scripts/realm.py).
"""

from __future__ import annotations

from typing import Any

import httpx

from intervu_kit.auth import ServiceTokenClient
from intervu_kit.errors import Conflict, IntervuError, NotFound, ServiceUnavailable
from intervu_kit.settings import KitSettings


class ProfileInvalid(IntervuError):
    status = 422
    code = "invalid_profile"
    message = "Keycloak refused the profile."


class EmailTaken(Conflict):
    code = "email_taken"
    message = "Another account uses this email address."


class KeycloakUsers:
    def __init__(self, settings: KitSettings, transport: httpx.AsyncBaseTransport | None = None) -> None:
        self.base = f"{settings.keycloak_internal_url}/admin/realms/{settings.keycloak_realm}/users"
        self.http = httpx.AsyncClient(timeout=httpx.Timeout(settings.http_timeout_s), transport=transport)
        self.tokens = ServiceTokenClient(
            token_url=settings.token_url,
            client_id=settings.service_client_id,
            client_secret=settings.service_client_secret.get_secret_value(),
            client=self.http,
        )

    async def aclose(self) -> None:
        await self.http.aclose()

    async def _call(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        try:
            return await self.http.request(method, url, headers=await self.tokens.auth_headers(), **kwargs)
        except httpx.HTTPError as exc:
            raise ServiceUnavailable("Keycloak is not reachable.", code="keycloak_unavailable") from exc

    async def get(self, user_id: str) -> dict[str, Any]:
        response = await self._call("GET", f"{self.base}/{user_id}", params={"userProfileMetadata": "false"})
        if response.status_code == 404:
            raise NotFound("No such account.", code="account_not_found")
        if response.status_code >= 400:
            raise ServiceUnavailable("Keycloak did not answer as expected.", code="keycloak_unavailable")
        user: dict[str, Any] = response.json()
        return user

    async def set_attribute(self, user_id: str, name: str, value: str) -> None:
        """Set one attribute, keeping the others (Keycloak replaces the whole attributes map on update)."""
        user = await self.get(user_id)
        attributes = {**(user.get("attributes") or {}), name: [value]}
        await self.update(user_id, {**user, "attributes": attributes})

    async def update(self, user_id: str, representation: dict[str, Any]) -> None:
        """PUT the whole representation (Keycloak replaces the attributes map: send all of them)."""
        response = await self._call("PUT", f"{self.base}/{user_id}", json=representation)
        if response.status_code == 409:
            raise EmailTaken()
        if response.status_code == 400:
            body = response.json() if response.headers.get("content-type", "").startswith("application/json") else {}
            errors = body.get("errors") or ([body] if body else [])
            raise ProfileInvalid(
                details={
                    "errors": [
                        {"field": e.get("field"), "error": e.get("errorMessage"), "params": e.get("params", [])}
                        for e in errors
                    ]
                }
            )
        if response.status_code == 404:
            raise NotFound("No such account.", code="account_not_found")
        if response.status_code >= 400:
            raise ServiceUnavailable("Keycloak did not answer as expected.", code="keycloak_unavailable")

    async def delete(self, user_id: str) -> bool:
        """Delete the Keycloak user (sessions, credentials, profile). False when there was no such user."""
        response = await self._call("DELETE", f"{self.base}/{user_id}")
        if response.status_code == 404:
            return False
        if response.status_code >= 400:
            raise ServiceUnavailable("Keycloak did not delete the account.", code="keycloak_unavailable")
        return True

    async def page(self, first: int, size: int = 100) -> list[dict[str, Any]]:
        """Everyone, a page at a time (brief representations: id, username, email, names)."""
        response = await self._call(
            "GET", self.base, params={"first": first, "max": size, "briefRepresentation": "true", "enabled": "true"}
        )
        if response.status_code >= 400:
            raise ServiceUnavailable("Keycloak did not list the accounts.", code="keycloak_unavailable")
        users: list[dict[str, Any]] = response.json()
        return users

    async def disable(self, user_id: str) -> bool:
        """No more sign-ins, and every session ended (refresh tokens stop working). False when there is no such
        user. Access tokens already issued stay valid until they expire (minutes)."""
        try:
            user = await self.get(user_id)
        except NotFound:
            return False
        await self.update(user_id, {**user, "enabled": False})
        response = await self._call("POST", f"{self.base}/{user_id}/logout")
        if response.status_code >= 400 and response.status_code != 404:
            raise ServiceUnavailable("Keycloak did not end the sessions.", code="keycloak_unavailable")
        return True

"""Just enough of Keycloak's admin REST API for tests and benchmarks (the real server, the master admin)."""

from __future__ import annotations

import contextlib
import secrets
import uuid
from dataclasses import dataclass
from typing import Any

import httpx

from intervu_kit.devstack.config import DevSettings


@dataclass(frozen=True)
class KeycloakUser:
    id: str
    username: str
    password: str
    email: str


class KeycloakAdmin:
    """Creates and deletes users, issues their tokens, and changes realm settings for tests and benchmarks."""

    def __init__(self, settings: DevSettings, client: httpx.AsyncClient) -> None:
        self.settings = settings
        self.http = client
        self.base = f"{settings.keycloak_internal_url}/admin/realms/{settings.keycloak_realm}"

    async def _headers(self) -> dict[str, str]:
        response = await self.http.post(
            f"{self.settings.keycloak_internal_url}/realms/master/protocol/openid-connect/token",
            data={
                "grant_type": "password",
                "client_id": "admin-cli",
                "username": self.settings.keycloak_admin_user,
                "password": self.settings.keycloak_admin_password.get_secret_value(),
            },
        )
        response.raise_for_status()
        return {"Authorization": f"Bearer {response.json()['access_token']}"}

    async def request(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        response = await self.http.request(method, self.base + path, headers=await self._headers(), **kwargs)
        response.raise_for_status()
        return response

    async def create_user(
        self, *, roles: tuple[str, ...] = (), birthdate: str = "1990-06-15", policy_version: int | None = 1
    ) -> KeycloakUser:
        """A person as the web app leaves one after onboarding: adult, and (unless ``policy_version`` is None) having
        accepted that version of the privacy policy."""
        attributes = {"birthdate": [birthdate]}
        if policy_version is not None:
            attributes["policy_version"] = [str(policy_version)]
        email = f"test-{uuid.uuid4().hex[:12]}@example.com"
        password = "pw-" + secrets.token_urlsafe(12)
        response = await self.request(
            "POST",
            "/users",
            json={
                "username": email,
                "email": email,
                "firstName": "Test",
                "lastName": "User",
                "enabled": True,
                "emailVerified": True,
                "attributes": attributes,
                "credentials": [{"type": "password", "value": password, "temporary": False}],
            },
        )
        user_id = response.headers["Location"].rsplit("/", 1)[-1]
        if roles:
            available = (await self.request("GET", "/roles")).json()
            wanted = [r for r in available if r["name"] in roles]
            await self.request("POST", f"/users/{user_id}/role-mappings/realm", json=wanted)
        return KeycloakUser(id=user_id, username=email, password=password, email=email)

    async def delete_user(self, user_id: str) -> None:
        with contextlib.suppress(httpx.HTTPStatusError):
            await self.request("DELETE", f"/users/{user_id}")

    async def password_token(self, user: KeycloakUser, client_id: str = "intervu-dev-cli") -> str:
        response = await self.http.post(
            self.settings.token_url,
            data={
                "grant_type": "password",
                "client_id": client_id,
                "username": user.username,
                "password": user.password,
                "scope": "openid",
            },
        )
        response.raise_for_status()
        return str(response.json()["access_token"])

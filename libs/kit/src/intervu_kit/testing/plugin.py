"""Pytest plugin (enabled in pyproject's addopts) shared by every service's tests.

Tests run against the real stack: the ``infra`` fixture starts PostgreSQL, NATS, MinIO and Keycloak when they
are not running (so ``pytest services/media`` works on its own) and applies every service's migrations to its
test database.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from intervu_kit.devstack.config import DevSettings
from intervu_kit.devstack.procs import Progress
from intervu_kit.settings import Environment


def pytest_configure(config: pytest.Config) -> None:
    # Services read their settings at import: point them at their test databases before any test imports them.
    os.environ["INTERVU_ENVIRONMENT"] = Environment.TEST.value


@dataclass(frozen=True)
class KeycloakUser:
    id: str
    username: str
    password: str
    email: str


@pytest.fixture(scope="session")
def dev_settings() -> DevSettings:
    return DevSettings(environment=Environment.TEST)


@pytest.fixture(scope="session")
def infra(dev_settings: DevSettings) -> DevSettings:
    from intervu_kit.devstack.cli import migrate
    from intervu_kit.devstack.stack import up_infra

    up_infra(dev_settings, Progress())
    migrate(Progress(), (Environment.TEST,))
    return dev_settings


@contextlib.asynccontextmanager
async def running_app(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    """An in-process client with the app's lifespan (database pool, verifier, broker) running."""
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            yield client


class KeycloakAdmin:
    """Just enough of Keycloak's admin REST API for tests (the real server, the master admin)."""

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

    async def create_user(self, *, roles: tuple[str, ...] = ()) -> KeycloakUser:
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


@pytest.fixture(scope="session")
async def keycloak(infra: DevSettings) -> AsyncIterator[KeycloakAdmin]:
    async with httpx.AsyncClient(timeout=10) as client:
        yield KeycloakAdmin(infra, client)


@pytest.fixture
async def make_user(keycloak: KeycloakAdmin) -> AsyncIterator[Callable[..., Awaitable[KeycloakUser]]]:
    """Create Keycloak users for one test; they are deleted afterwards."""
    created: list[KeycloakUser] = []

    async def make(*, roles: tuple[str, ...] = ()) -> KeycloakUser:
        user = await keycloak.create_user(roles=roles)
        created.append(user)
        return user

    yield make
    for user in created:
        await keycloak.delete_user(user.id)

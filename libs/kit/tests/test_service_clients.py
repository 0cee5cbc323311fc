"""Each service has its own Keycloak client, holding only what that service does with Keycloak (scripts/realm.py).

accounts reads, corrects, disables and deletes accounts; notifications reads them (an address to write to, everyone
for a policy notice); the other six use no admin API at all. No service token is meant for Intervu's own API, so no
service accepts one as a person; a client made a service caller is accepted where it is listed as one.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import httpx
import pytest
from intervu_kit.app import create_service_app
from intervu_kit.auth import ServiceTokenClient
from intervu_kit.devstack.config import DevSettings
from intervu_kit.keycloak_users import KeycloakUsers
from intervu_kit.settings import REPO_ROOT, SERVICES, Environment, KitSettings, dev_client_secret, service_client_id
from intervu_kit.testing.asserts import assert_error
from intervu_kit.testing.plugin import KeycloakAdmin, KeycloakUser, running_app

from .conftest import TABLES, kit_settings, router

REALM_FILES = ["intervu-realm.json", "intervu-realm.production.json"]
# What each service's service account may do in Keycloak's admin API; a service not named here: nothing.
ADMIN_ROLES = {"accounts": {"manage-users", "view-users"}, "notifications": {"view-users"}}

MakeUser = Callable[..., Awaitable[KeycloakUser]]


def _realm(name: str) -> dict[str, Any]:
    realm: dict[str, Any] = json.loads((REPO_ROOT / "deploy" / "keycloak" / name).read_text())
    return realm


@pytest.mark.parametrize("name", REALM_FILES)
def test_each_service_has_its_own_client_with_only_the_roles_it_uses(name: str) -> None:
    realm = _realm(name)
    clients = {c["clientId"]: c for c in realm["clients"]}
    assert "intervu-services" not in clients  # the one client all services shared
    accounts = {u["serviceAccountClientId"]: u for u in realm["users"] if "serviceAccountClientId" in u}
    assert set(accounts) == {service_client_id(s) for s in SERVICES}
    for service in SERVICES:
        client = clients[service_client_id(service)]
        assert client["serviceAccountsEnabled"] and not client["publicClient"]
        assert not (
            client["standardFlowEnabled"] or client["implicitFlowEnabled"] or client["directAccessGrantsEnabled"]
        )
        assert not client.get("protocolMappers"), "a service token needs no audience: no service calls another"
        if name == "intervu-realm.json":
            assert client["secret"] == dev_client_secret(service)
        else:
            assert "secret" not in client
        account = accounts[service_client_id(service)]
        assert account["realmRoles"] == [], "a service account is neither a person nor a service caller"
        assert set(account.get("clientRoles", {})) <= {"realm-management"}
        assert set(account.get("clientRoles", {}).get("realm-management", [])) == ADMIN_ROLES.get(service, set())


def _settings(service: str) -> KitSettings:
    return KitSettings(service_name=service, environment=Environment.TEST)


async def _token(settings: KitSettings) -> str:
    tokens = ServiceTokenClient(
        token_url=settings.token_url,
        client_id=settings.service_client_id,
        client_secret=settings.service_client_secret.get_secret_value(),
    )
    try:
        return await tokens.token()
    finally:
        await tokens.aclose()


async def test_in_keycloak_each_service_can_do_what_its_code_does_and_no_more(
    infra: DevSettings, make_user: MakeUser
) -> None:
    person = await make_user()
    users = f"{infra.keycloak_internal_url}/admin/realms/{infra.keycloak_realm}/users"
    async with httpx.AsyncClient(timeout=10) as http:
        for service in SERVICES:
            headers = {"Authorization": f"Bearer {await _token(_settings(service))}"}
            reads = "view-users" in ADMIN_ROLES.get(service, set())
            one = await http.get(f"{users}/{person.id}", headers=headers)
            assert one.status_code == (200 if reads else 403), (service, one.text)
            everyone = await http.get(users, params={"max": 1}, headers=headers)
            assert everyone.status_code == (200 if reads else 403), (service, everyone.text)
            if service != "accounts":
                update = await http.put(f"{users}/{person.id}", json={"enabled": False}, headers=headers)
                assert update.status_code == 403, (service, update.text)
                delete = await http.delete(f"{users}/{person.id}", headers=headers)
                assert delete.status_code == 403, (service, delete.text)
    # accounts, through the kit's own client of the admin API: disable (ends the sessions), then delete.
    accounts = KeycloakUsers(_settings("accounts"))
    try:
        assert await accounts.disable(person.id)
        assert (await accounts.get(person.id))["enabled"] is False
        assert await accounts.delete(person.id)
    finally:
        await accounts.aclose()


async def test_a_service_token_is_not_accepted_as_a_person_by_any_service(
    client: httpx.AsyncClient, infra: DevSettings
) -> None:
    for service in ("accounts", "notifications", "media"):
        token = await _token(_settings(service))
        response = await client.get("/api/kit/me", headers={"Authorization": f"Bearer {token}"})
        assert_error(response, 401, "token_audience")


@pytest.fixture
async def caller(keycloak: KeycloakAdmin) -> AsyncIterator[tuple[str, str]]:
    """A client made a service caller, as a service that calls another would be: the intervu-api audience on its
    tokens and the "service" role on its service account. Removed afterwards."""
    client_id, secret = f"intervu-svc-kit-{uuid.uuid4().hex[:8]}", uuid.uuid4().hex
    web = next(c for c in _realm("intervu-realm.json")["clients"] if c["clientId"] == "intervu-web")
    audience = next(m for m in web["protocolMappers"] if m["protocolMapper"] == "oidc-audience-mapper")
    response = await keycloak.request(
        "POST",
        "/clients",
        json={
            "clientId": client_id,
            "secret": secret,
            "publicClient": False,
            "serviceAccountsEnabled": True,
            "standardFlowEnabled": False,
            "directAccessGrantsEnabled": False,
            "protocolMappers": [audience],
        },
    )
    uid = response.headers["Location"].rsplit("/", 1)[-1]
    try:
        account = (await keycloak.request("GET", f"/clients/{uid}/service-account-user")).json()
        role = (await keycloak.request("GET", "/roles/service")).json()
        await keycloak.request("POST", f"/users/{account['id']}/role-mappings/realm", json=[role])
        yield client_id, secret
    finally:
        await keycloak.request("DELETE", f"/clients/{uid}")


async def test_a_service_call_is_accepted_from_the_client_listed_as_the_caller(
    infra: DevSettings, keycloak: KeycloakAdmin, make_user: MakeUser, caller: tuple[str, str]
) -> None:
    client_id, secret = caller
    # The callee's settings name its caller: its token needs no date of birth there, and holds the service role.
    app = create_service_app(
        kit_settings(service_client_id=client_id), tables=TABLES, routers=[router], title="kit service call test"
    )
    tokens = ServiceTokenClient(token_url=infra.token_url, client_id=client_id, client_secret=secret)
    async with running_app(app) as callee:
        try:
            headers = await tokens.auth_headers()
            assert await tokens.token() == headers["Authorization"].removeprefix("Bearer ")  # cached
            response = await callee.get("/api/kit/internal", headers=headers)
            assert response.status_code == 200, response.text
            assert response.json() == {"caller": client_id}
        finally:
            await tokens.aclose()
        # A person's token lacks the service role.
        user_token = await keycloak.password_token(await make_user())
        response = await callee.get("/api/kit/internal", headers={"Authorization": f"Bearer {user_token}"})
        assert_error(response, 403, "role_required")
        # Another service's token is for Keycloak only.
        token = await _token(_settings("accounts"))
        response = await callee.get("/api/kit/internal", headers={"Authorization": f"Bearer {token}"})
        assert_error(response, 401, "token_audience")

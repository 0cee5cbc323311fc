"""The running realm signs people in as hardened in scripts/realm.py: locked out for a while after 10 failures,
weak passwords refused, each refresh token usable once, and no password grant through admin-cli. The dev stack
applies these settings to an existing realm (devstack/realm.py), so they are checked against the live Keycloak."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
import pytest
from intervu_kit.devstack.config import DevSettings, Paths
from intervu_kit.devstack.realm import RETIRED_CLIENTS, SECURITY_SETTINGS
from intervu_kit.settings import SERVICES, service_client_id
from intervu_kit.testing.plugin import KeycloakAdmin, KeycloakUser

from .test_service_clients import ADMIN_ROLES

MakeUser = Callable[..., Awaitable[KeycloakUser]]


async def test_the_running_realm_has_the_files_security_settings_and_no_retired_client(
    keycloak: KeycloakAdmin,
) -> None:
    wanted = json.loads(Paths.realm_file.read_text())
    live = (await keycloak.request("GET", "")).json()
    assert {k: live.get(k) for k in SECURITY_SETTINGS} == {k: wanted[k] for k in SECURITY_SETTINGS}
    for retired in RETIRED_CLIENTS:
        assert (await keycloak.request("GET", "/clients", params={"clientId": retired})).json() == []


async def _password_grant(settings: DevSettings, user: KeycloakUser, password: str, client_id: str) -> httpx.Response:
    async with httpx.AsyncClient(timeout=10) as http:
        return await http.post(
            settings.token_url,
            data={"grant_type": "password", "client_id": client_id, "username": user.username, "password": password},
        )


async def test_admin_cli_takes_no_passwords_in_the_app_realm(infra: DevSettings, make_user: MakeUser) -> None:
    user = await make_user()
    response = await _password_grant(infra, user, user.password, "admin-cli")
    assert response.status_code in (400, 401), response.text
    assert response.json()["error"] == "unauthorized_client"


async def test_a_refresh_token_works_once_and_its_replay_ends_the_session(
    infra: DevSettings, make_user: MakeUser
) -> None:
    user = await make_user()
    first = (await _password_grant(infra, user, user.password, "intervu-dev-cli")).json()["refresh_token"]

    async def refresh(token: str) -> httpx.Response:
        async with httpx.AsyncClient(timeout=10) as http:
            return await http.post(
                infra.token_url,
                data={"grant_type": "refresh_token", "client_id": "intervu-dev-cli", "refresh_token": token},
            )

    renewed = await refresh(first)
    assert renewed.status_code == 200, renewed.text
    second = renewed.json()["refresh_token"]
    replayed = await refresh(first)
    assert replayed.status_code == 400 and replayed.json()["error"] == "invalid_grant", replayed.text
    # The replay may be a thief's: the session it belonged to ends, so the newer token stops working too.
    assert (await refresh(second)).status_code == 400


def _error(exc: pytest.ExceptionInfo[httpx.HTTPStatusError]) -> Any:
    return exc.value.response.json()


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("short-pw-11", "invalidPasswordMinLengthMessage"),
        ("x" * 129, "invalidPasswordMaxLengthMessage"),
        ("{email}-and-more", "invalidPasswordNotContainsUsernameMessage"),
    ],
    ids=["eleven-characters", "over-128", "contains-the-email"],
)
async def test_weak_passwords_are_refused(
    keycloak: KeycloakAdmin, make_user: MakeUser, password: str, message: str
) -> None:
    user = await make_user()
    with pytest.raises(httpx.HTTPStatusError) as refused:
        await keycloak.request(
            "PUT",
            f"/users/{user.id}/reset-password",
            json={"type": "password", "value": password.format(email=user.email), "temporary": False},
        )
    assert refused.value.response.status_code == 400
    assert message in json.dumps(_error(refused))


async def test_the_last_passwords_cannot_be_used_again(keycloak: KeycloakAdmin, make_user: MakeUser) -> None:
    user = await make_user()
    reset = f"/users/{user.id}/reset-password"
    await keycloak.request("PUT", reset, json={"type": "password", "value": "a-new-passphrase-2", "temporary": False})
    with pytest.raises(httpx.HTTPStatusError) as refused:
        await keycloak.request("PUT", reset, json={"type": "password", "value": user.password, "temporary": False})
    assert "invalidPasswordHistoryMessage" in json.dumps(_error(refused))


async def test_ten_failed_sign_ins_lock_an_account_for_a_while_not_for_good(
    infra: DevSettings, keycloak: KeycloakAdmin, make_user: MakeUser
) -> None:
    user = await make_user()
    detection = f"/attack-detection/brute-force/users/{user.id}"
    try:
        for attempt in range(1, 11):
            # Further apart than the quick-login check (1 s), so only the failure count decides.
            await asyncio.sleep(1.1)
            response = await _password_grant(infra, user, "not-the-password", "intervu-dev-cli")
            assert response.status_code == 401, response.text
            locked = (await keycloak.request("GET", detection)).json()["disabled"]
            assert locked is (attempt == 10), f"after {attempt} failures locked={locked}"
        # Even the right password is refused while locked; the account itself stays enabled (no permanent lockout).
        assert (await _password_grant(infra, user, user.password, "intervu-dev-cli")).status_code == 401
        assert (await keycloak.request("GET", f"/users/{user.id}")).json()["enabled"] is True
    finally:
        await keycloak.request("DELETE", detection)


@pytest.mark.parametrize("name", ["intervu-realm.json", "intervu-realm.production.json"])
async def test_the_realm_files_import_into_a_fresh_realm(infra: DevSettings, name: str) -> None:
    """A new installation (and `intervu-dev reset-keycloak`) imports the file instead of syncing it: admin-cli without
    the password grant, and each service account with its roles only (no default roles), must survive the import."""
    realm = json.loads((Paths.realm_file.parent / name).read_text())
    realm["realm"] = f"intervu-import-check-{uuid.uuid4().hex[:8]}"
    admin = KeycloakAdmin(infra.model_copy(update={"keycloak_realm": realm["realm"]}), httpx.AsyncClient(timeout=60))
    root = f"{infra.keycloak_internal_url}/admin/realms"
    try:
        created = await admin.http.post(root, json=realm, headers=await admin._headers())
        assert created.status_code == 201, created.text[:500]
        clients = {c["clientId"]: c for c in (await admin.request("GET", "/clients")).json()}
        assert clients["admin-cli"]["directAccessGrantsEnabled"] is False
        assert "intervu-services" not in clients
        for service in SERVICES:
            client = clients[service_client_id(service)]
            account = (await admin.request("GET", f"/clients/{client['id']}/service-account-user")).json()
            mappings = (await admin.request("GET", f"/users/{account['id']}/role-mappings")).json()
            assert mappings.get("realmMappings", []) == [], service
            management = mappings.get("clientMappings", {}).get("realm-management", {}).get("mappings", [])
            assert {m["name"] for m in management} == set(ADMIN_ROLES.get(service, ())), service
        live = (await admin.request("GET", "")).json()
        assert {k: live.get(k) for k in SECURITY_SETTINGS} == {k: realm[k] for k in SECURITY_SETTINGS}
    finally:
        await admin.http.delete(f"{root}/{realm['realm']}", headers=await admin._headers())
        await admin.http.aclose()

"""The right to correction: a person reads and corrects their profile; Keycloak (the record) is changed through
its admin API and validates it, with our minimum-age rule."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime

import httpx
import pytest
from intervu_accounts.main import app
from intervu_kit.devstack.config import DevSettings
from intervu_kit.testing.asserts import assert_error
from intervu_kit.testing.plugin import KeycloakAdmin, SignedIn, running_app

SignIn = Callable[..., Awaitable[SignedIn]]
API = "/api/accounts"


@pytest.fixture
async def client(infra: DevSettings) -> AsyncIterator[httpx.AsyncClient]:
    async with running_app(app) as c:
        yield c


async def test_a_person_reads_and_corrects_their_profile(
    client: httpx.AsyncClient, sign_in: SignIn, keycloak: KeycloakAdmin
) -> None:
    me = await sign_in()
    profile = (await client.get(f"{API}/me", headers=me.headers)).json()
    assert profile["id"] == me.id and profile["first_name"] == "Test" and profile["birthdate"] == "1990-06-15"

    fixed = await client.patch(
        f"{API}/me", json={"first_name": "Ana", "last_name": "Lovelace", "birthdate": "1991-02-03"}, headers=me.headers
    )
    assert fixed.status_code == 200, fixed.text
    assert (fixed.json()["first_name"], fixed.json()["last_name"], fixed.json()["birthdate"]) == (
        "Ana", "Lovelace", "1991-02-03",
    )  # fmt: skip
    stored = (await keycloak.request("GET", f"/users/{me.id}")).json()
    assert (stored["firstName"], stored["lastName"], stored["attributes"]["birthdate"]) == (
        "Ana", "Lovelace", ["1991-02-03"],
    )  # fmt: skip
    assert stored["email"] == profile["email"]  # untouched fields stay as they were

    new_email = f"renamed-{me.id[:8]}@example.com"
    moved = (await client.patch(f"{API}/me", json={"email": new_email}, headers=me.headers)).json()
    assert moved["email"] == new_email and moved["email_verified"] is False  # to be confirmed again


async def test_keycloak_decides_what_is_valid(
    client: httpx.AsyncClient, sign_in: SignIn, keycloak: KeycloakAdmin
) -> None:
    me, other = await sign_in(), await sign_in()
    today = datetime.now(UTC).date()
    young = today.replace(year=today.year - 15).isoformat()
    refused = await client.patch(f"{API}/me", json={"birthdate": young}, headers=me.headers)
    error = assert_error(refused, 422, "invalid_profile")
    assert error["details"]["errors"][0]["field"] == "birthdate"
    assert "underage" in error["details"]["errors"][0]["error"]
    stored = (await keycloak.request("GET", f"/users/{me.id}")).json()
    assert stored["attributes"]["birthdate"] == ["1990-06-15"]  # nothing already stored is lost

    theirs = (await client.get(f"{API}/me", headers=other.headers)).json()["email"]
    assert_error(await client.patch(f"{API}/me", json={"email": theirs}, headers=me.headers), 409, "email_taken")
    for body in ({"email": "not-an-email"}, {"first_name": ""}, {"role": "admin"}, {"birthdate": "31/12/1990"}):
        assert_error(await client.patch(f"{API}/me", json=body, headers=me.headers), 422, "validation_error")
    malformed = await client.patch(
        f"{API}/me", content=b"{oops", headers={**me.headers, "content-type": "application/json"}
    )
    assert_error(malformed, 422, "validation_error")
    assert (await client.get(f"{API}/me")).status_code == 401

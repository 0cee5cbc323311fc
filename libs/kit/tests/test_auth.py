"""Keycloak access tokens, verified locally: real tokens pass, every kind of bad token gets 401.

To test the claim checks (exp, nbf, iss, aud, typ) the tokens must carry a *valid* signature, otherwise the
signature check would reject them first and the claim checks would go untested. So the test imports its own
RSA key into the realm (lowest priority, so Keycloak keeps signing with its own key): Keycloak publishes it
in the realm JWKS like any other key, and the test can sign whatever claims it needs.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import json
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from intervu_kit.devstack.config import DevSettings
from intervu_kit.testing import tokens
from intervu_kit.testing.asserts import assert_error
from intervu_kit.testing.plugin import KeycloakAdmin, KeycloakUser

MakeUser = Callable[..., Awaitable[KeycloakUser]]


@pytest.fixture(scope="module")
async def imported_key(keycloak: KeycloakAdmin) -> AsyncIterator[tuple[str, rsa.RSAPrivateKey]]:
    async with tokens.imported_key(keycloak) as signing:
        yield signing.kid, signing.key


def _claims(settings: DevSettings, **overrides: Any) -> dict[str, Any]:
    return tokens.claims(settings, **overrides)


def _sign(claims: dict[str, Any], key: rsa.RSAPrivateKey, kid: str) -> str:
    return jwt.encode(claims, key, algorithm="RS256", headers={"kid": kid})


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unsigned(header: dict[str, Any], claims: dict[str, Any], signature: bytes = b"") -> str:
    head = _b64(json.dumps(header).encode())
    body = _b64(json.dumps(claims).encode())
    return f"{head}.{body}.{_b64(signature)}"


async def _me(client: httpx.AsyncClient, token: str) -> httpx.Response:
    return await client.get("/api/kit/me", headers={"Authorization": f"Bearer {token}"})


async def test_real_user_gets_a_token_from_keycloak_and_calls_the_service(
    client: httpx.AsyncClient, keycloak: KeycloakAdmin, make_user: MakeUser
) -> None:
    user = await make_user()
    token = await keycloak.password_token(user)
    response = await _me(client, token)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["id"] == user.id
    assert body["email"] == user.email
    assert "user" in body["roles"]


async def test_a_token_signed_by_the_imported_key_with_good_claims_is_accepted(
    client: httpx.AsyncClient, infra: DevSettings, imported_key: tuple[str, rsa.RSAPrivateKey]
) -> None:
    # The control for the claim tests below: the same key and claims, only one claim changed in each.
    kid, key = imported_key
    assert (await _me(client, _sign(_claims(infra), key, kid))).status_code == 200


@pytest.mark.parametrize(
    ("overrides", "code"),
    [
        ({"exp": int(time.time()) - 3600, "iat": int(time.time()) - 4000, "nbf": None}, "token_expired"),
        ({"nbf": int(time.time()) + 3600}, "token_not_yet_valid"),
        ({"iss": "https://attacker.example/auth/realms/intervu"}, "token_issuer"),
        ({"aud": ["account", "some-other-api"]}, "token_audience"),
        ({"aud": None}, "token_audience"),
        ({"typ": "ID"}, "token_type"),
        ({"typ": "Refresh"}, "token_type"),
    ],
    ids=[
        "expired",
        "not-yet-valid",
        "wrong-issuer",
        "wrong-audience",
        "no-audience",
        "id-token",
        "refresh-token",
    ],
)
async def test_validly_signed_tokens_with_bad_claims_are_refused(
    client: httpx.AsyncClient,
    infra: DevSettings,
    imported_key: tuple[str, rsa.RSAPrivateKey],
    overrides: dict[str, Any],
    code: str,
) -> None:
    kid, key = imported_key
    response = await _me(client, _sign(_claims(infra, **overrides), key, kid))
    assert_error(response, 401, code)
    assert response.headers["www-authenticate"].startswith("Bearer")


def _years_ago(years: int, days: int = 0) -> str:
    today = datetime.now(UTC).date()
    return (today.replace(year=today.year - years) - timedelta(days=days)).isoformat()


@pytest.mark.parametrize(
    ("birthdate", "code"),
    [
        (_years_ago(16), "underage"),
        (_years_ago(17, days=-1), "underage"),  # the 17th birthday is tomorrow
        (None, "age_unknown"),
        ("15/06/1990", "age_unknown"),
        (_years_ago(-1), "age_unknown"),  # born next year
        (19900615, "age_unknown"),
    ],
    ids=["sixteen", "day-before-seventeen", "missing", "not-iso", "future", "not-a-string"],
)
async def test_a_person_without_a_valid_adult_age_is_refused(
    client: httpx.AsyncClient,
    infra: DevSettings,
    imported_key: tuple[str, rsa.RSAPrivateKey],
    birthdate: object,
    code: str,
) -> None:
    kid, key = imported_key
    assert_error(await _me(client, _sign(_claims(infra, birthdate=birthdate), key, kid)), 403, code)


async def test_seventeen_today_is_old_enough_and_services_need_no_age(
    client: httpx.AsyncClient, infra: DevSettings, imported_key: tuple[str, rsa.RSAPrivateKey]
) -> None:
    kid, key = imported_key
    assert (await _me(client, _sign(_claims(infra, birthdate=_years_ago(17)), key, kid))).status_code == 200
    # The kit's test app takes its own client (intervu-svc-kit) as the service caller (app.py: service_clients).
    service = _claims(infra, azp=infra.service_client_id, birthdate=None, realm_access={"roles": ["service"]})
    assert (await _me(client, _sign(service, key, kid))).status_code == 200


async def test_every_service_refuses_an_underage_token(
    infra: DevSettings, imported_key: tuple[str, rsa.RSAPrivateKey]
) -> None:
    import importlib

    from intervu_kit.settings import SERVICES
    from intervu_kit.testing.plugin import running_app

    kid, key = imported_key
    young = _sign(_claims(infra, birthdate=_years_ago(15)), key, kid)
    for service in SERVICES:
        app = importlib.import_module(f"intervu_{service}.main").app
        async with running_app(app) as client:
            response = await client.get(
                f"/api/{service}/admin/parked-events", headers={"Authorization": f"Bearer {young}"}
            )
            assert_error(response, 403, "underage")


async def test_keycloak_itself_refuses_an_underage_or_invalid_date_of_birth(keycloak: KeycloakAdmin) -> None:
    # The same validator that guards the sign-up page (deploy/keycloak/extensions) guards the admin API.
    for birthdate, message in [(_years_ago(12), "intervu-error-underage"), ("not-a-date", "invalid-birthdate")]:
        with pytest.raises(httpx.HTTPStatusError) as refused:
            await keycloak.create_user(birthdate=birthdate)
        assert refused.value.response.status_code == 400
        assert message in refused.value.response.text


async def test_forged_signature_is_refused(
    client: httpx.AsyncClient, infra: DevSettings, imported_key: tuple[str, rsa.RSAPrivateKey]
) -> None:
    kid, _ = imported_key
    attacker = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    assert_error(await _me(client, _sign(_claims(infra), attacker, kid)), 401, "token_signature")


async def test_tampered_payload_is_refused(
    client: httpx.AsyncClient, infra: DevSettings, imported_key: tuple[str, rsa.RSAPrivateKey]
) -> None:
    kid, key = imported_key
    head, _, sig = _sign(_claims(infra), key, kid).split(".")
    evil = _b64(json.dumps(_claims(infra, realm_access={"roles": ["admin"]})).encode())
    assert_error(await _me(client, f"{head}.{evil}.{sig}"), 401, "token_signature")


async def test_alg_none_is_refused(client: httpx.AsyncClient, infra: DevSettings) -> None:
    token = _unsigned({"alg": "none", "typ": "JWT"}, _claims(infra))
    assert_error(await _me(client, token), 401, "token_algorithm")


async def test_hs256_signed_with_the_realm_public_key_is_refused(
    client: httpx.AsyncClient, infra: DevSettings, imported_key: tuple[str, rsa.RSAPrivateKey]
) -> None:
    # The classic key-confusion attack: use the (public) RSA key as an HMAC secret.
    kid, key = imported_key
    public_pem = key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    header = {"alg": "HS256", "typ": "JWT", "kid": kid}
    head = _b64(json.dumps(header).encode())
    body = _b64(json.dumps(_claims(infra)).encode())
    signature = hmac.new(public_pem, f"{head}.{body}".encode(), hashlib.sha256).digest()
    assert_error(await _me(client, f"{head}.{body}.{_b64(signature)}"), 401, "token_algorithm")


async def test_unknown_kid_is_refused_without_hammering_keycloak(client: httpx.AsyncClient, infra: DevSettings) -> None:
    attacker = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    jwks = client._transport.app.state.kit.verifier.jwks  # type: ignore[attr-defined]
    for _ in range(5):
        token = _sign(_claims(infra), attacker, f"unknown-{uuid.uuid4().hex}")
        assert_error(await _me(client, token), 401, "token_unknown_key")
    # One fetch for the first request; the next unknown kids fall inside the refresh interval.
    assert jwks.fetch_count == 1


@pytest.mark.parametrize(
    "header",
    ["", "Bearer", "Bearer not.a.jwt", "Basic dXNlcjpwYXNz", "Bearer " + "a" * 5000],
    ids=["missing", "empty-bearer", "garbage", "basic-auth", "huge"],
)
async def test_missing_or_malformed_credentials_are_refused(client: httpx.AsyncClient, header: str) -> None:
    headers = {"Authorization": header} if header else {}
    response = await client.get("/api/kit/me", headers=headers)
    assert response.status_code == 401
    assert response.json()["error"]["code"] in {"token_missing", "token_malformed"}


async def test_a_key_rotated_in_keycloak_is_picked_up_without_restart(
    client: httpx.AsyncClient, keycloak: KeycloakAdmin, make_user: MakeUser
) -> None:
    user = await make_user()
    before = await keycloak.password_token(user)
    assert (await _me(client, before)).status_code == 200
    jwks = client._transport.app.state.kit.verifier.jwks  # type: ignore[attr-defined]
    fetches = jwks.fetch_count

    # Rotation: a new generated key with a higher priority becomes the realm's signing key.
    component = await tokens.add_key_provider(
        keycloak,
        f"rotated-{uuid.uuid4().hex[:6]}",
        "rsa-generated",
        {"priority": "1000", "enabled": "true", "active": "true", "algorithm": "RS256", "keySize": "2048"},
    )
    try:
        after = await keycloak.password_token(user)
        assert jwt.get_unverified_header(after)["kid"] == await tokens.kid_of(keycloak, component)
        assert jwt.get_unverified_header(after)["kid"] != jwt.get_unverified_header(before)["kid"]
        await asyncio.sleep(1.1)  # past the minimum refresh interval of the test settings
        response = await _me(client, after)
        assert response.status_code == 200, response.text
        assert jwks.fetch_count == fetches + 1
    finally:
        await keycloak.request("DELETE", f"/components/{component}")


async def test_a_real_refresh_token_is_not_an_access_token(
    client: httpx.AsyncClient, infra: DevSettings, make_user: MakeUser
) -> None:
    user = await make_user()
    async with httpx.AsyncClient() as http:
        body = (
            await http.post(
                infra.token_url,
                data={
                    "grant_type": "password",
                    "client_id": "intervu-dev-cli",
                    "username": user.username,
                    "password": user.password,
                    "scope": "openid",
                },
            )
        ).json()
    for name in ("refresh_token", "id_token"):
        response = await _me(client, body[name])
        assert response.status_code == 401, name
        assert response.json()["error"]["code"] in {"token_algorithm", "token_type", "token_audience"}

"""Access tokens with chosen claims and a *valid* signature, for tests of claim checks.

A test imports its own RSA key into the realm (lowest priority, so Keycloak keeps signing with its own key):
Keycloak publishes it in the realm JWKS like any other key, so services verify what the test signs with it
(an old sign-in time, an underage date of birth...). Otherwise a signature check would reject a hand-made
token first and the claim check would go untested.
"""

from __future__ import annotations

import contextlib
import time
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from intervu_kit.devstack.config import DevSettings
from intervu_kit.testing.keycloak import KeycloakAdmin


def pem(key: rsa.RSAPrivateKey) -> str:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.TraditionalOpenSSL,
        serialization.NoEncryption(),
    ).decode()


async def add_key_provider(keycloak: KeycloakAdmin, name: str, provider: str, config: dict[str, str]) -> str:
    realm = (await keycloak.request("GET", "")).json()
    response = await keycloak.request(
        "POST",
        "/components",
        json={
            "name": name,
            "providerId": provider,
            "providerType": "org.keycloak.keys.KeyProvider",
            "parentId": realm["id"],
            "config": {k: [v] for k, v in config.items()},
        },
    )
    return response.headers["Location"].rsplit("/", 1)[-1]


async def kid_of(keycloak: KeycloakAdmin, component_id: str) -> str:
    keys = (await keycloak.request("GET", "/keys")).json()["keys"]
    return str(next(k["kid"] for k in keys if k.get("providerId") == component_id))


@dataclass(frozen=True)
class SigningKey:
    kid: str
    key: rsa.RSAPrivateKey

    def sign(self, claims: dict[str, Any]) -> str:
        return jwt.encode(claims, self.key, algorithm="RS256", headers={"kid": self.kid})


@contextlib.asynccontextmanager
async def imported_key(keycloak: KeycloakAdmin) -> AsyncIterator[SigningKey]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    component = await add_key_provider(
        keycloak,
        f"test-imported-{uuid.uuid4().hex[:6]}",
        "rsa",
        {"priority": "1", "enabled": "true", "active": "true", "algorithm": "RS256", "privateKey": pem(key)},
    )
    try:
        yield SigningKey(await kid_of(keycloak, component), key)
    finally:
        await keycloak.request("DELETE", f"/components/{component}")


def claims(settings: DevSettings, **overrides: Any) -> dict[str, Any]:
    """A person's access token as Keycloak issues it to the web app; ``None`` removes a claim."""
    now = int(time.time())
    out: dict[str, Any] = {
        "iss": settings.issuer,
        "sub": str(uuid.uuid4()),
        "aud": [settings.api_audience, "account"],
        "azp": "intervu-web",
        "typ": "Bearer",
        "iat": now,
        "nbf": now,
        "exp": now + 300,
        "auth_time": now,
        "realm_access": {"roles": ["user"]},
        "birthdate": "1990-06-15",
        "policy_version": 1,
    }
    out.update(overrides)
    return {k: v for k, v in out.items() if v is not None}

"""Keycloak access tokens, verified locally against the realm's JWKS.

Every check is explicit because each one closes a known attack: an algorithm allow-list (no ``none``, no
HS256 "signed" with our public key), the key's own type must match the algorithm, issuer, audience or
authorised party, expiry and not-before, and Keycloak's token type (an ID or refresh token is not an access
token). Keys are cached; an unknown ``kid`` triggers one refetch (rate limited, so random kids cannot make us
hammer Keycloak), which is how a key rotated in Keycloak is picked up without a restart.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Callable, Coroutine, Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Annotated, Any

import httpx
import jwt
from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from intervu_kit.errors import Forbidden, ServiceUnavailable, Unauthorized

log = logging.getLogger(__name__)

ALLOWED_ALGORITHMS: tuple[str, ...] = ("RS256", "ES256")
_KTY_FOR_ALG = {"RS256": "RSA", "ES256": "EC"}


class JwksCache:
    """The realm's signing keys, fetched over HTTP with a bounded timeout and kept for ``ttl_s``."""

    def __init__(
        self,
        url: str,
        *,
        ttl_s: float = 300.0,
        min_refresh_interval_s: float = 5.0,
        timeout_s: float = 3.0,
        client: httpx.AsyncClient | None = None,
    ) -> None:
        self.url = url
        self.ttl_s = ttl_s
        self.min_refresh_interval_s = min_refresh_interval_s
        self._client = client or httpx.AsyncClient(timeout=httpx.Timeout(timeout_s))
        self._keys: dict[str, jwt.PyJWK] = {}
        self._fetched_at = float("-inf")
        self._lock = asyncio.Lock()
        self.fetch_count = 0

    async def aclose(self) -> None:
        await self._client.aclose()

    async def _refresh(self) -> None:
        try:
            response = await self._client.get(self.url)
            response.raise_for_status()
            document = response.json()
        except (httpx.HTTPError, json.JSONDecodeError) as exc:
            log.warning("could not fetch JWKS from %s: %s", self.url, exc)
            raise ServiceUnavailable("The identity provider is unreachable.", code="auth_unavailable") from exc
        keys: dict[str, jwt.PyJWK] = {}
        for jwk in document.get("keys", []):
            # Keycloak also publishes encryption keys ("use": "enc"); only signature keys verify tokens.
            if jwk.get("use", "sig") != "sig" or "kid" not in jwk:
                continue
            try:
                keys[jwk["kid"]] = jwt.PyJWK(jwk)
            except jwt.PyJWTError:
                log.warning("skipping unusable JWK %s", jwk.get("kid"))
        self._keys = keys
        self._fetched_at = time.monotonic()
        self.fetch_count += 1

    async def get(self, kid: str) -> jwt.PyJWK | None:
        async with self._lock:
            age = time.monotonic() - self._fetched_at
            if age > self.ttl_s and self._keys:
                # Stale keys still verify tokens while the identity provider is briefly unreachable.
                try:
                    await self._refresh()
                except ServiceUnavailable:
                    self._fetched_at = time.monotonic() - self.ttl_s + self.min_refresh_interval_s
            elif age > self.ttl_s or (kid not in self._keys and age > self.min_refresh_interval_s):
                await self._refresh()
            return self._keys.get(kid)


@dataclass(frozen=True)
class User:
    """The caller, as Keycloak vouches for them."""

    id: str  # Keycloak ``sub``: the only user identifier services store
    roles: frozenset[str]
    client_id: str | None = None
    email: str | None = None
    name: str | None = None
    claims: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    def has_role(self, role: str) -> bool:
        return role in self.roles


class TokenVerifier:
    def __init__(
        self,
        *,
        issuer: str,
        audience: str,
        jwks: JwksCache,
        allowed_azp: Iterable[str] | None = None,
        leeway_s: float = 30.0,
        minimum_age: int | None = 17,
        # Clients whose (service-account) tokens this service accepts as service calls: they carry no date of birth.
        # Each service has its own client (intervu-svc-<service>); none is listed by default.
        service_clients: Iterable[str] = (),
    ) -> None:
        self.issuer = issuer
        self.audience = audience
        self.jwks = jwks
        self.allowed_azp = frozenset(allowed_azp) if allowed_azp is not None else None
        self.leeway_s = leeway_s
        self.minimum_age = minimum_age
        self.service_clients = frozenset(service_clients)

    async def verify(self, token: str) -> User:
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError as exc:
            raise Unauthorized("The access token is malformed.", code="token_malformed") from exc
        alg = header.get("alg")
        if alg not in ALLOWED_ALGORITHMS:
            raise Unauthorized("The token's signing algorithm is not accepted.", code="token_algorithm")
        kid = header.get("kid")
        if not isinstance(kid, str):
            raise Unauthorized("The token names no signing key.", code="token_unknown_key")
        key = await self.jwks.get(kid)
        if key is None:
            raise Unauthorized("The token's signing key is unknown.", code="token_unknown_key")
        if key.key_type != _KTY_FOR_ALG[alg] or (key.algorithm_name and key.algorithm_name != alg):
            raise Unauthorized("The token's algorithm does not match its key.", code="token_algorithm")
        try:
            claims: dict[str, Any] = jwt.decode(
                token,
                key=key.key,
                algorithms=[alg],
                issuer=self.issuer,
                leeway=self.leeway_s,
                options={"require": ["exp", "iat", "iss", "sub"], "verify_aud": False},
            )
        except jwt.ExpiredSignatureError as exc:
            raise Unauthorized("The access token has expired.", code="token_expired") from exc
        except jwt.ImmatureSignatureError as exc:
            raise Unauthorized("The access token is not valid yet.", code="token_not_yet_valid") from exc
        except jwt.InvalidIssuerError as exc:
            raise Unauthorized("The access token was issued elsewhere.", code="token_issuer") from exc
        except jwt.InvalidSignatureError as exc:
            raise Unauthorized("The access token's signature is invalid.", code="token_signature") from exc
        except jwt.PyJWTError as exc:
            raise Unauthorized("The access token is invalid.", code="token_invalid") from exc

        if claims.get("typ") != "Bearer":
            raise Unauthorized("This is not an access token.", code="token_type")
        audiences = claims.get("aud", [])
        if isinstance(audiences, str):
            audiences = [audiences]
        if self.audience not in audiences:
            raise Unauthorized("The access token is not meant for this API.", code="token_audience")
        azp = claims.get("azp")
        if self.allowed_azp is not None and azp not in self.allowed_azp:
            raise Unauthorized("The access token was issued to an unknown client.", code="token_audience")

        if self.minimum_age is not None and azp not in self.service_clients:
            _check_age(claims.get("birthdate"), self.minimum_age)

        realm_roles = claims.get("realm_access", {}).get("roles", [])
        name = claims.get("name") or " ".join(p for p in (claims.get("given_name"), claims.get("family_name")) if p)
        return User(
            id=str(claims["sub"]),
            roles=frozenset(str(r) for r in realm_roles),
            client_id=azp,
            email=claims.get("email"),
            name=name or None,
            claims=claims,
        )


class AgeUnknown(Forbidden):
    code = "age_unknown"
    message = "Your account has no valid date of birth; add it to your profile to use Intervu."


class Underage(Forbidden):
    code = "underage"
    message = "Intervu is for people aged 17 and over."


def _check_age(birthdate: object, minimum_age: int, today: date | None = None) -> None:
    """Every request from a person: Keycloak refuses an underage date at sign-up; this keeps the promise for
    accounts made before, or a date changed later by an administrator."""
    if not isinstance(birthdate, str):
        raise AgeUnknown()
    try:
        born = date.fromisoformat(birthdate.strip())
    except ValueError as exc:
        raise AgeUnknown() from exc
    today = today or datetime.now(UTC).date()
    if born > today:
        raise AgeUnknown()
    years = today.year - born.year - ((today.month, today.day) < (born.month, born.day))
    if years < minimum_age:
        raise Underage(details={"minimum_age": minimum_age})


_bearer = HTTPBearer(auto_error=False, description="A Keycloak access token for the `intervu` realm.")


async def current_user(
    request: Request, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]
) -> User:
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise Unauthorized("A bearer access token is required.", code="token_missing")
    verifier: TokenVerifier = request.app.state.kit.verifier
    return await verifier.verify(credentials.credentials)


CurrentUser = Annotated[User, Depends(current_user)]


def require_role(role: str) -> Callable[[User], Coroutine[Any, Any, User]]:
    """Dependency factory: ``Depends(require_role("admin"))``."""

    async def _check(user: CurrentUser) -> User:
        if not user.has_role(role):
            raise Forbidden(f"This needs the '{role}' role.", code="role_required")
        return user

    return _check


class ServiceTokenClient:
    """Client-credentials tokens of a service's own client (``intervu-svc-<service>``), cached until shortly before
    expiry: for Keycloak's admin API (keycloak_users), or a call to another service that lists the client among its
    ``service_clients``."""

    def __init__(
        self,
        *,
        token_url: str,
        client_id: str,
        client_secret: str,
        timeout_s: float = 3.0,
        client: httpx.AsyncClient | None = None,
    ) -> None:
        self.token_url = token_url
        self.client_id = client_id
        self._secret = client_secret
        self._client = client or httpx.AsyncClient(timeout=httpx.Timeout(timeout_s))
        self._token: str | None = None
        self._expires_at = 0.0
        self._lock = asyncio.Lock()

    async def aclose(self) -> None:
        await self._client.aclose()

    async def token(self) -> str:
        async with self._lock:
            if self._token is None or time.monotonic() > self._expires_at - 30:
                try:
                    response = await self._client.post(
                        self.token_url,
                        data={"grant_type": "client_credentials"},
                        auth=(self.client_id, self._secret),
                    )
                    response.raise_for_status()
                except httpx.HTTPError as exc:
                    raise ServiceUnavailable("Could not obtain a service token.", code="auth_unavailable") from exc
                body = response.json()
                self._token = str(body["access_token"])
                self._expires_at = time.monotonic() + float(body.get("expires_in", 60))
            return self._token

    async def auth_headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {await self.token()}"}

"""Processing a person's data needs the current privacy policy accepted (the policy's promise, enforced by the API,
not only by the web app's pages).

Where it is read from: the access token carries ``policy_version``, the version the person last accepted (accounts
sets it on their Keycloak account when they accept; Keycloak maps it into the token), so no service asks accounts
on each request. The *current* version is the public `GET /api/accounts/policy`, read and cached for a minute; when
accounts cannot be reached, the last version seen stands (and before any, version 1, the one Intervu ships). A new
version therefore binds within a minute, or at the latest when the person's token next renews.

Reading one's own data and exercising a right (export, deletion, correction, consents) do not need it: those
endpoints simply do not use this dependency.
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Annotated

import httpx
from fastapi import Depends, Request

from intervu_kit.auth import CurrentUser, User
from intervu_kit.errors import Forbidden

log = logging.getLogger(__name__)

SHIPPED_VERSION = 1


class PolicyNotAccepted(Forbidden):
    code = "policy_not_accepted"
    message = "Read and accept the current privacy policy first (Settings, or the policy page)."


class CurrentPolicy:
    """The current policy version, cached (``ttl_s``); never raises: the last known version stands."""

    def __init__(self, url: str, ttl_s: float = 60.0, timeout_s: float = 2.0) -> None:
        self.url, self.ttl_s, self.timeout_s = url, ttl_s, timeout_s
        self.version = SHIPPED_VERSION
        self._fetched_at: float | None = None
        self._lock = asyncio.Lock()

    async def get(self) -> int:
        if not self.url or (self._fetched_at is not None and time.monotonic() - self._fetched_at < self.ttl_s):
            return self.version
        async with self._lock:
            if self._fetched_at is not None and time.monotonic() - self._fetched_at < self.ttl_s:
                return self.version
            try:
                async with httpx.AsyncClient(timeout=self.timeout_s) as http:
                    response = await http.get(self.url)
                    response.raise_for_status()
                    self.version = int(response.json()["version"])
            except (httpx.HTTPError, KeyError, ValueError, TypeError) as exc:
                log.warning("current privacy policy not readable from %s (%s); version %d stands", self.url, exc,
                            self.version)  # fmt: skip
            self._fetched_at = time.monotonic()
        return self.version


def accepted_version(user: User) -> int | None:
    value = user.claims.get("policy_version")
    try:
        return int(value) if value is not None else None
    except (TypeError, ValueError):
        return None


async def policy_accepted(request: Request, user: CurrentUser) -> User:
    current: CurrentPolicy | None = getattr(request.app.state, "current_policy", None)
    if current is None:
        settings = request.app.state.kit.settings
        current = CurrentPolicy(settings.policy_url or "", settings.policy_cache_s)
        request.app.state.current_policy = current
    wanted = await current.get()
    accepted = accepted_version(user)
    if accepted is None or accepted < wanted:
        raise PolicyNotAccepted(details={"current": wanted, "accepted": accepted})
    return user


# A person who accepted the current privacy policy (403 policy_not_accepted otherwise).
PolicyAccepted = Annotated[User, Depends(policy_accepted)]

"""How many requests one caller may make: a sliding window per caller, in the process (a pure core).

Why in each service and not at the proxy: Debian's Caddy has no rate-limit module, and a service knows what a
caller is. The caller is the bearer token (hashed; an attacker rotating tokens needs a valid one per key, and
Keycloak's brute-force protection bounds those) or, without one, the client address Caddy forwards. Each process
counts alone (N replicas allow N times as much): a bound against floods and scripts, not a quota.
"""

from __future__ import annotations

import hashlib
import time
from collections import OrderedDict, deque
from dataclasses import dataclass, field


@dataclass
class RateLimiter:
    limit: int  # requests per window
    window_s: float
    max_callers: int = 10_000  # memory stays bounded: the least recently seen callers are forgotten first
    _seen: OrderedDict[str, deque[float]] = field(default_factory=OrderedDict)

    def check(self, caller: str, now: float | None = None) -> float:
        """0 when the request may go ahead (and is counted), else the seconds until it may."""
        now = time.monotonic() if now is None else now
        times = self._seen.pop(caller, None) or deque()
        while times and times[0] <= now - self.window_s:
            times.popleft()
        self._seen[caller] = times
        if len(self._seen) > self.max_callers:
            self._seen.popitem(last=False)
        if len(times) >= self.limit:
            return max(0.001, times[0] + self.window_s - now)
        times.append(now)
        return 0.0


def caller_of(headers: dict[bytes, bytes], client: tuple[str, int] | None) -> str:
    authorization = headers.get(b"authorization", b"")
    if authorization.lower().startswith(b"bearer "):
        return "token:" + hashlib.sha256(authorization[7:].strip()).hexdigest()[:32]
    # Caddy (the only thing that reaches a service) puts the browser's address first in X-Forwarded-For.
    forwarded = headers.get(b"x-forwarded-for", b"").split(b",")[0].strip().decode("latin-1")
    return "address:" + (forwarded or (client[0] if client else "unknown"))

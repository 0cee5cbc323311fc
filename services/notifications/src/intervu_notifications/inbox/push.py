"""Web push (RFC 8030) with VAPID (RFC 8292) and aes128gcm payloads (RFC 8291), through pywebpush.

The endpoint of a subscription comes from the browser, so it is checked before it is stored and again before
every send: HTTPS, and a host of a known push service (`push_allowed_hosts`); our server never posts elsewhere.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

import anyio
from cryptography.hazmat.primitives import serialization
from intervu_kit.errors import IntervuError
from py_vapid import Vapid02
from pywebpush import WebPushException, webpush

from intervu_notifications.config import Settings


class PushEndpointNotAllowed(IntervuError):
    status = 422
    code = "push_endpoint_not_allowed"
    message = "This push endpoint is not a push service Intervu sends to."


class PushNotConfigured(IntervuError):
    status = 404
    code = "push_not_configured"
    message = "Web push is not set up on this server."


@dataclass(frozen=True)
class PushResult:
    status: str  # sent, gone (the subscription expired: remove it), failed
    error: str | None = None


class Pusher:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._vapid: Vapid02 | None = None
        if settings.vapid_private_key is not None:
            self._vapid = Vapid02.from_pem(settings.vapid_private_key.get_secret_value().encode())

    @property
    def configured(self) -> bool:
        return self._vapid is not None

    @property
    def public_key(self) -> str:
        if self._vapid is None:
            raise PushNotConfigured()
        raw = self._vapid.public_key.public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
        )
        return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()

    def check_endpoint(self, endpoint: str) -> None:
        parts = urlsplit(endpoint)
        host = (parts.hostname or "").lower()
        allowed = any(host == h or host.endswith("." + h) for h in self.settings.push_allowed_hosts)
        secure = parts.scheme == "https" or (parts.scheme == "http" and not self.settings.push_require_https)
        if not (allowed and secure and not parts.username and not parts.password):
            raise PushEndpointNotAllowed(details={"host": host})

    async def send(self, endpoint: str, p256dh: str, auth: str, payload: Mapping[str, object]) -> PushResult:
        assert self._vapid is not None
        self.check_endpoint(endpoint)
        info = {"endpoint": endpoint, "keys": {"p256dh": p256dh, "auth": auth}}
        claims = {"sub": self.settings.vapid_subject}
        data = json.dumps(payload)

        def post() -> None:
            webpush(info, data, vapid_private_key=self._vapid, vapid_claims=dict(claims), ttl=24 * 3600,
                    timeout=self.settings.http_timeout_s * 3)  # fmt: skip

        try:
            await anyio.to_thread.run_sync(post)
            return PushResult("sent")
        except WebPushException as exc:
            status = exc.response.status_code if exc.response is not None else None
            if status in (404, 410):  # the browser unsubscribed or the subscription expired
                return PushResult("gone", f"push service answered {status}")
            return PushResult("failed", f"{exc}"[:500])
        except Exception as exc:
            return PushResult("failed", f"{type(exc).__name__}: {exc}"[:500])

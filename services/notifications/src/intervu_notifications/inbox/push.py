"""Web push (RFC 8030) with VAPID (RFC 8292) and aes128gcm payloads (RFC 8291).

The endpoint of a subscription comes from the browser, so it is checked before it is stored and again before
every send, and the check reads the URL exactly as the HTTP client that sends reads it: the endpoint is parsed
once with `httpx.URL`, that object is checked, and that same object is what httpx connects to. (The check used to
be `urllib.parse.urlsplit` while the POST went out through `requests`, whose parser disagrees:
`https://127.0.0.1\\.fcm.googleapis.com/x` passed the host check and was sent to 127.0.0.1:443.)

An endpoint is accepted only when it is printable ASCII without a backslash, at most `MAX_ENDPOINT_LENGTH` long,
`https` on the default port, without userinfo or fragment, and its host is a DNS name (never an IP address) that
is one of `push_allowed_hosts` or a subdomain of one, compared label by label. The POST does not follow redirects
and has short timeouts. `push_require_https=False` (tests only: a stand-in push service on 127.0.0.1) also allows
plain http, an explicit port, and an IP address that `push_allowed_hosts` names exactly.
"""

from __future__ import annotations

import base64
import ipaddress
import json
import re
import time
from collections.abc import Mapping
from dataclasses import dataclass

import httpx
from cryptography.hazmat.primitives import serialization
from intervu_kit.errors import IntervuError
from py_vapid import Vapid02
from pywebpush import WebPusher

from intervu_notifications.config import Settings

# The endpoint column's size: a longer endpoint is refused rather than failing in the database.
MAX_ENDPOINT_LENGTH = 1000
_ERROR_BODY_BYTES = 500  # of a push service's error answer, kept for the operator
_TTL_S = 24 * 3600

_VISIBLE_ASCII = re.compile(r"[!-~]+")  # no space, no control character, nothing outside ASCII
_LABEL = re.compile(r"(?!-)[a-z0-9-]{1,63}(?<!-)")
_NUMERIC_LABEL = re.compile(r"[0-9]+|0x[0-9a-f]*")  # a last label like this makes the host an IPv4 address


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


def _is_ip_address(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return bool(_NUMERIC_LABEL.fullmatch(host.rsplit(".", 1)[-1]))  # 2130706433, 0x7f.1 (WHATWG reads IPv4)
    return True


def _is_dns_name(host: str) -> bool:
    labels = host.split(".")
    return len(host) <= 253 and len(labels) >= 2 and all(_LABEL.fullmatch(label) for label in labels)


def _under(host: str, allowed: str) -> bool:
    """``host`` is ``allowed`` or a subdomain of it, label by label (so ``evilfcm.googleapis.com`` is not under
    ``fcm.googleapis.com``)."""
    labels, parent = host.split("."), allowed.lower().strip(".").split(".")
    return len(labels) >= len(parent) and labels[len(labels) - len(parent) :] == parent


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

    def check_endpoint(self, endpoint: str) -> httpx.URL:
        """The endpoint as the URL httpx will connect to, if it is a push service's; else `PushEndpointNotAllowed`
        (422) with the reason in its details."""

        def refuse(reason: str) -> PushEndpointNotAllowed:
            return PushEndpointNotAllowed(details={"reason": reason})

        if len(endpoint) > MAX_ENDPOINT_LENGTH:
            raise refuse("too_long")
        if not _VISIBLE_ASCII.fullmatch(endpoint) or "\\" in endpoint:
            raise refuse("characters")
        try:
            url = httpx.URL(endpoint)
            host = url.raw_host.decode("ascii").lower()
        except (httpx.InvalidURL, ValueError):  # IDNA errors are ValueErrors too
            raise refuse("malformed") from None
        strict = self.settings.push_require_https
        if url.scheme != "https" and (strict or url.scheme != "http"):
            raise refuse("scheme")
        if url.userinfo:
            raise refuse("userinfo")
        if "#" in endpoint:  # never part of a push endpoint, and parsers disagree on where it may start
            raise refuse("fragment")
        if not host:
            raise refuse("malformed")
        if _is_ip_address(host):
            if strict or host not in (h.lower() for h in self.settings.push_allowed_hosts):
                raise refuse("ip_address")
        elif not (_is_dns_name(host) and any(_under(host, h) for h in self.settings.push_allowed_hosts)):
            raise refuse("host")
        if strict and url.port is not None:  # httpx reads an explicit :443 as the default port (None)
            raise refuse("port")
        return url

    async def send(self, endpoint: str, p256dh: str, auth: str, payload: Mapping[str, object]) -> PushResult:
        assert self._vapid is not None
        try:
            url = self.check_endpoint(endpoint)
        except PushEndpointNotAllowed as exc:  # stored before the check was tightened, or the allow-list changed
            return PushResult("failed", f"{exc.code}: {exc.details.get('reason')}")
        try:
            info = {"endpoint": str(url), "keys": {"p256dh": p256dh, "auth": auth}}
            body: bytes = WebPusher(info).encode(json.dumps(payload).encode(), "aes128gcm")["body"]
            origin = f"{url.scheme}://{url.netloc.decode('ascii')}"  # the VAPID audience: scheme, host, port
            claims = {"sub": self.settings.vapid_subject, "aud": origin, "exp": int(time.time()) + 12 * 3600}
            headers = {"content-encoding": "aes128gcm", "ttl": str(_TTL_S), **self._vapid.sign(claims)}
            timeout = httpx.Timeout(self.settings.http_timeout_s * 2, connect=self.settings.http_timeout_s)
            async with (
                httpx.AsyncClient(timeout=timeout, follow_redirects=False) as client,
                client.stream("POST", url, content=body, headers=headers) as response,  # the checked URL object
            ):
                answer = b""
                if response.status_code > 202:
                    async for chunk in response.aiter_bytes():
                        answer += chunk
                        if len(answer) >= _ERROR_BODY_BYTES:
                            break
        except Exception as exc:
            return PushResult("failed", f"{type(exc).__name__}: {exc}"[:500])
        status = response.status_code
        if status <= 202:
            return PushResult("sent")
        if status in (404, 410):  # the browser unsubscribed or the subscription expired
            return PushResult("gone", f"push service answered {status}")
        if response.is_redirect:
            return PushResult("failed", f"push service answered {status} (redirects are not followed)")
        text = answer[:_ERROR_BODY_BYTES].decode(errors="replace")
        return PushResult("failed", f"push service answered {status}: {text}"[:500])

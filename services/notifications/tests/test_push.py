"""Web push: a notice reaches the person's browsers, encrypted to each browser's keys (RFC 8291) and signed with
our VAPID key (RFC 8292), only with their consent; a push service that says the subscription is gone removes it.

A local HTTP server stands in for a browser vendor's push service; the test holds the browser's private key and
decrypts what arrived.
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import http_ece
import httpx
import jwt
import pytest
import sqlalchemy as sa
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from fastapi import FastAPI, Request, Response
from intervu_contracts import ConsentChanged, EventEnvelope, FeedbackCompleted
from intervu_kit.consents import copy_consent
from intervu_kit.db import Database
from intervu_kit.devstack.config import DevSettings
from intervu_kit.keycloak_users import KeycloakUsers
from intervu_kit.testing.asserts import assert_error
from intervu_kit.testing.plugin import SignedIn, running_app
from intervu_kit.testing.servers import serve
from intervu_notifications.config import Settings
from intervu_notifications.inbox.mail import Mailer
from intervu_notifications.inbox.push import Pusher
from intervu_notifications.inbox.service import Notifier
from intervu_notifications.main import app
from intervu_notifications.models import Notification, consents

SignIn = Callable[..., Awaitable[SignedIn]]
API = "/api/notifications"


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@dataclass
class Browser:
    """What a browser holds for a push subscription: its key pair and auth secret."""

    key: ec.EllipticCurvePrivateKey = field(default_factory=lambda: ec.generate_private_key(ec.SECP256R1()))
    auth: bytes = field(default_factory=lambda: os.urandom(16))

    def keys(self) -> dict[str, str]:
        raw = self.key.public_key().public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
        )
        return {"p256dh": _b64(raw), "auth": _b64(self.auth)}

    def read(self, body: bytes) -> dict[str, Any]:
        data: dict[str, Any] = json.loads(
            http_ece.decrypt(body, private_key=self.key, auth_secret=self.auth, version="aes128gcm")
        )
        return data


class PushService:
    """The stand-in push service: records every request; a token listed in ``gone`` answers 410; ``/moved/{status}``
    answers with that redirect to ``/elsewhere``, which records whatever reaches it."""

    def __init__(self) -> None:
        self.received: list[tuple[str, dict[str, str], bytes]] = []
        self.gone: set[str] = set()
        self.elsewhere: list[tuple[str, str]] = []
        self.app = FastAPI()

        @self.app.post("/push/{token}")
        async def push(token: str, request: Request) -> Response:
            self.received.append((token, dict(request.headers), await request.body()))
            return Response(status_code=410 if token in self.gone else 201)

        @self.app.post("/moved/{status}/{token}")
        async def moved(status: int, token: str, request: Request) -> Response:
            self.received.append((token, dict(request.headers), await request.body()))
            return Response(status_code=status, headers={"location": f"/elsewhere/{token}"})

        @self.app.api_route("/elsewhere/{token}", methods=["GET", "POST"])
        async def elsewhere(token: str, request: Request) -> Response:
            self.elsewhere.append((request.method, token))
            return Response(status_code=201)


@pytest.fixture
def push_service() -> Iterator[tuple[PushService, str]]:
    service = PushService()
    with serve(service.app) as base:
        yield service, base


@pytest.fixture
def settings(infra: DevSettings) -> Settings:
    key = ec.generate_private_key(ec.SECP256R1())
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    return Settings(vapid_private_key=pem.decode(), vapid_subject="mailto:ops@intervu.test",
                    push_allowed_hosts=["127.0.0.1"], push_require_https=False)  # fmt: skip


@contextlib.asynccontextmanager
async def _app_pushing_with(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    async with running_app(app) as c:
        app.state.pusher = Pusher(settings)  # this test's VAPID key and allowed hosts
        try:
            yield c
        finally:
            del app.state.pusher


@pytest.fixture
async def client(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    async with _app_pushing_with(settings) as c:
        yield c


@pytest.fixture
async def deployed_client(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    """The app with the push allow-list and HTTPS rule it is deployed with (only the VAPID key is this test's)."""
    deployed = Settings(vapid_private_key=settings.vapid_private_key)
    assert deployed.push_require_https and "fcm.googleapis.com" in deployed.push_allowed_hosts
    async with _app_pushing_with(deployed) as c:
        yield c


async def _allow(db: Database, user_id: str) -> None:
    event = ConsentChanged(user_id=user_id, purpose="notifications", granted=True, changed_at=datetime.now(UTC))
    async with db.transaction() as session:
        await copy_consent(session, consents, event)


async def test_a_notice_is_pushed_encrypted_to_each_browser_only_with_consent(
    settings: Settings, client: httpx.AsyncClient, sign_in: SignIn, push_service: tuple[PushService, str]
) -> None:
    service, base = push_service
    me, silent = await sign_in(), await sign_in()
    key = (await client.get(f"{API}/push/key", headers=me.headers)).json()["public_key"]
    laptop, phone, theirs = Browser(), Browser(), Browser()

    # Only a push service's endpoint is kept: not a metadata server, not a URL with credentials.
    for bad in (
        "http://169.254.169.254/latest/meta-data",
        "https://evil.example/push/1",
        f"{base}@evil/x".replace("http://", "http://u:p@"),
    ):
        refused = await client.post(
            f"{API}/push/subscriptions", json={"endpoint": bad, "keys": laptop.keys()}, headers=me.headers
        )
        assert_error(refused, 422, "push_endpoint_not_allowed")
    for browser, token, who in ((laptop, "laptop", me), (phone, "phone", me), (theirs, "theirs", silent)):
        body = {
            "endpoint": f"{base}/push/{token}-{uuid.uuid4().hex[:6]}",
            "keys": browser.keys(),
            "expirationTime": None,
        }
        assert (await client.post(f"{API}/push/subscriptions", json=body, headers=who.headers)).status_code == 201
    assert len((await client.get(f"{API}/push/subscriptions", headers=me.headers)).json()) == 2

    users = KeycloakUsers(settings)
    db = Database(settings.sqlalchemy_url, pool_size=2)
    notifier = Notifier(Mailer(settings), users, settings.app_url, Pusher(settings))
    try:
        await _allow(db, me.id)
        for who in (me, silent):
            event = FeedbackCompleted(feedback_id=uuid.uuid4(), answer_id=uuid.uuid4(), user_id=who.id,
                                      overall_score=81, source="text")  # fmt: skip
            async with db.transaction() as session:
                await notifier.feedback_ready(session, event, EventEnvelope.wrap(event, "feedback"))
    finally:
        await users.aclose()
        await db.dispose()

    # My two browsers got it, each readable only with its own keys; the person without consent got nothing.
    assert sorted(t.split("-")[0] for t, _, _ in service.received) == ["laptop", "phone"]
    for token, headers, received in service.received:
        browser = laptop if token.startswith("laptop") else phone
        message = browser.read(received)
        assert message["title"] == "Your feedback is ready" and message["link"].startswith("/answers/")
        assert headers["content-encoding"] == "aes128gcm" and int(headers["ttl"]) > 0
        # VAPID: a token signed by our key, for this push service's origin.
        scheme, _, params = headers["authorization"].partition(" ")
        fields = dict(p.strip().split("=", 1) for p in params.split(","))
        assert scheme == "vapid" and fields["k"] == key
        public = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), _unb64(fields["k"]))
        claims = jwt.decode(fields["t"], public, algorithms=["ES256"], audience=base)
        assert claims["sub"] == "mailto:ops@intervu.test"
    mine = (await client.get(f"{API}/inbox", headers=me.headers)).json()["items"][0]
    assert mine["push"] == "sent"
    assert (await client.get(f"{API}/inbox", headers=silent.headers)).json()["items"][0]["push"] == "no_consent"


async def test_a_gone_subscription_is_removed_and_push_can_be_turned_off(
    settings: Settings, client: httpx.AsyncClient, sign_in: SignIn, push_service: tuple[PushService, str]
) -> None:
    service, base = push_service
    me = await sign_in()
    token = f"old-{uuid.uuid4().hex[:6]}"
    service.gone.add(token)
    body = {"endpoint": f"{base}/push/{token}", "keys": Browser().keys()}
    assert (await client.post(f"{API}/push/subscriptions", json=body, headers=me.headers)).status_code == 201
    users = KeycloakUsers(settings)
    db = Database(settings.sqlalchemy_url, pool_size=2)
    notifier = Notifier(Mailer(settings), users, settings.app_url, Pusher(settings))

    async def notify() -> None:
        event = FeedbackCompleted(feedback_id=uuid.uuid4(), answer_id=uuid.uuid4(), user_id=me.id, overall_score=70,
                                  source="text")  # fmt: skip
        async with db.transaction() as session:
            await notifier.feedback_ready(session, event, EventEnvelope.wrap(event, "feedback"))

    try:
        await _allow(db, me.id)
        await notify()
        assert (await client.get(f"{API}/push/subscriptions", headers=me.headers)).json() == []  # 410: removed
        assert (await client.get(f"{API}/inbox", headers=me.headers)).json()["items"][0]["push"] == "no_subscription"
        await client.put(f"{API}/preferences", json={"push": False}, headers=me.headers)
        await notify()
        assert (await client.get(f"{API}/inbox", headers=me.headers)).json()["items"][0]["push"] == "push_off"
        assert len(service.received) == 1
    finally:
        await users.aclose()
        await db.dispose()


async def _feedback_ready(settings: Settings, *user_ids: str) -> None:
    """A feedback-ready notice for each person, who allowed notifications, through the notifier."""
    users = KeycloakUsers(settings)
    db = Database(settings.sqlalchemy_url, pool_size=2)
    notifier = Notifier(Mailer(settings), users, settings.app_url, Pusher(settings))
    try:
        for user_id in user_ids:
            await _allow(db, user_id)
            event = FeedbackCompleted(feedback_id=uuid.uuid4(), answer_id=uuid.uuid4(), user_id=user_id,
                                      overall_score=75, source="text")  # fmt: skip
            async with db.transaction() as session:
                await notifier.feedback_ready(session, event, EventEnvelope.wrap(event, "feedback"))
    finally:
        await users.aclose()
        await db.dispose()


_FCM = "https://fcm.googleapis.com/fcm/send/"

# Endpoints that must never be stored, with the reason the refusal gives. The first ones are read differently by
# different URL parsers: whatever the check reads, the HTTP client must connect to that same host.
HOSTILE = [
    ("https://127.0.0.1\\.fcm.googleapis.com/x", "characters"),  # urllib3 (requests) connects to 127.0.0.1:443
    ("https://fcm.googleapis.com\\@127.0.0.1/", "characters"),
    ("https://127.0.0.1%5C.fcm.googleapis.com/x", "host"),
    ("https://127.0.0.1%5c.fcm.googleapis.com/x", "host"),
    ("https://fcm.googleapis.com@127.0.0.1/", "userinfo"),
    ("https://user:secret@fcm.googleapis.com/fcm/send/abc", "userinfo"),
    ("https://127.0.0.1/", "ip_address"),
    ("https://[::1]/", "ip_address"),
    ("https://[::ffff:127.0.0.1]/", "ip_address"),
    ("https://0x7f.0.0.1/", "ip_address"),
    ("https://169.254.169.254/latest/meta-data", "ip_address"),
    ("https://2130706433/fcm/send/abc", "ip_address"),  # 127.0.0.1 as one number
    ("https://fcm.googleapis.com:8443/", "port"),
    ("https://fcm.googleapis.com:80/fcm/send/abc", "port"),
    ("http://fcm.googleapis.com/", "scheme"),
    ("ftp://fcm.googleapis.com/fcm/send/abc", "scheme"),
    ("https://evilfcm.googleapis.com.attacker.net/", "host"),
    ("https://fcm.googleapis.com.attacker.net/", "host"),
    ("https://evilfcm.googleapis.com/fcm/send/abc", "host"),  # a suffix of the string, not of the labels
    ("https://fcm.googleapis.com./fcm/send/abc", "host"),
    ("https://localhost/fcm/send/abc", "host"),
    ("https://fcm.goo\tgleapis.com/fcm/send/abc", "characters"),
    ("https://fcm.googleapis.com/fcm/send/abc\nHost: 127.0.0.1", "characters"),
    ("https://fcm.googleapis.com/fcm/send/a b", "characters"),
    ("https://fcm\u3002googleapis.com/fcm/send/abc", "characters"),  # an ideographic full stop, read as a dot
    ("https://fcm.googleapis.com#@127.0.0.1/", "fragment"),
    ("https:fcm.googleapis.com/fcm/send/abc", "malformed"),
    ("https://[::1/", "malformed"),
    ("https://fcm.googleapis.com:abc/fcm/send/abc", "malformed"),
    ("https://xn--fcm-.googleapis.com/fcm/send/abc", "host"),
    ("https://%66cm.googleapis.com/fcm/send/abc", "host"),
    (_FCM + "a" * (1001 - len(_FCM)), "too_long"),
    (_FCM + "a" * 5000, "too_long"),
]


async def test_only_a_push_services_own_https_endpoint_is_accepted(
    deployed_client: httpx.AsyncClient, sign_in: SignIn
) -> None:
    me = await sign_in()
    keys = Browser().keys()
    for endpoint, reason in HOSTILE:
        refused = await deployed_client.post(
            f"{API}/push/subscriptions", json={"endpoint": endpoint, "keys": keys}, headers=me.headers
        )
        error = assert_error(refused, 422, "push_endpoint_not_allowed")
        assert error["details"] == {"reason": reason}, endpoint
    assert (await deployed_client.get(f"{API}/push/subscriptions", headers=me.headers)).json() == []

    token = uuid.uuid4().hex
    good = [
        f"{_FCM}{token}:APA91bH",
        f"https://fcm.googleapis.com:443/fcm/send/{token}-default-port",
        f"https://updates.push.services.mozilla.com/wpush/v2/gAAAAABl{token}",
        f"https://web.push.apple.com/QGuQyavXutnMH{token}",
        f"https://wns2-by3p.notify.windows.com/w/?token=BQYAAAB{token}",
        f"{_FCM}{token}".ljust(1000, "a"),  # as long as is kept
    ]
    for endpoint in good:
        body = {"endpoint": endpoint, "keys": keys}
        accepted = await deployed_client.post(f"{API}/push/subscriptions", json=body, headers=me.headers)
        assert accepted.status_code == 201, (endpoint, accepted.text)
    mine = (await deployed_client.get(f"{API}/push/subscriptions", headers=me.headers)).json()
    assert sorted(s["endpoint"] for s in mine) == sorted(good)


async def test_a_redirect_from_the_push_service_is_not_followed(
    settings: Settings, client: httpx.AsyncClient, sign_in: SignIn, push_service: tuple[PushService, str]
) -> None:
    service, base = push_service
    me = await sign_in()
    for status in (302, 307, 308):
        body = {"endpoint": f"{base}/moved/{status}/{uuid.uuid4().hex[:8]}", "keys": Browser().keys()}
        assert (await client.post(f"{API}/push/subscriptions", json=body, headers=me.headers)).status_code == 201

    await _feedback_ready(settings, me.id)

    assert len(service.received) == 3  # each endpoint was posted to once, and nothing else was asked for
    assert service.elsewhere == []
    notice = (await client.get(f"{API}/inbox", headers=me.headers)).json()["items"][0]
    assert notice["push"] == "failed"  # not "gone": the subscriptions stay
    db = Database(settings.sqlalchemy_url, pool_size=1)
    try:
        async with db.transaction() as session:
            error = await session.scalar(sa.select(Notification.push_error).where(Notification.user_id == me.id))
    finally:
        await db.dispose()
    assert error is not None and error.count("(redirects are not followed)") == 3, error
    assert len((await client.get(f"{API}/push/subscriptions", headers=me.headers)).json()) == 3


async def test_someone_elses_push_endpoint_cannot_be_taken_over(
    settings: Settings, client: httpx.AsyncClient, sign_in: SignIn, push_service: tuple[PushService, str]
) -> None:
    service, base = push_service
    me, other = await sign_in(), await sign_in()
    endpoint = f"{base}/push/mine-{uuid.uuid4().hex[:8]}"
    mine, theirs = Browser(), Browser()
    subscribed = await client.post(
        f"{API}/push/subscriptions", json={"endpoint": endpoint, "keys": mine.keys()}, headers=me.headers
    )
    assert subscribed.status_code == 201
    my_id = subscribed.json()["id"]

    # Someone who learnt my endpoint URL registers it: with their own keys, or even with mine. Refused, either way.
    for keys in (theirs.keys(), mine.keys()):
        taken = await client.post(
            f"{API}/push/subscriptions", json={"endpoint": endpoint, "keys": keys}, headers=other.headers
        )
        assert_error(taken, 409, "push_endpoint_taken")
    assert (await client.get(f"{API}/push/subscriptions", headers=other.headers)).json() == []
    assert_error(
        await client.delete(f"{API}/push/subscriptions/{my_id}", headers=other.headers),
        404,
        "push_subscription_not_found",
    )

    # My browser subscribing again (new keys) updates my own subscription.
    renewed = Browser()
    again = await client.post(
        f"{API}/push/subscriptions", json={"endpoint": endpoint, "keys": renewed.keys()}, headers=me.headers
    )
    assert again.status_code == 201 and again.json()["id"] == my_id
    assert [s["id"] for s in (await client.get(f"{API}/push/subscriptions", headers=me.headers)).json()] == [my_id]

    await _feedback_ready(settings, me.id, other.id)

    # My notice reached my endpoint, encrypted to my browser's current keys; the other person's went nowhere.
    assert len(service.received) == 1
    _, _, received = service.received[0]
    assert renewed.read(received)["title"] == "Your feedback is ready"
    assert (await client.get(f"{API}/inbox", headers=me.headers)).json()["items"][0]["push"] == "sent"
    assert (await client.get(f"{API}/inbox", headers=other.headers)).json()["items"][0]["push"] == "no_subscription"

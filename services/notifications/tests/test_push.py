"""Web push: a notice reaches the person's browsers, encrypted to each browser's keys (RFC 8291) and signed with
our VAPID key (RFC 8292), only with their consent; a push service that says the subscription is gone removes it.

A local HTTP server stands in for a browser vendor's push service; the test holds the browser's private key and
decrypts what arrived.
"""

from __future__ import annotations

import base64
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
from intervu_notifications.models import consents

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
    """The stand-in push service: records every request; a token listed in ``gone`` answers 410."""

    def __init__(self) -> None:
        self.received: list[tuple[str, dict[str, str], bytes]] = []
        self.gone: set[str] = set()
        self.app = FastAPI()

        @self.app.post("/push/{token}")
        async def push(token: str, request: Request) -> Response:
            self.received.append((token, dict(request.headers), await request.body()))
            return Response(status_code=410 if token in self.gone else 201)


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


@pytest.fixture
async def client(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    async with running_app(app) as c:
        app.state.pusher = Pusher(settings)  # this test's VAPID key and allowed hosts
        try:
            yield c
        finally:
            del app.state.pusher


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
        assert message["title"] == "Your feedback is ready" and message["link"].startswith("/results/")
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

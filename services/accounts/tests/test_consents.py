"""Consents: separate per purpose, private by default, withdrawable at any time, every change kept with its time
and announced to the services (accounts.consent_changed.v1 in the outbox, committed with the change)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from intervu_accounts.config import get_settings
from intervu_accounts.main import app
from intervu_accounts.models import events
from intervu_kit.db import Database
from intervu_kit.devstack.config import DevSettings
from intervu_kit.testing.asserts import assert_error
from intervu_kit.testing.plugin import SignedIn, running_app

SignIn = Callable[..., Awaitable[SignedIn]]
API = "/api/accounts/consents"


@pytest.fixture
async def client(infra: DevSettings) -> AsyncIterator[httpx.AsyncClient]:
    async with running_app(app) as c:
        yield c


async def _announced(user_id: str) -> list[dict[str, Any]]:
    db = Database(get_settings().sqlalchemy_url)
    try:
        async with db.transaction() as session:
            rows = (
                await session.scalars(
                    sa.select(events.outbox.c.envelope)
                    .where(events.outbox.c.name == "accounts.consent_changed.v1")
                    .where(events.outbox.c.envelope["data"]["user_id"].astext == user_id)
                    .order_by(events.outbox.c.created_at)
                )
            ).all()
    finally:
        await db.dispose()
    return [r["data"] for r in rows]


async def test_consents_are_private_by_default_and_every_change_is_kept(
    client: httpx.AsyncClient, sign_in: SignIn
) -> None:
    me, other = await sign_in(), await sign_in()
    initial = {c["purpose"]: c for c in (await client.get(API, headers=me.headers)).json()}
    assert {p: c["granted"] for p, c in initial.items()} == {
        "third_party_ai": False, "keep_recordings": True, "device_info": False, "notifications": False,
    }  # fmt: skip
    assert all(c["changed_at"] is None and c["description"] for c in initial.values())

    granted = await client.put(f"{API}/third_party_ai", json={"granted": True}, headers=me.headers)
    assert granted.status_code == 200 and granted.json()["granted"] is True
    again = await client.put(f"{API}/third_party_ai", json={"granted": True}, headers=me.headers)
    assert again.json()["changed_at"] == granted.json()["changed_at"]  # no change, no new entry
    withdrawn = (await client.put(f"{API}/third_party_ai", json={"granted": False}, headers=me.headers)).json()
    assert withdrawn["granted"] is False
    short = await client.put(f"{API}/keep_recordings", json={"granted": False, "retention_days": 7}, headers=me.headers)
    assert (short.json()["granted"], short.json()["retention_days"]) == (False, 7)

    history = (await client.get(f"{API}/history", headers=me.headers)).json()
    assert [(h["purpose"], h["granted"], h["retention_days"]) for h in history] == [
        ("keep_recordings", False, 7), ("third_party_ai", False, None), ("third_party_ai", True, None),
    ]  # fmt: skip
    assert history[0]["changed_at"] >= history[1]["changed_at"] >= history[2]["changed_at"]
    announced = await _announced(me.id)
    assert [(e["purpose"], e["granted"], e["retention_days"]) for e in announced] == [
        ("third_party_ai", True, None), ("third_party_ai", False, None), ("keep_recordings", False, 7),
    ]  # fmt: skip

    # Another person's consents are their own.
    theirs = {c["purpose"]: c["granted"] for c in (await client.get(API, headers=other.headers)).json()}
    assert theirs["third_party_ai"] is False and theirs["keep_recordings"] is True
    assert (await client.get(f"{API}/history", headers=other.headers)).json() == []


async def test_bad_consent_requests_get_clear_errors(client: httpx.AsyncClient, sign_in: SignIn) -> None:
    me = await sign_in()
    assert_error(
        await client.put(f"{API}/third_party_ai", json={"granted": True, "retention_days": 5}, headers=me.headers),
        422,
        "retention_not_applicable",
    )
    for purpose, body in [
        ("marketing", {"granted": True}),
        ("keep_recordings", {"granted": False, "retention_days": 0}),
        ("keep_recordings", {"granted": False, "retention_days": 1000}),
        ("notifications", {"granted": "maybe"}),
        ("notifications", {}),
    ]:
        assert_error(await client.put(f"{API}/{purpose}", json=body, headers=me.headers), 422, "validation_error")
    assert (await client.get(API)).status_code == 401
    assert (await client.get(f"{API}/history", headers=me.headers)).json() == []  # nothing was changed
    far = await client.get(f"{API}/history", params={"offset": 10**20}, headers=me.headers)
    assert_error(far, 422, "validation_error")  # was a bigint overflow in PostgreSQL: a 500

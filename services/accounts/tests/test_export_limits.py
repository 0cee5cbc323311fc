"""Exports are bounded per person (issue 15, quota bypass: each export copies every recording and is kept for a week,
and nothing limited how many a person could ask for, or stopped two asked at once from both starting)."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable

import httpx
import pytest
import sqlalchemy as sa
from intervu_accounts.config import get_settings
from intervu_accounts.main import app
from intervu_accounts.models import Export
from intervu_kit.db import Database
from intervu_kit.devstack.config import DevSettings
from intervu_kit.testing.asserts import assert_error
from intervu_kit.testing.plugin import SignedIn, running_app

SignIn = Callable[..., Awaitable[SignedIn]]
API = "/api/accounts/exports"


@pytest.fixture
async def client(infra: DevSettings) -> AsyncIterator[httpx.AsyncClient]:
    async with running_app(app) as c:
        yield c


async def _finish(export_id: str) -> None:
    """What the worker does once every service answered (no worker runs here: only the request path is tested)."""
    db = Database(get_settings().sqlalchemy_url)
    try:
        async with db.transaction() as session:
            await session.execute(sa.update(Export).where(Export.id == uuid.UUID(export_id)).values(status="ready"))
    finally:
        await db.dispose()


async def test_exports_asked_at_once_start_one_and_a_day_holds_three(
    client: httpx.AsyncClient, sign_in: SignIn
) -> None:
    me = await sign_in()
    at_once = await asyncio.gather(*(client.post(API, headers=me.headers) for _ in range(5)))
    assert {r.status_code for r in at_once} == {202}
    assert len({r.json()["id"] for r in at_once}) == 1  # one export being collected, returned to every ask
    await _finish(at_once[0].json()["id"])
    for _ in range(2):
        asked = await client.post(API, headers=me.headers)
        assert asked.status_code == 202
        await _finish(asked.json()["id"])
    refused = await client.post(API, headers=me.headers)
    error = assert_error(refused, 429, "export_limit")
    assert error["details"]["max_per_day"] == 3
    assert 0 < int(refused.headers["retry-after"]) <= 24 * 3600
    assert len((await client.get(API, headers=me.headers)).json()) == 3  # the earlier ones are all still there
    other = await sign_in()
    assert (await client.post(API, headers=other.headers)).status_code == 202  # one person's limit only

"""What a person prepares for (onboarding, Settings): kept per person, checked, announced to notifications, and
part of their export and deletion."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime, timedelta

import httpx
import pytest
import sqlalchemy as sa
from intervu_interviews.config import get_settings
from intervu_interviews.main import app
from intervu_interviews.models import events
from intervu_interviews.privacy import USER_DATA
from intervu_kit.db import Database
from intervu_kit.devstack.config import DevSettings
from intervu_kit.testing.asserts import assert_error
from intervu_kit.testing.plugin import SignedIn, running_app

API = "/api/interviews"
SignIn = Callable[..., Awaitable[SignedIn]]


@pytest.fixture
async def client(infra: DevSettings) -> AsyncIterator[httpx.AsyncClient]:
    async with running_app(app) as c:
        yield c


async def test_a_goal_is_kept_checked_and_announced(client: httpx.AsyncClient, sign_in: SignIn) -> None:
    me, other = await sign_in(), await sign_in()
    empty = (await client.get(f"{API}/goal", headers=me.headers)).json()
    assert empty | {"updated_at": None} == {"role": None, "role_label": None, "difficulty": None,
                                            "interview_date": None, "days_until": None, "updated_at": None}  # fmt: skip

    role = (await client.get(f"{API}/roles", headers=me.headers)).json()[0]
    when = (datetime.now(UTC) + timedelta(days=9)).date()
    body = {"role": role["role"], "difficulty": "hard", "interview_date": when.isoformat()}
    saved = await client.put(f"{API}/goal", json=body, headers=me.headers)
    assert saved.status_code == 200, saved.text
    assert saved.json() | {"updated_at": None} == {**body, "role_label": role["label"], "days_until": 9,
                                                   "updated_at": None}  # fmt: skip
    assert (await client.get(f"{API}/goal", headers=me.headers)).json()["days_until"] == 9
    assert (await client.get(f"{API}/goal", headers=other.headers)).json()["role"] is None  # per person

    # Clearing a field is saying null; what is wrong is a 422 with its code, and nothing changes.
    assert_error(await client.put(f"{API}/goal", json={"role": "astronaut"}, headers=me.headers), 422, "unknown_role")
    past = (datetime.now(UTC) - timedelta(days=3)).date().isoformat()
    far = (datetime.now(UTC) + timedelta(days=800)).date().isoformat()
    for date in (past, far):
        response = await client.put(f"{API}/goal", json={"interview_date": date}, headers=me.headers)
        assert_error(response, 422, "invalid_interview_date")
    assert_error(await client.put(f"{API}/goal", json={"difficulty": "impossible"}, headers=me.headers), 422,
                 "validation_error")  # fmt: skip
    assert_error(await client.put(f"{API}/goal", json={"salary": 1}, headers=me.headers), 422, "validation_error")
    assert (await client.get(f"{API}/goal", headers=me.headers)).json()["difficulty"] == "hard"
    assert (await client.put(f"{API}/goal", json={"difficulty": "easy"})).status_code == 401

    db = Database(get_settings().sqlalchemy_url)
    try:
        async with db.transaction() as s:
            rows = (
                await s.execute(
                    sa.select(events.outbox.c.envelope).where(events.outbox.c.name == "interviews.goal_changed.v1")
                )
            ).scalars()
            mine = [r["data"] for r in rows if r["data"]["user_id"] == me.id]
        assert len(mine) == 1  # refused changes announce nothing
        assert (mine[0]["role_label"], mine[0]["interview_date"]) == (role["label"], when.isoformat())
        # The person's goal is theirs: exported with their data, and deleted with it.
        async with db.transaction() as s:
            exported = await USER_DATA.rows(s, me.id)
        assert exported["practice_goals"][0]["role"] == role["role"]
    finally:
        await db.dispose()

"""Progress over time: every finished feedback is a point; the progress API gives the overall score day by day,
each skill's trend, and pace, filler and pause trends, for the person's own answers only."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from intervu_analytics.config import get_settings
from intervu_analytics.main import app
from intervu_analytics.progress.service import on_feedback_completed
from intervu_contracts import DeliveryFigures, EventEnvelope, FeedbackCompleted
from intervu_kit.db import Database
from intervu_kit.devstack.config import DevSettings
from intervu_kit.testing.asserts import assert_error
from intervu_kit.testing.plugin import SignedIn, running_app

SignIn = Callable[..., Awaitable[SignedIn]]


@pytest.fixture
async def client(infra: DevSettings) -> AsyncIterator[httpx.AsyncClient]:
    async with running_app(app) as c:
        yield c


def _result(user_id: str, at: datetime, overall: float, pace: int, wpm: float, fillers: float) -> FeedbackCompleted:
    return FeedbackCompleted(
        feedback_id=uuid.uuid4(), answer_id=uuid.uuid4(), user_id=user_id, overall_score=overall, source="recording",
        session_id=uuid.uuid4(), question_type="behavioral", difficulty="medium",
        scores={"pace": pace, "fillers": int(100 - fillers * 10), "structure": 50},
        delivery=DeliveryFigures(words=200, duration_s=90, wpm=wpm, fillers_per_minute=fillers, longest_pause_s=2.0),
        completed_at=at,
    )  # fmt: skip


async def _record(*events: FeedbackCompleted) -> None:
    db = Database(get_settings().sqlalchemy_url, pool_size=1)
    try:
        for event in events:
            async with db.transaction() as session:
                await on_feedback_completed(session, event, EventEnvelope.wrap(event, "feedback"))
    finally:
        await db.dispose()


async def test_progress_over_weeks_per_skill_and_delivery(client: httpx.AsyncClient, sign_in: SignIn) -> None:
    me, other = await sign_in(), await sign_in()
    now = datetime.now(UTC)
    # Four weeks of practice, getting better: faster towards a good pace, fewer fillers, higher scores.
    mine = [_result(me.id, now - timedelta(days=28 - 7 * i), 50 + 10 * i, 40 + 15 * i, 100 + 10 * i, 8 - 2 * i)
            for i in range(4)]  # fmt: skip
    old = _result(me.id, now - timedelta(days=200), 10, 10, 60, 12)  # outside the default 90 days
    await _record(*mine, old, _result(other.id, now, 99, 99, 150, 0))
    await _record(mine[0])  # delivered again: still one point

    body = (await client.get("/api/analytics/progress", headers=me.headers)).json()
    assert body["answers"] == 4 and body["sessions"] == 4
    assert [p["value"] for p in body["overall"]["points"]] == [50, 60, 70, 80]
    assert body["overall"]["per_week"] == pytest.approx(10, abs=0.01) and body["overall"]["latest"] == 80
    assert [d["overall"] for d in body["days"]] == [50, 60, 70, 80]
    skills = {s["name"]: s for s in body["skills"]}
    assert list(skills) == ["structure", "pace", "fillers"]  # the page's order
    assert skills["pace"]["per_week"] == pytest.approx(15, abs=0.01) and skills["structure"]["per_week"] == 0
    assert body["pace_wpm"]["per_week"] == pytest.approx(10, abs=0.01)
    assert body["fillers_per_minute"]["per_week"] == pytest.approx(-2, abs=0.01)
    assert body["by_question_type"] == {"behavioral": 65.0}

    longer = (await client.get("/api/analytics/progress?days=365", headers=me.headers)).json()
    assert longer["answers"] == 5 and longer["overall"]["points"][0]["value"] == 10
    theirs = (await client.get("/api/analytics/progress", headers=other.headers)).json()
    assert theirs["answers"] == 1 and theirs["overall"]["per_week"] is None  # one point: no trend
    nobody = (await client.get("/api/analytics/progress", headers=(await sign_in()).headers)).json()
    assert nobody["answers"] == 0 and nobody["overall"]["average"] is None and nobody["skills"] == []
    assert_error(await client.get("/api/analytics/progress?days=0", headers=me.headers), 422, "validation_error")

"""The typed-answer path through the real broker: an answer typed in the interviews API reaches the feedback worker
as interviews.answer_submitted.v1 (outbox -> JetStream -> inbox), with the bank question's key points, and the
feedback appears in the feedback API."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from typing import Any

from intervu_feedback.answers.service import Analyser, analysis_runner
from intervu_feedback.coaching.local import LocalCoach
from intervu_feedback.config import Settings as FeedbackSettings
from intervu_feedback.consumers import registrar
from intervu_feedback.main import app as feedback_app
from intervu_feedback.models import events as feedback_events
from intervu_interviews.config import get_settings as interviews_settings
from intervu_interviews.main import app as interviews_app
from intervu_interviews.models import events as interviews_events
from intervu_kit.settings import Environment
from intervu_kit.storage import storage_from_settings
from intervu_kit.testing.plugin import SignedIn, running_app
from intervu_kit.testing.workers import private_worker
from intervu_nlp import default_encoder

SignIn = Callable[..., Awaitable[SignedIn]]
ANSWER = (
    "When I joined, the support queue had grown to three hundred tickets because of a billing bug. My task was to "
    "bring response times back under a day. I sorted the tickets by severity and SLA deadline, answered the similar "
    "ones with a macro, and asked the team lead for two colleagues for a week. As a result the backlog was cleared "
    "in five days and our first response time fell from 40 hours to 6."
)


def _worker() -> contextlib.AbstractAsyncContextManager[str]:
    """The interviews relay and a feedback worker whose durable consumers are this test's own, from now on."""
    settings = FeedbackSettings(environment=Environment.TEST)
    analyser = Analyser(storage_from_settings(settings), default_encoder(), LocalCoach())
    return private_worker(
        settings,
        feedback_events,
        registrar(),
        jobs=[analysis_runner(analyser, settings)],
        relays=[(interviews_settings(), interviews_events)],
    )


async def test_a_typed_answer_travels_the_broker_and_comes_back_as_feedback(infra: object, sign_in: SignIn) -> None:
    me = await sign_in()
    async with running_app(interviews_app) as interviews, running_app(feedback_app) as feedback, _worker():
        created = await interviews.post(
            "/api/interviews/sessions",
            json={"role": "customer-support", "type": "behavioral", "question_count": 1},
            headers=me.headers,
        )
        assert created.status_code == 201, created.text
        session = created.json()
        slot = session["questions"][0]
        answered = await interviews.post(
            f"/api/interviews/sessions/{session['id']}/questions/{slot['id']}/answers",
            json={"kind": "text", "text": ANSWER},
            headers=me.headers,
        )
        assert answered.status_code == 201, answered.text
        answer_id = answered.json()["id"]
        body: dict[str, Any] = {}
        deadline = asyncio.get_running_loop().time() + 60
        while asyncio.get_running_loop().time() < deadline:
            response = await feedback.get(f"/api/feedback/answers/{answer_id}", headers=me.headers)
            body = response.json() if response.status_code == 200 else {}
            if body.get("status") == "ready":
                break
            await asyncio.sleep(0.3)
    assert body.get("status") == "ready", body
    assert body["source"] == "text" and body["attempt"] == 1
    coverage = next(s for s in body["scores"] if s["name"] == "coverage")
    # The bank question's own key points travelled with the event.
    assert f"of {len(slot['question']['key_points'])} key points" in coverage["explanation"]
    assert next(s for s in body["scores"] if s["name"] == "structure")["value"] == 100
    assert body["coaching"]["summary"]

"""Ahead of the session, through the real broker: a session created in the interviews API reaches the avatar worker
as interviews.session_created.v1 (outbox -> JetStream -> inbox), with its questions' text and the chosen
interviewer, and the worker's render loop has the videos ready before the user asks for them."""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

from intervu_avatar.clips.service import Renderer
from intervu_avatar.config import Settings as AvatarSettings
from intervu_avatar.consumers import registrar
from intervu_avatar.main import app as avatar_app
from intervu_avatar.models import events as avatar_events
from intervu_avatar.providers.local import LocalAvatar
from intervu_interviews.config import get_settings as interviews_settings
from intervu_interviews.main import app as interviews_app
from intervu_interviews.models import events as interviews_events
from intervu_kit.settings import Environment
from intervu_kit.storage import storage_from_settings
from intervu_kit.testing.plugin import SignedIn, running_app
from intervu_kit.testing.workers import private_worker

SignIn = Callable[..., Awaitable[SignedIn]]


def _worker(settings: AvatarSettings) -> contextlib.AbstractAsyncContextManager[str]:
    """The interviews relay and an avatar worker (consumer + render loop) with this test's own durables."""
    local = LocalAvatar()
    local.version = f"{local.version}+{uuid.uuid4().hex[:8]}"  # this test's own cache: it renders, it does not find
    renderer = Renderer(storage_from_settings(settings), local, local)
    return private_worker(
        settings,
        avatar_events,
        registrar(local),
        jobs=[renderer.run],
        relays=[(interviews_settings(), interviews_events)],
    )


async def test_a_new_session_gets_its_interviewer_videos(infra: object, sign_in: SignIn) -> None:
    me = await sign_in()
    settings = AvatarSettings(environment=Environment.TEST)
    async with running_app(interviews_app) as interviews, running_app(avatar_app) as avatar, _worker(settings):
        created = await interviews.post(
            "/api/interviews/sessions",
            json={"role": "marketing", "question_count": 1, "interviewer": "sam"},
            headers=me.headers,
        )
        assert created.status_code == 201, created.text
        session = created.json()
        body: dict[str, Any] = {}
        deadline = asyncio.get_running_loop().time() + 120
        while asyncio.get_running_loop().time() < deadline:
            response = await avatar.get(f"/api/avatar/sessions/{session['id']}/videos", headers=me.headers)
            assert response.status_code == 200, response.text  # before the plan arrives: an empty plan, not a 404
            body = response.json()
            if body["total"] > 0 and body["ready"] == body["total"]:
                break
            await asyncio.sleep(0.3)
    assert body and body["ready"] == body["total"] == 3, body
    assert body["persona"]["id"] == "sam"
    assert [c["kind"] for c in body["clips"]] == ["intro", "question", "closing"]
    question = body["clips"][1]
    assert question["text"] == session["questions"][0]["question"]["text"]
    assert question["question_id"] == session["questions"][0]["question"]["id"]
    assert all(c["status"] == "ready" and c["media"] == "video" and c["webm_url"] for c in body["clips"])
    assert "one question" in body["clips"][0]["text"]

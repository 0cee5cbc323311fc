"""One status per answer, fed by every service's events and pushed to the browser (issue 15, section 2): the stages
in order, never backwards whatever the arrival order, over server-sent events and with a polling fallback."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import httpx
import pytest
from intervu_contracts import (
    Event,
    EventEnvelope,
    FeedbackCompleted,
    RecordingProcessing,
    RecordingUploaded,
    TranscriptionCompleted,
    TranscriptionFailed,
    TranscriptionProgressed,
    UploadStarted,
)
from intervu_interviews import consumers
from intervu_interviews.config import get_settings
from intervu_interviews.main import app
from intervu_interviews.models import AnswerStage
from intervu_interviews.status.core import next_state
from intervu_kit.db import Database
from intervu_kit.testing.asserts import assert_error
from intervu_kit.testing.plugin import SignedIn
from intervu_kit.testing.servers import serve

SignIn = Callable[..., Awaitable[SignedIn]]
API = "/api/interviews"
S = AnswerStage


def test_stages_only_move_forward_and_a_new_upload_starts_over() -> None:
    assert next_state(S.AWAITING_RECORDING, 0, S.UPLOADING) is not None
    assert next_state(S.TRANSCRIBING, 0.4, S.TRANSCRIBING, 0.6) == next_state(S.CHECKING, 0, S.TRANSCRIBING, 0.6)
    assert next_state(S.TRANSCRIBING, 0.6, S.TRANSCRIBING, 0.4) is None  # a late, smaller share
    assert next_state(S.ANALYSING, 0, S.TRANSCRIBING, 0.9) is None  # a late progress event
    assert next_state(S.ANALYSING, 0, S.UPLOADING) is None
    done = next_state(S.ANALYSING, 0, S.READY)
    assert done is not None and done.share == 1.0
    assert next_state(S.READY, 1, S.FAILED) is None and next_state(S.READY, 1, S.UPLOADING) is None
    again = next_state(S.REJECTED, 1, S.UPLOADING)  # the person uploads the same answer again
    assert again is not None and again.stage == S.UPLOADING and again.share == 0


@pytest.fixture
async def db() -> AsyncIterator[Database]:
    database = Database(get_settings().sqlalchemy_url)
    yield database
    await database.dispose()


async def _recording_answer(client: httpx.AsyncClient, who: SignedIn) -> tuple[str, str]:
    session = (
        await client.post(f"{API}/sessions", json={"role": "retail", "question_count": 1}, headers=who.headers)
    ).json()
    slot = session["questions"][0]["id"]
    answer = (
        await client.post(
            f"{API}/sessions/{session['id']}/questions/{slot}/answers", json={"kind": "recording"}, headers=who.headers
        )
    ).json()
    return session["id"], answer["id"]


async def _deliver(db: Database, event: Event) -> None:
    handler = {
        UploadStarted: consumers.on_upload_started,
        RecordingProcessing: consumers.on_recording_processing,
        RecordingUploaded: consumers.on_recording_uploaded,
        TranscriptionProgressed: consumers.on_transcription_progressed,
        TranscriptionCompleted: consumers.on_transcription_completed,
        TranscriptionFailed: consumers.on_transcription_failed,
        FeedbackCompleted: consumers.on_feedback_completed,
    }[type(event)]
    async with db.transaction() as session:
        await handler(session, event, EventEnvelope.wrap(event, "test"))  # type: ignore[operator]


async def _read_stream(client: httpx.AsyncClient, url: str, who: SignedIn, into: list[dict[str, Any]]) -> None:
    async with client.stream("GET", url, headers=who.headers, timeout=60) as response:
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/event-stream")
        async for line in response.aiter_lines():
            if line.startswith("data: "):
                into.append(json.loads(line.removeprefix("data: ")))


async def test_an_answer_travels_its_stages_and_the_stream_pushes_each(
    client: httpx.AsyncClient, sign_in: SignIn, db: Database
) -> None:
    me = await sign_in()
    session_id, answer_id = await _recording_answer(client, me)
    seen: list[dict[str, Any]] = []
    # A real socket: the in-process transport would hand over the response only once the stream ended.
    with serve(app) as base:
        async with httpx.AsyncClient(base_url=base) as real:
            reader = asyncio.create_task(_read_stream(real, f"{API}/sessions/{session_id}/status/stream", me, seen))
            await _travel(db, me, answer_id, seen, reader)
    polled = (await client.get(f"{API}/sessions/{session_id}/status", headers=me.headers)).json()
    assert polled == seen[-1]


async def _travel(
    db: Database, me: SignedIn, answer_id: str, seen: list[dict[str, Any]], reader: asyncio.Task[None]
) -> None:
    uid, aid, rid = me.id, uuid.UUID(answer_id), uuid.uuid4()

    async def stage_seen(stage: str, share: float | None = None) -> None:
        for _ in range(100):
            last = seen[-1]["answers"][0] if seen else {}
            if last.get("stage") == stage and (share is None or last["share"] == share):
                return
            await asyncio.sleep(0.05)
        raise AssertionError(f"the stream never said {stage} {share}: {[s['answers'][0] for s in seen]}")

    await stage_seen("awaiting_recording")
    uploaded = RecordingUploaded(recording_id=rid, user_id=uid, answer_id=aid, storage_key="k", audio_key="a",
                                 duration_s=10, has_video=False)  # fmt: skip
    steps: list[tuple[Event, str, float | None]] = [
        (UploadStarted(recording_id=rid, user_id=uid, answer_id=aid), "uploading", None),
        (RecordingProcessing(recording_id=rid, user_id=uid, answer_id=aid), "checking", None),
        (uploaded, "transcribing", 0.0),
        (TranscriptionProgressed(recording_id=rid, user_id=uid, answer_id=aid, share=0.4), "transcribing", 0.4),
        (
            TranscriptionCompleted(
                transcript_id=uuid.uuid4(), recording_id=rid, user_id=uid, answer_id=aid, provider="x", language="en"
            ),
            "analysing",
            None,
        ),
    ]
    for event, stage, share in steps:
        await _deliver(db, event)
        await stage_seen(stage, share)
    # Late and out of order: a progress event after the transcript changes nothing.
    await _deliver(db, TranscriptionProgressed(recording_id=rid, user_id=uid, answer_id=aid, share=0.9))
    await _deliver(db, FeedbackCompleted(feedback_id=uuid.uuid4(), answer_id=aid, user_id=uid, overall_score=70,
                                         source="recording"))  # fmt: skip
    await asyncio.wait_for(reader, 10)  # every answer final: the stream ends by itself
    stages = [s["answers"][0]["stage"] for s in seen]
    assert stages[-1] == "ready" and seen[-1]["done"] is True
    assert stages == sorted(stages, key=lambda s: list(S).index(S(s)))  # never backwards


async def test_a_failed_transcript_and_a_stranger_are_told_apart(
    client: httpx.AsyncClient, sign_in: SignIn, db: Database
) -> None:
    me, stranger = await sign_in(), await sign_in()
    session_id, answer_id = await _recording_answer(client, me)
    rid = uuid.uuid4()
    await _deliver(db, RecordingUploaded(recording_id=rid, user_id=me.id, answer_id=uuid.UUID(answer_id),
                                         storage_key="k", audio_key="a", duration_s=3, has_video=False))  # fmt: skip
    # An older transcription service's event has no answer id: the recording finds the answer.
    await _deliver(db, TranscriptionFailed(recording_id=rid, user_id=me.id, reason="The audio was empty."))
    status = (await client.get(f"{API}/sessions/{session_id}/status", headers=me.headers)).json()
    assert status["answers"][0]["stage"] == "failed" and status["answers"][0]["reason"] == "The audio was empty."
    assert status["done"] is True
    # Someone else's events and requests change and see nothing.
    await _deliver(db, FeedbackCompleted(feedback_id=uuid.uuid4(), answer_id=uuid.UUID(answer_id), user_id=stranger.id,
                                         overall_score=1, source="text"))  # fmt: skip
    assert (await client.get(f"{API}/sessions/{session_id}/status", headers=me.headers)).json() == status
    for path in ("status", "status/stream"):
        assert_error(
            await client.get(f"{API}/sessions/{session_id}/{path}", headers=stranger.headers), 404, "session_not_found"
        )


async def test_a_typed_answer_is_analysing_at_once(client: httpx.AsyncClient, sign_in: SignIn) -> None:
    me = await sign_in()
    session = (
        await client.post(f"{API}/sessions", json={"role": "retail", "question_count": 1}, headers=me.headers)
    ).json()
    slot = session["questions"][0]["id"]
    typed = await client.post(
        f"{API}/sessions/{session['id']}/questions/{slot}/answers",
        json={"kind": "text", "text": "I calmed the customer down and fixed the refund the same day."},
        headers=me.headers,
    )
    assert typed.json()["stage"] == "analysing"

"""Recordings validated by the media service update the answers they belong to (and only their owner's)."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Awaitable, Callable

import httpx
import pytest
from intervu_contracts import EventEnvelope, RecordingRejected, RecordingUploaded
from intervu_interviews.config import get_settings
from intervu_interviews.consumers import on_recording_rejected, on_recording_uploaded
from intervu_kit.db import Database
from intervu_kit.testing.plugin import SignedIn

SignIn = Callable[..., Awaitable[SignedIn]]
API = "/api/interviews"


@pytest.fixture
async def db() -> AsyncIterator[Database]:
    database = Database(get_settings().sqlalchemy_url)
    yield database
    await database.dispose()


async def _recorded_answer(client: httpx.AsyncClient, who: SignedIn) -> tuple[str, str]:
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


def _uploaded(user_id: str, answer_id: str) -> RecordingUploaded:
    rid = uuid.uuid4()
    return RecordingUploaded(
        recording_id=rid,
        user_id=user_id,
        answer_id=uuid.UUID(answer_id),
        storage_key=f"recordings/{user_id}/{rid}/media.webm",
        audio_key=f"recordings/{user_id}/{rid}/audio.wav",
        duration_s=12.5,
        has_video=True,
    )


async def test_an_uploaded_recording_is_linked_to_its_answer(
    client: httpx.AsyncClient, sign_in: SignIn, db: Database
) -> None:
    me = await sign_in()
    session_id, answer_id = await _recorded_answer(client, me)
    event = _uploaded(me.id, answer_id)
    async with db.transaction() as session:
        await on_recording_uploaded(session, event, EventEnvelope.wrap(event, "media"))
    answer = (await client.get(f"{API}/sessions/answers/{answer_id}", headers=me.headers)).json()
    assert answer["status"] == "recorded"
    assert answer["session_id"] == session_id  # where a notice about it leads
    assert answer["recording_id"] == str(event.recording_id)


async def test_a_recording_naming_someone_elses_answer_is_ignored(
    client: httpx.AsyncClient, sign_in: SignIn, db: Database
) -> None:
    alice, mallory = await sign_in(), await sign_in()
    _, answer_id = await _recorded_answer(client, alice)
    event = _uploaded(mallory.id, answer_id)  # Mallory put Alice's answer id in her upload's metadata
    async with db.transaction() as session:
        await on_recording_uploaded(session, event, EventEnvelope.wrap(event, "media"))
    answer = (await client.get(f"{API}/sessions/answers/{answer_id}", headers=alice.headers)).json()
    assert answer["status"] == "awaiting_recording" and answer["recording_id"] is None


async def test_a_rejected_recording_marks_the_answer_with_the_reason(
    client: httpx.AsyncClient, sign_in: SignIn, db: Database
) -> None:
    me = await sign_in()
    _, answer_id = await _recorded_answer(client, me)
    event = RecordingRejected(
        recording_id=uuid.uuid4(),
        user_id=me.id,
        answer_id=uuid.UUID(answer_id),
        code="no_speech",
        reason="The recording is silent.",
    )
    async with db.transaction() as session:
        await on_recording_rejected(session, event, EventEnvelope.wrap(event, "media"))
    answer = (await client.get(f"{API}/sessions/answers/{answer_id}", headers=me.headers)).json()
    assert (answer["status"], answer["rejection_code"]) == ("rejected", "no_speech")

"""Feedback on real answers: a spoken answer (Piper voice, real Whisper transcript, real Praat and OpenCV analysis),
typed answers, attempts compared, events in either order, owner-only access."""

from __future__ import annotations

import subprocess
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from intervu_contracts import AnswerSubmitted, EventEnvelope, QuestionContext, TranscriptionCompleted, TranscriptWord
from intervu_feedback.answers.service import (
    Analyser,
    analyse_job,
    on_answer_submitted,
    on_transcription_completed,
)
from intervu_feedback.coaching.local import LocalCoach
from intervu_feedback.config import get_settings
from intervu_feedback.main import app
from intervu_feedback.models import ANALYSE_KIND, events, jobs
from intervu_kit.db import Database
from intervu_kit.jobs import Job, JobContext, JobRunner
from intervu_kit.storage import storage_from_settings
from intervu_kit.testing.asserts import assert_error
from intervu_kit.testing.plugin import SignedIn, running_app
from intervu_kit.testing.speech import BENCH_SCRIPTS, Rendered, render
from intervu_nlp import default_encoder
from intervu_transcription.providers.local import LocalWhisper

SignIn = Callable[..., Awaitable[SignedIn]]
STAR = next(s for s in BENCH_SCRIPTS if s.name == "star-team-lead")
QUESTION = QuestionContext(
    text=STAR.question,
    type="behavioral",
    difficulty="medium",
    competencies=["leadership"],
    key_points=[
        "Situation: what was going wrong for the team",
        "What you personally changed in the process",
        "Measurable result such as faster releases",
    ],
    suggested_seconds=90,
)
ON_TOPIC = (
    "In my last job our releases took two weeks and the team was frustrated. My task was to speed them up without "
    "breaking things. I introduced automated tests, split the release into small changes and set up a weekly "
    "release train. As a result, we cut release time from two weeks to three days and bugs fell by 30%."
)
RAMBLING = (
    "Um, I think I am, like, kind of a good leader, maybe. I guess people like working with me. Um, I like to "
    "keep things positive, you know, and, uh, I think that is important."
)


@pytest.fixture(scope="module")
def spoken(tmp_path_factory: pytest.TempPathFactory) -> Rendered:
    return render(STAR, tmp_path_factory.mktemp("speech"))


@pytest.fixture(scope="module")
def face_video(tmp_path_factory: pytest.TempPathFactory, spoken: Rendered) -> Path:
    """A real photograph of a face (NASA's astronaut portrait, shipped with scikit-image) with the spoken answer."""
    from PIL import Image
    from skimage import data

    directory = tmp_path_factory.mktemp("video")
    Image.fromarray(data.astronaut()).save(directory / "face.png")  # type: ignore[no-untyped-call]
    out = directory / "answer.webm"
    subprocess.run(
        ["ffmpeg", "-v", "error", "-loop", "1", "-i", str(directory / "face.png"), "-i", str(spoken.path),
         "-shortest", "-r", "10", "-c:v", "libvpx-vp9", "-b:v", "300k", "-c:a", "libopus", str(out)],
        check=True,
    )  # fmt: skip
    return out


@pytest.fixture(scope="module")
def analyser() -> Analyser:
    return Analyser(storage_from_settings(get_settings()), default_encoder(), LocalCoach())


@pytest.fixture
async def db(infra: object) -> AsyncIterator[Database]:
    database = Database(get_settings().sqlalchemy_url)
    yield database
    await database.dispose()


@pytest.fixture
async def client(infra: object) -> AsyncIterator[httpx.AsyncClient]:
    async with running_app(app) as c:
        yield c


def _answer(user_id: str, *, kind: str = "recording", text: str | None = None, question_id: uuid.UUID | None = None,
            attempt: int = 1) -> AnswerSubmitted:  # fmt: skip
    return AnswerSubmitted(
        answer_id=uuid.uuid4(),
        user_id=user_id,
        session_id=uuid.uuid4(),
        question_id=question_id or uuid.uuid4(),
        attempt=attempt,
        kind="text" if kind == "text" else "recording",
        text=text,
        question=QUESTION,
    )


async def _transcript(user_id: str, answer_id: uuid.UUID, audio: Path, video: Path | None) -> TranscriptionCompleted:
    storage = storage_from_settings(get_settings())
    recording_id = uuid.uuid4()
    audio_key = f"recordings/{user_id}/{recording_id}/audio.wav"
    await storage.put_bytes(audio_key, audio.read_bytes(), "audio/wav")
    storage_key = audio_key
    if video is not None:
        storage_key = f"recordings/{user_id}/{recording_id}/recording.webm"
        await storage.put_bytes(storage_key, video.read_bytes(), "video/webm")
    transcript = await LocalWhisper().transcribe(audio)
    return TranscriptionCompleted(
        transcript_id=uuid.uuid4(),
        recording_id=recording_id,
        user_id=user_id,
        answer_id=answer_id,
        provider="local-faster-whisper",
        language="en",
        words=[
            TranscriptWord(text=w.text, start=w.start, end=w.end, probability=w.probability) for w in transcript.words
        ],
        speech=transcript.speech,
        duration_s=transcript.duration_s,
        audio_key=audio_key,
        storage_key=storage_key,
        has_video=video is not None,
    )


async def _published(db: Database, answer_id: uuid.UUID) -> list[dict[str, Any]]:
    async with db.transaction() as session:
        rows = (await session.execute(sa.select(events.outbox.c.envelope))).scalars().all()
    return [e for e in rows if e["name"] == "feedback.completed.v1" and e["data"]["answer_id"] == str(answer_id)]


async def _deliver(db: Database, analyser: Analyser, event: AnswerSubmitted | TranscriptionCompleted) -> bool:
    """What the worker does with an event: its handler records the half in a short transaction; when that
    completes the answer, the leased analysis job is run to its end. True when the event started an analysis."""
    async with db.transaction() as session:
        if isinstance(event, AnswerSubmitted):
            added = await on_answer_submitted(session, event, EventEnvelope.wrap(event, "interviews"))
        else:
            added = await on_transcription_completed(session, event, EventEnvelope.wrap(event, "transcription"))
    if added:

        async def handle(job: Job, ctx: JobContext) -> None:
            await analyse_job(job, ctx, analyser)

        runner = JobRunner(db, jobs, {ANALYSE_KIND: handle})
        job = await runner.claim(key=str(event.answer_id))
        assert job is not None
        await runner.run_one(job)
    return added


def _score(body: dict[str, Any], name: str) -> dict[str, Any]:
    return next(s for s in body["scores"] if s["name"] == name)


async def test_a_recorded_answer_gets_delivery_content_and_video_feedback_with_evidence(
    db: Database, analyser: Analyser, client: httpx.AsyncClient, sign_in: SignIn, spoken: Rendered, face_video: Path
) -> None:
    me = await sign_in()
    answer = _answer(me.id)
    transcript = await _transcript(me.id, answer.answer_id, spoken.path, face_video)
    # The transcript arrives first (interviews' worker was slow): nothing to do until the answer's event.
    assert not await _deliver(db, analyser, transcript)
    pending = (await client.get(f"/api/feedback/answers/{answer.answer_id}", headers=me.headers)).json()
    assert pending["status"] == "pending"
    assert await _deliver(db, analyser, answer)
    # Redelivery of either event computes nothing twice.
    assert not await _deliver(db, analyser, answer)
    assert not await _deliver(db, analyser, transcript)
    assert len(await _published(db, answer.answer_id)) == 1

    body = (await client.get(f"/api/feedback/answers/{answer.answer_id}", headers=me.headers)).json()
    assert body["status"] == "ready" and body["source"] == "recording"
    words = body["words"]
    metrics = body["metrics"]
    # Fillers: the script says "So, um" and "Uh"; each is found, with its time inside the recording.
    fillers = _score(body, "fillers")["evidence"]
    assert {w["text"].strip(",.").lower() for i in body["filler_indexes"] for w in [words[i]]} >= {"um", "uh"}
    assert all(0 <= f["start_s"] <= f["end_s"] <= spoken.duration_s for f in fillers)
    # Pauses: both inserted silences (1.2 s and 0.9 s) are found where they were put (the voice's own silence at
    # the ends of its phrases adds a little to each).
    pauses = metrics["delivery"]["pauses"]
    assert len(pauses) == len(spoken.pauses)
    for (start, end), p in zip(spoken.pauses, pauses, strict=True):
        assert p["start_s"] <= start + 0.1 and p["end_s"] >= end - 0.1, (start, end, p)
        assert (p["end_s"] - p["start_s"]) <= (end - start) + 1.0, (start, end, p)
    # Pace against the truth: the script's word count over its real duration.
    assert metrics["delivery"]["wpm_total"] == pytest.approx(spoken.wpm, rel=0.1)
    # Content: the story has a situation, actions and a result with a number, but never says what the task was.
    star = metrics["content"]["star"]
    assert "three days" in star["result"]["text"] and star["result"]["start_s"] > 10
    assert "introduced" in star["action"]["text"] and star["situation"] is not None and star["task"] is None
    assert _score(body, "structure")["value"] == 75
    assert any(r["code"] == "star_incomplete" and "task" in r["message"] for r in body["remarks"])
    assert _score(body, "quantified")["value"] == 100
    # On topic but short (only part of what the key points ask is said, and the transcript varies a little from one
    # synthesis to the next): it sits near the partial band's edge, never off topic, and no remark says otherwise.
    assert _score(body, "relevance")["value"] >= 45 and metrics["content"]["relevance_band"] != "off_topic"
    assert "off_topic" not in {r["code"] for r in body["remarks"]}
    # Voice and video were measured; a real face, facing the camera, was seen throughout.
    assert metrics["voice"]["pitch_spread_st"] > 0
    assert metrics["video"]["face_visible"] >= 0.9 and metrics["video"]["looking_at_camera"] >= 0.6
    assert {s["name"] for s in body["scores"]} >= {"pace", "fillers", "pauses", "intonation", "presence"}
    # Every score and remark points at what caused it: words (and their times), a moment, or the whole answer.
    for item in body["scores"] + body["remarks"]:
        assert item["evidence"], item
        for e in item["evidence"]:
            assert e["text"] == "(the whole answer)" or e["first"] < 0 or words[e["first"]]["text"] in e["text"]
            assert e["start_s"] is not None and e["end_s"] is not None and e["start_s"] <= e["end_s"]
    assert body["coaching"]["summary"] and body["coaching"]["improvements"]
    assert 0 <= body["overall_score"] <= 100


async def test_typed_answers_are_judged_on_content_and_attempts_compare(
    db: Database, analyser: Analyser, client: httpx.AsyncClient, sign_in: SignIn
) -> None:
    me, other = await sign_in(), await sign_in()
    question_id = uuid.uuid4()
    first = _answer(me.id, kind="text", text=RAMBLING, question_id=question_id, attempt=1)
    second = _answer(me.id, kind="text", text=ON_TOPIC, question_id=question_id, attempt=2)
    for answer in (first, second):
        assert await _deliver(db, analyser, answer)
    weak = (await client.get(f"/api/feedback/answers/{first.answer_id}", headers=me.headers)).json()
    strong = (await client.get(f"/api/feedback/answers/{second.answer_id}", headers=me.headers)).json()
    assert weak["source"] == "text" and "pace" not in {s["name"] for s in weak["scores"]}
    codes = {r["code"] for r in weak["remarks"]}
    # No story at all: no structure credit and a remark that asks for one (not "lacks its task and result").
    assert {"hedging", "no_story"} <= codes and "star_incomplete" not in codes
    assert _score(weak, "structure")["value"] == 0
    # "like" in "people like working with me" is a verb; the one in "I am, like, kind of" is a filler.
    filler_words = [weak["words"][i]["text"].strip(",.").lower() for i in weak["filler_indexes"]]
    assert filler_words.count("like") == 1 and filler_words.count("um") == 2
    assert strong["overall_score"] > weak["overall_score"] + 20
    assert _score(strong, "structure")["value"] == 100 and _score(strong, "coverage")["value"] >= 66

    comparison = (
        await client.get(f"/api/feedback/answers/{second.answer_id}/compare/{first.answer_id}", headers=me.headers)
    ).json()
    assert comparison["overall_delta"] > 20
    improved = {c["name"] for c in comparison["scores"] if c["verdict"] == "improved"}
    assert {"relevance", "structure"} <= improved
    assert "Better:" in comparison["summary"]
    attempts = (await client.get(f"/api/feedback/answers?question_id={question_id}", headers=me.headers)).json()
    assert [a["attempt"] for a in attempts] == [2, 1]

    # Another user sees none of it.
    assert_error(
        await client.get(f"/api/feedback/answers/{first.answer_id}", headers=other.headers), 404, "feedback_not_found"
    )
    assert_error(
        await client.get(f"/api/feedback/answers/{second.answer_id}/compare/{first.answer_id}", headers=other.headers),
        404,
        "feedback_not_found",
    )
    assert (await client.get("/api/feedback/answers", headers=other.headers)).json() == []
    assert_error(await client.get(f"/api/feedback/answers/{first.answer_id}"), 401, "token_missing")


async def test_attempts_at_different_questions_do_not_compare(
    db: Database, analyser: Analyser, client: httpx.AsyncClient, sign_in: SignIn
) -> None:
    me = await sign_in()
    a, b = _answer(me.id, kind="text", text=ON_TOPIC), _answer(me.id, kind="text", text=RAMBLING)
    for answer in (a, b):
        await _deliver(db, analyser, answer)
    assert_error(
        await client.get(f"/api/feedback/answers/{a.answer_id}/compare/{b.answer_id}", headers=me.headers),
        422,
        "different_questions",
    )


async def test_a_transcript_naming_another_users_answer_is_ignored(
    db: Database, analyser: Analyser, client: httpx.AsyncClient, sign_in: SignIn
) -> None:
    alice, mallory = await sign_in(), await sign_in()
    answer = _answer(alice.id)
    await _deliver(db, analyser, answer)
    forged = TranscriptionCompleted(
        transcript_id=uuid.uuid4(),
        recording_id=uuid.uuid4(),
        user_id=mallory.id,
        answer_id=answer.answer_id,
        provider="x",
        language="en",
        words=[TranscriptWord(text="hello", start=0.0, end=0.5)],
        duration_s=1.0,
    )
    assert not await _deliver(db, analyser, forged)
    body = (await client.get(f"/api/feedback/answers/{answer.answer_id}", headers=alice.headers)).json()
    assert body["status"] == "pending"


@pytest.mark.slow
def test_a_video_without_a_face_says_so_with_the_moments(tmp_path: Path) -> None:
    from intervu_feedback.analysis.video import analyse

    out = tmp_path / "empty-room.webm"
    subprocess.run(
        ["ffmpeg", "-v", "error", "-f", "lavfi", "-i", "testsrc2=size=640x480:rate=10", "-t", "6",
         "-c:v", "libvpx-vp9", "-b:v", "300k", str(out)],
        check=True,
    )  # fmt: skip
    video = analyse(out, 6.0)
    assert video is not None
    assert video.face_visible == 0.0 and video.looking_at_camera == 0.0
    assert video.absent and video.absent[0].start_s == 0.0 and (video.absent[-1].end_s or 0) >= 5.5
    assert any(r.code == "face_not_visible" for r in video.remarks)

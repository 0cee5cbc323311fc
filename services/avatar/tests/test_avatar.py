"""The interviewer's videos for a session, for real: Piper speaks, the head is rendered, ffmpeg encodes, storage
keeps them, the API serves them to the session's owner only; the same words are rendered once; a failing provider
degrades to the local renderer, then to the voice alone, then to text."""

from __future__ import annotations

import asyncio
import subprocess
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import httpx
import numpy as np
import pytest
import sqlalchemy as sa
from intervu_avatar.clips.repository import ClipRepository
from intervu_avatar.clips.service import Renderer, plan_previews, plan_session
from intervu_avatar.config import get_settings
from intervu_avatar.encode import probe
from intervu_avatar.main import app
from intervu_avatar.models import Clip
from intervu_avatar.personas import PERSONAS, Persona, clip_address
from intervu_avatar.providers.base import AvatarError, Rendered
from intervu_avatar.providers.did import DIDAvatar
from intervu_avatar.providers.local import LocalAvatar
from intervu_avatar.speech import speak
from intervu_contracts import InterviewSessionCreated, SessionQuestionText
from intervu_kit.db import Database
from intervu_kit.storage import storage_from_settings
from intervu_kit.testing.asserts import assert_error
from intervu_kit.testing.plugin import SignedIn, running_app
from intervu_kit.testing.replay import Replay

SignIn = Callable[..., Awaitable[SignedIn]]
EXCHANGES = Path(__file__).parent / "exchanges"
QUESTIONS = [
    f"Tell me about a time you had to learn something new quickly. ({uuid.uuid4().hex[:6]})",
    "How do you decide what to work on first when everything seems urgent?",
]


@pytest.fixture
async def db(infra: object) -> AsyncIterator[Database]:
    database = Database(get_settings().sqlalchemy_url)
    yield database
    await database.dispose()


@pytest.fixture
async def client() -> AsyncIterator[httpx.AsyncClient]:
    async with running_app(app) as c:
        yield c


def _local(width: int = 640, height: int = 360) -> LocalAvatar:
    """The local renderer under a version of this test's own, so no earlier run's clips are in its cache."""
    local = LocalAvatar(width, height, 25)
    local.version = f"{local.version}+test-{uuid.uuid4().hex[:8]}"
    return local


def _event(user_id: str, questions: list[str], interviewer: str | None = "maya") -> InterviewSessionCreated:
    ids = [uuid.uuid4() for _ in questions]
    return InterviewSessionCreated(
        session_id=uuid.uuid4(),
        user_id=user_id,
        question_ids=ids,
        questions=[
            SessionQuestionText(question_id=i, position=n + 1, text=t)
            for n, (i, t) in enumerate(zip(ids, questions, strict=True))
        ],
        interviewer=interviewer,
    )


async def _render_all(db: Database, renderer: Renderer) -> int:
    rendered = 0
    while await renderer.render_one(db):
        rendered += 1
    return rendered


async def _fetch(client: httpx.AsyncClient, url: str, path: Path) -> Path:
    response = await client.get(url) if url.startswith("/") else await httpx.AsyncClient().get(url)
    assert response.status_code == 200, response.text
    path.write_bytes(response.content)
    return path


def _rms(path: Path, start: float, end: float) -> float:
    pcm = subprocess.run(
        ["ffmpeg", "-v", "error", "-ss", str(start), "-to", str(end), "-i", str(path), "-ac", "1", "-ar", "16000",
         "-f", "s16le", "-"],
        check=True, capture_output=True,
    ).stdout  # fmt: skip
    samples = np.frombuffer(pcm, dtype="<i2").astype(np.float32) / 32768
    return float(np.sqrt(np.mean(samples**2))) if samples.size else 0.0


async def test_a_sessions_videos_are_rendered_and_play(
    db: Database, client: httpx.AsyncClient, sign_in: SignIn, tmp_path: Path
) -> None:
    me, other = await sign_in(), await sign_in()
    local = _local()
    renderer = Renderer(storage_from_settings(get_settings()), local, local)
    event = _event(me.id, QUESTIONS)
    async with db.transaction() as session:
        planned = await plan_session(session, event, local)
    assert planned.lines == 5  # intro, question, transition, question, closing

    pending = (await client.get(f"/api/avatar/sessions/{event.session_id}/videos", headers=me.headers)).json()
    assert pending["total"] == 5 and pending["persona"]["id"] == "maya"
    assert [c["kind"] for c in pending["clips"]] == ["intro", "question", "transition", "question", "closing"]
    assert pending["clips"][1]["text"] == QUESTIONS[0] and pending["clips"][1]["question_id"] == str(
        event.question_ids[0]
    )

    assert await _render_all(db, renderer) >= 1
    body = (await client.get(f"/api/avatar/sessions/{event.session_id}/videos", headers=me.headers)).json()
    assert body["ready"] == body["total"] == 5
    question = body["clips"][1]
    assert question["status"] == "ready" and question["media"] == "video" and question["rendered_by"] == "local"

    # The files play: the expected streams, and the length of the speech (Piper, said again here) within 5%.
    webm = probe(await _fetch(client, question["webm_url"], tmp_path / "q.webm"))
    mp4 = probe(await _fetch(client, question["mp4_url"], tmp_path / "q.mp4"))
    assert (webm.video, webm.audio, webm.width, webm.height) == ("vp9", "opus", 640, 360)
    assert (mp4.video, mp4.audio, mp4.width, mp4.height) == ("h264", "aac", 640, 360)
    said = speak(QUESTIONS[0], PERSONAS["maya"].voice, tmp_path)
    for found in (webm, mp4):
        assert abs(found.duration_s - said.duration_s) / said.duration_s < 0.05, (found, said.duration_s)
    # The voice is where the captions say, and silent before the first word.
    captions = (await client.get(question["captions_url"])).text
    assert captions.startswith("WEBVTT") and "learn something new quickly" in captions
    first = said.cues[0]
    assert _rms(tmp_path / "q.mp4", first.start + 0.1, first.end - 0.1) > 10 * max(
        _rms(tmp_path / "q.mp4", 0, 0.25), 1e-4
    )

    # The face is a face, and it moves while it speaks.
    frames = subprocess.run(
        ["ffmpeg", "-v", "error", "-i", str(tmp_path / "q.mp4"), "-vf", "fps=5", "-f", "rawvideo", "-pix_fmt",
         "gray", "-"],
        check=True, capture_output=True,
    ).stdout  # fmt: skip
    gray = np.frombuffer(frames, np.uint8).reshape(-1, 360, 640)
    assert np.abs(np.diff(gray.astype(np.int16), axis=0)).mean(axis=(1, 2)).max() > 0.2

    # Another user: the session does not exist for them; without a token, nothing.
    assert_error(
        await client.get(f"/api/avatar/sessions/{event.session_id}/videos", headers=other.headers),
        404,
        "session_videos_not_found",
    )
    assert (await client.get(f"/api/avatar/sessions/{event.session_id}/videos")).status_code == 401
    # A session nothing is planned for yet (its event not arrived): an empty plan, not an error.
    unplanned = await client.get(f"/api/avatar/sessions/{uuid.uuid4()}/videos", headers=other.headers)
    assert unplanned.status_code == 200, unplanned.text
    assert (unplanned.json()["total"], unplanned.json()["clips"], unplanned.json()["persona"]) == (0, [], None)
    # A signed URL is bound to its object and its expiry.
    forged = question["webm_url"].replace("video.webm", "video.mp4")
    assert_error(await client.get(forged), 403, "invalid_signature")


async def test_the_same_words_are_rendered_once(db: Database, client: httpx.AsyncClient, sign_in: SignIn) -> None:
    me, you = await sign_in(), await sign_in()
    local = _local()
    renderer = Renderer(storage_from_settings(get_settings()), local, local)
    questions = [f"What would your last manager say is your biggest strength? ({uuid.uuid4().hex[:6]})"]
    first = _event(me.id, questions, interviewer="sam")
    async with db.transaction() as session:
        await plan_session(session, first, local)
    await _render_all(db, renderer)
    before = (await client.get(f"/api/avatar/sessions/{first.session_id}/videos", headers=me.headers)).json()

    second = _event(you.id, questions, interviewer="sam")
    async with db.transaction() as session:
        planned = await plan_session(session, second, local)
    assert (planned.new_clips, planned.reused_clips) == (0, 3)
    assert await renderer.render_one(db) is False  # nothing to render
    after = (await client.get(f"/api/avatar/sessions/{second.session_id}/videos", headers=you.headers)).json()
    assert after["ready"] == after["total"] == 3
    # The signature differs per request, the object does not.
    assert [c["webm_url"].split("?")[0] for c in after["clips"]] == [
        c["webm_url"].split("?")[0] for c in before["clips"]
    ]
    # Another persona says the same words in its own voice and face: a new clip.
    third = _event(you.id, questions, interviewer="daniel")
    async with db.transaction() as session:
        assert (await plan_session(session, third, local)).new_clips == 3
        await session.rollback()  # planned only to count: leave nothing pending for other tests' renderers


async def test_a_cached_clip_whose_files_are_gone_is_rendered_again(
    db: Database, client: httpx.AsyncClient, sign_in: SignIn
) -> None:
    """CI once served 404s for every interviewer video: its database (kept between runs) cached clips whose files
    were in the previous run's folder. A clip's row outliving its files is rendered again when a session needs it."""
    me, you = await sign_in(), await sign_in()
    local = _local()
    storage = storage_from_settings(get_settings())
    renderer = Renderer(storage, local, local)
    questions = [f"What did you learn from your last failure? ({uuid.uuid4().hex[:6]})"]
    first = _event(me.id, questions, interviewer="maya")
    async with db.transaction() as session:
        await plan_session(session, first, local, storage=storage)
    await _render_all(db, renderer)
    before = (await client.get(f"/api/avatar/sessions/{first.session_id}/videos", headers=me.headers)).json()
    asked = next(c for c in before["clips"] if c["kind"] == "question")
    key = next(k for k in asked["mp4_url"].split("/files/", 1)[1].split("?")[0].split("/") if len(k) == 64)
    assert await storage.delete_prefix(f"avatar/clips/{key}/") >= 2  # the bucket lost them
    assert (await client.get(asked["mp4_url"])).status_code == 404

    second = _event(you.id, questions, interviewer="maya")
    async with db.transaction() as session:
        planned = await plan_session(session, second, local, storage=storage)
    assert (planned.new_clips, planned.reused_clips) == (1, 2)  # only the lost one
    pending = (await client.get(f"/api/avatar/sessions/{second.session_id}/videos", headers=you.headers)).json()
    assert [c["status"] for c in pending["clips"] if c["kind"] == "question"] == ["pending"]
    assert await _render_all(db, renderer) == 1
    after = (await client.get(f"/api/avatar/sessions/{second.session_id}/videos", headers=you.headers)).json()
    again = next(c for c in after["clips"] if c["kind"] == "question")
    assert again["status"] == "ready" and (await client.get(again["mp4_url"])).status_code == 200
    # The first person's page asks again and plays the new files too.
    fresh = (await client.get(f"/api/avatar/sessions/{first.session_id}/videos", headers=me.headers)).json()
    played = next(c for c in fresh["clips"] if c["kind"] == "question")
    assert (await client.get(played["mp4_url"])).status_code == 200


async def test_a_stopping_worker_hands_its_clip_back_instead_of_degrading_it(db: Database, sign_in: SignIn) -> None:
    """Ctrl-C (or a pod stopping) reaches ffmpeg too: that failure was recorded as the clip's, and a persona's greeting
    became its voice alone for an hour (seen in CI). A stopping worker now gives the clip back, unrendered."""
    me = await sign_in()
    local = _local()

    class Stopped(LocalAvatar):  # the stop's signal reached ffmpeg: the head fails, the voice alone would follow
        async def render(self, text: str, persona: Persona, workdir: Path) -> Rendered:
            raise AvatarError("encoding the talking head failed: ffmpeg exited 255")

    stopped = Stopped(640, 360, 25)
    stopped.version = local.version
    renderer = Renderer(storage_from_settings(get_settings()), stopped, stopped)
    renderer.stop = asyncio.Event()
    renderer.stop.set()  # the stop arrives while this clip renders
    event = _event(me.id, [f"Why this team? ({uuid.uuid4().hex[:6]})"])
    async with db.transaction() as session:
        await plan_session(session, event, local)
    keys = [clip_address(line, PERSONAS["maya"], local.name, local.version) for line in [event.questions[0].text]]
    assert await renderer.render_one(db) is False
    async with db.transaction() as session:
        clips = [await ClipRepository(session).get(k) for k in keys]
    for clip in clips:
        assert clip is not None
        if clip.attempts == 0 and clip.status == "pending":
            continue  # handed back, or not yet claimed: either way waiting, unrendered, not degraded
        raise AssertionError((clip.status, clip.attempts, clip.degraded, clip.errors))
    async with db.transaction() as session:  # nothing degraded or stored by the stopping worker
        stored = await session.scalar(
            sa.select(sa.func.count()).select_from(Clip).where(Clip.key.in_(keys), Clip.objects != sa.text("'{}'"))
        )
    assert stored == 0
    assert await _render_all(db, Renderer(storage_from_settings(get_settings()), local, local)) >= 1  # the next one


async def test_a_corrupt_provider_video_degrades_to_the_local_renderer(
    db: Database, client: httpx.AsyncClient, sign_in: SignIn
) -> None:
    me = await sign_in()
    settings = get_settings()
    corrupt = Replay(EXCHANGES / "did_corrupt.json", {"corrupt.mp4": b"\x1aE\xdf\xa3" + b"\x00garbage" * 500})
    did = DIDAvatar("k", poll_s=0.01, transport=corrupt.transport)
    did.version = f"{did.version}+test-{uuid.uuid4().hex[:8]}"
    renderer = Renderer(storage_from_settings(settings), did, _local())
    event = _event(me.id, [f"Why are you leaving your current job? ({uuid.uuid4().hex[:6]})"], interviewer="daniel")
    async with db.transaction() as session:
        await plan_session(session, event, did)
    await _render_all(db, renderer)
    body = (await client.get(f"/api/avatar/sessions/{event.session_id}/videos", headers=me.headers)).json()
    question = body["clips"][1]
    assert question["status"] == "ready" and question["rendered_by"] == "local" and question["degraded"] is True
    assert question["webm_url"] and question["mp4_url"]
    assert all(c["status"] == "ready" and c["degraded"] for c in body["clips"])
    intro = clip_address(body["clips"][0]["text"], PERSONAS["daniel"], did.name, did.version)  # this run's only
    async with db.transaction() as session:
        errors = (await session.scalars(sa.select(Clip.errors).where(Clip.key == intro))).all()
    # The first clip met the recorded corrupt video (the replay's later answers are that file again, not JSON).
    assert any("unreadable" in e[0] for e in errors), errors


async def test_without_video_the_voice_then_the_words(db: Database, client: httpx.AsyncClient, sign_in: SignIn) -> None:
    me = await sign_in()
    # H.264 in 4:2:0 needs even dimensions: this renderer's video encode really fails, its voice does not.
    odd = _local(641, 361)
    renderer = Renderer(storage_from_settings(get_settings()), odd, odd, max_attempts=2)
    event = _event(me.id, [f"What motivates you? ({uuid.uuid4().hex[:6]})"], interviewer="maya")
    async with db.transaction() as session:
        await plan_session(session, event, odd)
    await _render_all(db, renderer)
    body = (await client.get(f"/api/avatar/sessions/{event.session_id}/videos", headers=me.headers)).json()
    voice = body["clips"][1]
    assert voice["status"] == "ready" and voice["media"] == "audio" and voice["webm_url"] is None
    assert voice["audio_webm_url"] and voice["audio_m4a_url"] and voice["captions_url"]

    # A renderer that dies mid-clip (its lease runs out) twice: the clip ends as text, not as a hole.
    crashing = _event(me.id, [f"Where do you see yourself in five years? ({uuid.uuid4().hex[:6]})"], "sam")
    async with db.transaction() as session:
        await plan_session(session, crashing, odd)
    from intervu_avatar.clips.repository import ClipRepository

    for _ in range(6):  # claims with an instant lease: each claim is a renderer that died
        async with db.transaction() as session:
            if await ClipRepository(session).claim(lease_s=-1, max_attempts=2) is None:
                break
    await renderer.render_one(db)
    body = (await client.get(f"/api/avatar/sessions/{crashing.session_id}/videos", headers=me.headers)).json()
    assert {c["status"] for c in body["clips"]} == {"text_only"}
    assert body["ready"] == body["total"] and all(c["text"] for c in body["clips"])


async def test_each_persona_has_a_preview_greeting(db: Database, client: httpx.AsyncClient, sign_in: SignIn) -> None:
    me = await sign_in()
    settings = get_settings()
    local = LocalAvatar(settings.avatar_width, settings.avatar_height, settings.avatar_fps)  # the API's renderer
    keys = [clip_address(p.greeting, p, local.name, local.version) for p in PERSONAS.values()]
    async with db.transaction() as session:
        # Rendered now, into this run's storage: a row left by an earlier run may point at files elsewhere.
        await session.execute(sa.delete(Clip).where(Clip.key.in_(keys)))
        assert await plan_previews(session, local) == 3
    await _render_all(db, Renderer(storage_from_settings(settings), local, local))
    assert (await client.get("/api/avatar/personas")).status_code == 401
    personas = (await client.get("/api/avatar/personas", headers=me.headers)).json()
    assert [p["id"] for p in personas] == ["maya", "daniel", "sam"]
    assert [p["id"] for p in personas if p["default"]] == ["daniel"]
    for persona in personas:
        preview = persona["preview"]
        assert preview["status"] == "ready" and preview["media"] == "video", persona
        assert persona["name"] in preview["text"]
        assert (await client.get(preview["mp4_url"])).headers["content-type"] == "video/mp4"


async def test_the_owner_is_never_told_their_session_is_someone_elses(db: Database) -> None:
    # The endpoint reads the person's own lines, then (finding none) asks whether the session is planned for
    # another person. Asked as "planned for anyone?", a plan committed between the two reads made the owner's own
    # session a 404 (seen in the browser suite). The second question excludes the owner, so the answer cannot flip.
    local = _local()
    mine = _event(f"owner-{uuid.uuid4().hex[:8]}", [f"Why this team? ({uuid.uuid4().hex[:6]})"])
    async with db.transaction() as session:
        await plan_session(session, mine, local)
        repo = ClipRepository(session)
        assert await repo.planned_for_someone_else(mine.session_id, mine.user_id) is False
        assert await repo.planned_for_someone_else(mine.session_id, "somebody-else") is True
        await session.rollback()  # planned only to ask: nothing left pending for other tests' renderers

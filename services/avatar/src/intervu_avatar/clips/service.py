"""Plan a session's clips, render them ahead of time, serve them.

Planning happens in the event handler (fast, in the event's transaction): a session's script (intro, each
question, transitions, closing) becomes one `session_videos` line per thing said, each pointing at a clip by its
content address. A clip that already exists, because another session had the same question with the same persona,
is reused as it is: rendered once. Rendering happens in the worker's render loop, outside any long transaction:
a clip is leased (SKIP LOCKED), rendered, stored, marked ready; a renderer that dies loses its lease and another
worker renders the clip again.

Degradation: the configured provider, then the local renderer, then the voice alone, then the words on screen.
Never a broken page.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import tempfile
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from intervu_contracts import EventEnvelope, FollowUpAsked, InterviewSessionCreated
from intervu_kit.db import Database
from intervu_kit.storage import Storage
from sqlalchemy.ext.asyncio import AsyncSession

from intervu_avatar.clips.repository import ClipRepository, JobRepository
from intervu_avatar.models import ClipStatus, SessionVideo
from intervu_avatar.personas import PERSONAS, Persona, clip_address, count_phrase, persona_for
from intervu_avatar.providers.base import AvatarError, AvatarProvider, Rendered
from intervu_avatar.providers.local import LocalAvatar

log = logging.getLogger(__name__)

_TYPES = {".webm": "video/webm", ".mp4": "video/mp4", ".m4a": "audio/mp4", ".vtt": "text/vtt"}


@dataclass(frozen=True)
class Line:
    kind: str  # intro | question | transition | closing
    text: str
    question_id: uuid.UUID | None = None


def script(persona: Persona, questions: list[tuple[uuid.UUID, str]], count: int | None = None) -> list[Line]:
    """What the interviewer says in a session, in order (``count``: questions announced, if not all have text)."""
    announced = count_phrase(len(questions) if count is None else count)
    lines = [Line("intro", persona.intro.format(name=persona.name, count=announced))]
    for index, (question_id, text) in enumerate(questions):
        if index:
            lines.append(Line("transition", persona.transition(index - 1)))
        lines.append(Line("question", text, question_id))
    lines.append(Line("closing", persona.closing))
    return lines


@dataclass
class Planned:
    lines: int
    new_clips: int  # cache misses: rendered for this session
    reused_clips: int  # cache hits: already rendered (or being rendered) for another session


async def _ensure(
    repo: ClipRepository,
    storage: Storage | None,
    key: str,
    text: str,
    persona: str,
    provider: str,
    retry_after_s: float,
    priority: int = 0,
) -> bool:
    """The clip, created pending when new (True); a ready clip whose files are gone from storage is rendered again
    (True as well). Clips are cached by what they say, for everyone: a cache row outliving its files (a bucket
    emptied, a lifecycle rule, a development database kept while the checkout's files were not) would otherwise
    be a broken video in every session that asks the same question, for good."""
    if await repo.ensure_clip(key, text, persona, provider, retry_after_s, priority):
        return True
    if storage is None:
        return False
    clip = await repo.get(key)
    if clip is None or clip.status != ClipStatus.READY.value or not clip.objects:
        return False
    played = next(iter(sorted(clip.objects.values())))
    try:
        present = await storage.stat(played) is not None
    except Exception as exc:  # storage slow or down: planning must not fail for a check; the clip stays as it is
        log.warning("clip %s: could not check its files (%r); kept as it is", key[:12], exc)
        return False
    if present:
        return False
    log.warning("clip %s: its files are gone from storage (%s); rendering it again", key[:12], played)
    # Only the render whose files were found missing: one finished meanwhile by another worker is kept.
    return await repo.requeue(key, clip.objects, priority)


async def plan_session(
    session: AsyncSession,
    event: InterviewSessionCreated,
    provider: AvatarProvider,
    retry_after_s: float = 3600.0,
    storage: Storage | None = None,
) -> Planned:
    persona = persona_for(event.interviewer)
    # An event from before the questions' text travelled with it has ids only: the interviewer still greets, announces
    # the right number of questions and closes; the page shows those questions as text.
    ordered = sorted(event.questions, key=lambda q: q.position)
    questions = [(q.question_id, q.text) for q in ordered]
    repo = ClipRepository(session)
    new = reused = 0
    lines = script(persona, questions, count=max(len(questions), len(event.question_ids)))
    for position, line in enumerate(lines, start=1):
        key = clip_address(line.text, persona, provider.name, provider.version)
        if await _ensure(repo, storage, key, line.text, persona.id, provider.name, retry_after_s):
            new += 1
        else:
            reused += 1
        await repo.add_line(
            SessionVideo(session_id=event.session_id, position=position, user_id=event.user_id, persona=persona.id,
                         kind=line.kind, question_id=line.question_id, clip_key=key)
        )  # fmt: skip
    log.info("session %s planned: %d lines, %d new clips, %d reused", event.session_id, len(lines), new, reused)
    return Planned(len(lines), new, reused)


async def plan_previews(session: AsyncSession, provider: AvatarProvider, storage: Storage | None = None) -> int:
    """Each persona's greeting, the clip a user watches when choosing an interviewer; returns how many were new."""
    repo = ClipRepository(session)
    new = 0
    for persona in PERSONAS.values():
        key = clip_address(persona.greeting, persona, provider.name, provider.version)
        new += await _ensure(repo, storage, key, persona.greeting, persona.id, provider.name, retry_after_s=3600.0)
    return new


async def on_session_created(
    session: AsyncSession,
    provider: AvatarProvider,
    event: InterviewSessionCreated,
    envelope: EventEnvelope,
    storage: Storage | None = None,
) -> None:
    await plan_session(session, event, provider, storage=storage)


async def on_follow_up_asked(
    session: AsyncSession,
    provider: AvatarProvider,
    event: FollowUpAsked,
    envelope: EventEnvelope,
    storage: Storage | None = None,
) -> None:
    """The interviewer asks a follow-up: a new line of the session, rendered before anything planned ahead (the
    person is waiting for it). The same words by the same persona are one clip, rendered once for everyone."""
    repo = ClipRepository(session)
    await repo.lock_session(event.session_id)
    lines = await repo.session_lines(event.session_id, event.user_id)
    if any(line.session_question_id == event.session_question_id for line, _ in lines):
        return  # a redelivered event
    persona = persona_for(event.interviewer)
    key = clip_address(event.spoken, persona, provider.name, provider.version)
    await _ensure(repo, storage, key, event.spoken, persona.id, provider.name, retry_after_s=3600.0, priority=1)
    await repo.add_line(
        SessionVideo(session_id=event.session_id, position=await repo.next_position(event.session_id),
                     user_id=event.user_id, persona=persona.id, kind="follow_up", question_id=None,
                     session_question_id=event.session_question_id, clip_key=key)
    )  # fmt: skip


class DbJobBook:
    """Cloud jobs in the database: the API's webhook writes the result, the rendering worker reads it."""

    def __init__(self, db: Database | None = None) -> None:
        self.db = db  # the worker binds its database once it exists

    def _db(self) -> Database:
        if self.db is None:
            raise RuntimeError("DbJobBook used before a database was bound")
        return self.db

    async def started(self, job_id: uuid.UUID, provider: str, external_id: str) -> None:
        async with self._db().transaction() as session:
            await JobRepository(session).add(job_id, provider, external_id)

    async def finished(self, job_id: uuid.UUID) -> dict[str, Any] | None:
        async with self._db().transaction() as session:
            return await JobRepository(session).result(job_id)


class Renderer:
    """The render loop of the worker: one clip at a time per worker (rendering uses every core already)."""

    def __init__(
        self,
        storage: Storage,
        provider: AvatarProvider,
        local: LocalAvatar,
        *,
        lease_s: float = 600.0,
        max_attempts: int = 3,
        idle_s: float = 0.5,
    ) -> None:
        self.storage, self.provider, self.local = storage, provider, local
        self.lease_s, self.max_attempts, self.idle_s = lease_s, max_attempts, idle_s
        self.stop: asyncio.Event | None = None

    async def run(self, db: Database, stop: asyncio.Event) -> None:
        self.stop = stop
        try:
            async with db.transaction() as session:
                await plan_previews(session, self.provider, self.storage)
        except Exception:  # previews are a nicety: the loop renders sessions' clips regardless
            log.exception("planning the persona previews failed")
        while not stop.is_set():
            try:
                worked = await self.render_one(db)
            except Exception:
                log.exception("render loop error")
                worked = False
            if not worked:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), timeout=self.idle_s)

    async def render_one(self, db: Database) -> bool:
        """Render the next waiting clip; False when none was waiting."""
        async with db.transaction() as session:
            repo = ClipRepository(session)
            for dead in await repo.exhausted(self.max_attempts):
                # Its renderers crashed every time (not an error we caught): the words, rather than nothing.
                await repo.finish(
                    dead.key,
                    None,
                    status=ClipStatus.TEXT_ONLY.value,
                    errors=[*dead.errors, "renderer died"],
                    ready_at=datetime.now(UTC),
                )
            clip = await repo.claim(self.lease_s, self.max_attempts)
            if clip is None:
                return False
            key, text, persona_id, token = clip.key, clip.text, clip.persona, clip.lease_token
            played_before = bool(clip.objects)
        started = time.perf_counter()
        errors: list[str] = []
        persona = persona_for(persona_id)
        with tempfile.TemporaryDirectory(prefix="intervu-avatar-") as tmp:
            rendered = await self._render_degrading(text, persona, Path(tmp), errors)
            # A render the configured provider finished is kept, stopping or not; one that failed or degraded while
            # the worker stops is the stop's doing.
            finished_well = rendered is not None and rendered.provider == self.provider.name and not errors
            if self.stop is not None and self.stop.is_set() and not finished_well:
                # The worker is stopping: its signal also ended ffmpeg, so what failed here is the stop, not the
                # clip. Recorded as a failure it degraded a greeting to the voice alone for an hour (seen in CI);
                # handed back, the next worker renders it at once instead of waiting for the lease to run out.
                async with db.transaction() as session:
                    await ClipRepository(session).release(key, token)
                log.info("clip %s: handed back unrendered, the worker is stopping", key[:12])
                return False
            # A render's files go under its own lease token: a re-render never changes a file someone is playing.
            objects = await self._store(f"{key}/{str(token)[:12]}", rendered) if rendered is not None else {}
        async with db.transaction() as session:
            repo = ClipRepository(session)
            if rendered is None:
                # A clip that played before (a failed retry) keeps its files; one that never did is text only.
                finished = await repo.finish(
                    key, token, status=ClipStatus.READY.value if played_before else ClipStatus.TEXT_ONLY.value,
                    errors=errors, render_s=0.0, ready_at=datetime.now(UTC),
                )  # fmt: skip
                log.error("clip %s: every renderer failed (%s)", key[:12], "; ".join(errors))
            else:
                finished = await repo.finish(
                    key, token, status=ClipStatus.READY.value, kind=rendered.kind, rendered_by=rendered.provider,
                    degraded=rendered.provider != self.provider.name, objects=objects,
                    duration_s=rendered.duration_s, speech_s=rendered.speech_s,
                    render_s=round(time.perf_counter() - started, 3), errors=errors, ready_at=datetime.now(UTC),
                )  # fmt: skip
            if not finished:
                log.warning("clip %s: lease lost while rendering; the worker that took over finishes it", key[:12])
        return True

    async def _render_degrading(self, text: str, persona: Persona, workdir: Path, errors: list[str]) -> Rendered | None:
        attempts = []
        if self.provider.name != self.local.name:
            attempts.append(self.provider.render)
        attempts += [self.local.render, self.local.render_voice]
        for index, attempt in enumerate(attempts):
            step = workdir / str(index)
            step.mkdir()
            try:
                return await attempt(text, persona, step)
            except AvatarError as exc:
                errors.append(str(exc)[:500])
                log.warning("rendering %r failed, degrading: %s", text[:40], exc)
            except Exception as exc:  # a bug or a missing binary must not leave a session without its words
                errors.append(f"{type(exc).__name__}: {exc}"[:500])
                log.exception("rendering %r crashed, degrading", text[:40])
        return None

    async def _store(self, prefix: str, rendered: Rendered) -> dict[str, str]:
        objects = {}
        for name, path in rendered.files.items():
            object_key = f"avatar/clips/{prefix}/{name}"
            await self.storage.put_bytes(object_key, path.read_bytes(), _TYPES.get(path.suffix))
            objects[name] = object_key
        return objects

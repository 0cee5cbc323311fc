from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Body, Query
from intervu_kit.auth import CurrentUser
from intervu_kit.db import SessionDep
from intervu_kit.errors import IntervuError, NotFound
from intervu_kit.storage import Storage

from intervu_avatar.clips.repository import ClipRepository, JobRepository
from intervu_avatar.clips.schemas import ClipOut, PersonaOut, PreviewOut, SessionVideos
from intervu_avatar.config import Settings
from intervu_avatar.deps import SettingsDep, StorageDep
from intervu_avatar.models import Clip
from intervu_avatar.personas import DEFAULT_PERSONA, PERSONAS, Persona, clip_address, persona_for
from intervu_avatar.providers.base import webhook_token_valid
from intervu_avatar.providers.factory import provider_from_settings

router = APIRouter(tags=["interviewer videos"])
SERVED = re.compile(r"avatar/clips/[0-9a-f]{64}/[0-9a-f-]{12}/(video\.(webm|mp4)|speech\.(webm|m4a)|captions\.vtt)")


class SessionVideosNotFound(NotFound):
    code = "session_videos_not_found"
    message = "No interviewer videos for this session."


class WebhookUnauthenticated(IntervuError):
    status = 401
    code = "webhook_unauthenticated"
    message = "The webhook token is missing or wrong."


class InvalidWebhook(IntervuError):
    status = 422
    code = "invalid_webhook"
    message = "The webhook body is not a finished job of this provider."


def _persona_out(p: Persona) -> PersonaOut:
    return PersonaOut(
        id=p.id, name=p.name, title=p.title, style=p.style, description=p.description, default=p.id == DEFAULT_PERSONA
    )


@router.get("/personas", response_model=list[PersonaOut])
async def personas(
    user: CurrentUser, session: SessionDep, storage: StorageDep, settings: SettingsDep
) -> list[PersonaOut]:
    """The interviewers a session can have (`interviewer` when creating a session in the interviews API), each with
    a short greeting clip to preview them (`preview`: pending until the worker has rendered it)."""
    provider = provider_from_settings(settings)
    repo = ClipRepository(session)
    out = []
    for p in PERSONAS.values():
        clip = await repo.get(clip_address(p.greeting, p, provider.name, provider.version))
        preview = None
        if clip is not None:
            preview = PreviewOut(
                text=clip.text, status=clip.status, media=clip.kind, duration_s=clip.duration_s,
                **await _urls(clip, storage, settings),
            )  # fmt: skip
        out.append(_persona_out(p).model_copy(update={"preview": preview}))
    return out


async def _urls(clip: Clip, storage: Storage, settings: Settings) -> dict[str, str]:
    """Signed URLs of a clip's files (ready, or rendered again after a degraded result: the old files still play)."""
    names = {"video.webm": "webm_url", "video.mp4": "mp4_url", "speech.webm": "audio_webm_url",
             "speech.m4a": "audio_m4a_url", "captions.vtt": "captions_url"}  # fmt: skip
    base = f"{settings.api_prefix}/files"
    return {
        field: await storage.signed_url(clip.objects[name], settings.avatar_video_url_ttl_s, base_url=base)
        for name, field in names.items()
        if name in clip.objects
    }


@router.get("/sessions/{session_id}/videos", response_model=SessionVideos)
async def session_videos(
    session_id: uuid.UUID, user: CurrentUser, session: SessionDep, storage: StorageDep, settings: SettingsDep
) -> SessionVideos:
    """The interviewer's clips for your session, in order, with short-lived signed URLs for the ready ones.

    Rendering starts when the session is created; poll this until `total > 0` and `ready == total` (each clip is
    usable as soon as its own status is `ready`). Right after creating a session nothing may be planned yet (`total`
    0, no persona) until the session's event reaches this service: a state, not an error, so a page can poll from
    the start. Someone else's session is a 404.
    """
    repo = ClipRepository(session)
    lines = await repo.session_lines(session_id, user.id)
    ttl = settings.avatar_video_url_ttl_s
    if not lines:
        if await repo.planned_for_someone_else(session_id, user.id):
            raise SessionVideosNotFound()
        expires = datetime.now(UTC) + timedelta(seconds=ttl)
        return SessionVideos(session_id=session_id, persona=None, ready=0, total=0, expires_at=expires, clips=[])
    clips = []
    for line, clip in lines:
        urls = await _urls(clip, storage, settings)
        clips.append(
            ClipOut(
                position=line.position, kind=line.kind, question_id=line.question_id,
                session_question_id=line.session_question_id,
                text=clip.text, status=clip.status, media=clip.kind,
                rendered_by=clip.rendered_by, degraded=clip.degraded, duration_s=clip.duration_s, **urls,
            )
        )  # fmt: skip
    done = sum(1 for c in clips if c.status in ("ready", "text_only"))
    return SessionVideos(
        session_id=session_id,
        persona=_persona_out(persona_for(lines[0][0].persona)),
        ready=done,
        total=len(clips),
        expires_at=datetime.now(UTC) + timedelta(seconds=ttl),
        clips=clips,
    )


@router.post("/webhooks/{provider}/{job_id}", status_code=204)
async def provider_webhook(
    provider: str,
    job_id: uuid.UUID,
    session: SessionDep,
    settings: SettingsDep,
    body: Annotated[dict[str, Any], Body()],
    token: Annotated[str, Query(max_length=128)] = "",
) -> None:
    """A cloud avatar provider reports a finished job. Authenticated by the per-job token in the URL we gave it."""
    secret = settings.avatar_webhook_secret.get_secret_value().encode()
    if not token or not webhook_token_valid(secret, provider, job_id, token):
        raise WebhookUnauthenticated()
    jobs = JobRepository(session)
    job = await jobs.get(job_id, provider)
    if job is None:
        raise NotFound("No such job.", code="job_not_found")
    if body.get("id") != job.external_id or body.get("status") not in {"done", "error", "rejected"}:
        raise InvalidWebhook(details={"expected_id": job.external_id})
    await jobs.record_result(job_id, body)

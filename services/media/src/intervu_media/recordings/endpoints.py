from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime, timedelta
from typing import Annotated

from fastapi import APIRouter, Query
from intervu_kit.auth import CurrentUser
from intervu_kit.db import SessionDep
from intervu_kit.errors import Conflict, IntervuError, NotFound
from intervu_kit.paging import Offset

from intervu_media.deps import SettingsDep, StorageDep
from intervu_media.models import Recording, RecordingStatus
from intervu_media.recordings.schemas import Playback, RecordingOut
from intervu_media.repository import RecordingRepository
from intervu_media.uploads.service import delete_recording_objects

router = APIRouter(tags=["recordings"])
SERVED = re.compile(r"^recordings/[A-Za-z0-9-]+/[0-9a-f-]{36}/(media\.(webm|mp4|ogg|wav|mp3)|audio\.wav)$")


class RecordingNotFound(NotFound):
    code = "recording_not_found"
    message = "No such recording."


async def _owned(session: SessionDep, recording_id: uuid.UUID, user_id: str) -> Recording:
    recording = await RecordingRepository(session).get_owned(recording_id, user_id)
    if recording is None:
        raise RecordingNotFound()  # someone else's recording is indistinguishable from a missing one
    return recording


@router.get("/recordings", response_model=list[RecordingOut])
async def list_recordings(
    user: CurrentUser,
    session: SessionDep,
    answer_id: uuid.UUID | None = None,
    session_id: uuid.UUID | None = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Offset = 0,
) -> list[RecordingOut]:
    """Your recordings, newest first."""
    rows = await RecordingRepository(session).list_owned(
        user.id, answer_id=answer_id, session_id=session_id, limit=limit, offset=offset
    )
    return [RecordingOut.model_validate(r) for r in rows]


@router.get("/recordings/{recording_id}", response_model=RecordingOut)
async def get_recording(recording_id: uuid.UUID, user: CurrentUser, session: SessionDep) -> RecordingOut:
    """A recording's state: `uploading`, `processing`, `ready`, or `rejected` with a code and a reason."""
    return RecordingOut.model_validate(await _owned(session, recording_id, user.id))


class RecordingPurged(IntervuError):
    status = 410
    code = "recording_purged"
    message = "This recording was deleted after the retention period you chose; its transcript and feedback remain."


@router.get("/recordings/{recording_id}/playback", response_model=Playback)
async def playback(
    recording_id: uuid.UUID, user: CurrentUser, session: SessionDep, storage: StorageDep, settings: SettingsDep
) -> Playback:
    """Short-lived signed URLs for the recording and its audio track (range requests supported)."""
    recording = await _owned(session, recording_id, user.id)
    if recording.status == RecordingStatus.PURGED.value:
        raise RecordingPurged(details={"purged_at": recording.purged_at.isoformat() if recording.purged_at else None})
    if recording.status != RecordingStatus.READY.value or not recording.media_key or not recording.audio_key:
        raise Conflict(
            "The recording is not ready to play.", code="recording_not_ready", details={"status": recording.status}
        )
    ttl = settings.media_playback_url_ttl_s
    base = f"{settings.api_prefix}/files"
    return Playback(
        url=await storage.signed_url(recording.media_key, ttl, base_url=base),
        audio_url=await storage.signed_url(recording.audio_key, ttl, base_url=base),
        expires_at=datetime.now(UTC) + timedelta(seconds=ttl),
        content_type=recording.media_type or "application/octet-stream",
    )


@router.delete("/recordings/{recording_id}", status_code=204)
async def delete_recording(
    recording_id: uuid.UUID, user: CurrentUser, session: SessionDep, storage: StorageDep
) -> None:
    """Delete a recording and every stored byte of it."""
    recording = await _owned(session, recording_id, user.id)
    await delete_recording_objects(storage, recording)
    await RecordingRepository(session).delete(recording)

from __future__ import annotations

import re
import time
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Annotated

from fastapi import APIRouter, Header, Query
from fastapi.responses import StreamingResponse
from intervu_kit.auth import CurrentUser
from intervu_kit.db import SessionDep
from intervu_kit.errors import Conflict, Forbidden, IntervuError, NotFound
from intervu_kit.storage import LocalStorage, verify_url_signature

from intervu_media.deps import SettingsDep, StorageDep
from intervu_media.models import Recording, RecordingStatus
from intervu_media.recordings.schemas import Playback, RecordingOut
from intervu_media.repository import RecordingRepository
from intervu_media.uploads.service import delete_recording_objects

router = APIRouter(tags=["recordings"])
_RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")
_SERVED = re.compile(r"^recordings/[A-Za-z0-9-]+/[0-9a-f-]{36}/(media\.(webm|mp4|ogg|wav|mp3)|audio\.wav)$")
_TYPES = {"webm": "video/webm", "mp4": "video/mp4", "ogg": "audio/ogg", "wav": "audio/wav", "mp3": "audio/mpeg"}


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
    offset: Annotated[int, Query(ge=0)] = 0,
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


@router.get("/recordings/{recording_id}/playback", response_model=Playback)
async def playback(
    recording_id: uuid.UUID, user: CurrentUser, session: SessionDep, storage: StorageDep, settings: SettingsDep
) -> Playback:
    """Short-lived signed URLs for the recording and its audio track (range requests supported)."""
    recording = await _owned(session, recording_id, user.id)
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


@router.get("/files/{key:path}", include_in_schema=True)
async def signed_file(
    key: str,
    storage: StorageDep,
    settings: SettingsDep,
    expires: int,
    signature: Annotated[str, Query(max_length=128)],
    range_header: Annotated[str | None, Header(alias="Range")] = None,
) -> StreamingResponse:
    """Serve a file by HMAC-signed URL (local-disk storage; S3 serves presigned URLs itself).

    The signature is the authorisation: it names one object and expires within minutes.
    """
    if not isinstance(storage, LocalStorage):
        raise NotFound()
    if not _SERVED.match(key):
        raise Forbidden("This URL is not valid.", code="invalid_signature")
    secret = settings.storage_signing_key.get_secret_value().encode()
    if expires < time.time():
        raise Forbidden("This link has expired; ask for a new one.", code="url_expired")
    if not verify_url_signature(secret, key, expires, signature):
        raise Forbidden("This URL is not valid.", code="invalid_signature")
    info = await storage.stat(key)
    if info is None:
        raise NotFound("The file no longer exists.", code="object_not_found")
    size = info.size
    start, end, status = 0, size - 1, 200
    if range_header:
        match = _RANGE.match(range_header.strip())
        if not match or (not match.group(1) and not match.group(2)):
            raise IntervuError(
                "Malformed Range header.",
                code="invalid_range",
                status=416,
                headers={"Content-Range": f"bytes */{size}"},
            )
        if match.group(1):
            start = int(match.group(1))
            end = min(int(match.group(2)), size - 1) if match.group(2) else size - 1
        else:  # suffix range: the last N bytes
            start = max(size - int(match.group(2)), 0)
        if start >= size or start > end:
            raise IntervuError(
                "The range is outside the file.",
                code="range_not_satisfiable",
                status=416,
                headers={"Content-Range": f"bytes */{size}"},
            )
        status = 206
    headers = {
        "Accept-Ranges": "bytes",
        "Content-Length": str(end - start + 1),
        "Cache-Control": "private, max-age=300",
        "Content-Disposition": "inline",
    }
    if status == 206:
        headers["Content-Range"] = f"bytes {start}-{end}/{size}"

    async def body() -> AsyncIterator[bytes]:
        async for chunk in storage.read(key, start, end):
            yield chunk

    return StreamingResponse(
        body(),
        status_code=status,
        headers=headers,
        media_type=_TYPES.get(key.rsplit(".", 1)[-1], "application/octet-stream"),
    )

"""tus 1.0 at ``/api/media/uploads/`` (core, creation, creation-defer-length, termination, checksum,
expiration). tus-js-client talks to it as is; send the access token in the Authorization header."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Header, Request, Response
from intervu_kit.auth import CurrentUser
from intervu_kit.db import SessionDep
from intervu_kit.policy_gate import PolicyAccepted

from intervu_media.deps import SettingsDep, StorageDep
from intervu_media.models import Recording
from intervu_media.uploads import tus
from intervu_media.uploads.service import UploadService

router = APIRouter(prefix="/uploads", tags=["uploads (tus)"])
TusResumable = Annotated[str | None, Header(alias="Tus-Resumable")]


def _headers(recording: Recording | None = None) -> dict[str, str]:
    headers = {"Tus-Resumable": tus.VERSION, "Cache-Control": "no-store"}
    if recording is not None:
        headers["Upload-Offset"] = str(recording.upload_offset)
        if recording.upload_length is None:
            headers["Upload-Defer-Length"] = "1"
        else:
            headers["Upload-Length"] = str(recording.upload_length)
        if recording.expires_at is not None:
            headers["Upload-Expires"] = tus.http_date(recording.expires_at)
    return headers


@router.options("/", status_code=204)
@router.options("/{upload_id}", status_code=204, include_in_schema=False)
async def discover(settings: SettingsDep) -> Response:
    """What this tus server supports."""
    return Response(
        status_code=204,
        headers={
            "Tus-Resumable": tus.VERSION,
            "Tus-Version": tus.VERSION,
            "Tus-Extension": tus.EXTENSIONS,
            "Tus-Max-Size": str(settings.media_max_upload_bytes),
            "Tus-Checksum-Algorithm": ",".join(sorted(tus.CHECKSUM_ALGORITHMS)),
        },
    )


@router.post("/", status_code=201)
async def create_upload(
    request: Request,
    user: PolicyAccepted,
    session: SessionDep,
    storage: StorageDep,
    settings: SettingsDep,
    tus_resumable: TusResumable = None,
    upload_length: Annotated[str | None, Header(alias="Upload-Length")] = None,
    upload_defer_length: Annotated[str | None, Header(alias="Upload-Defer-Length")] = None,
    upload_metadata: Annotated[str | None, Header(alias="Upload-Metadata")] = None,
) -> Response:
    """Create an upload. Metadata: `filename`, `filetype`, `answer_id` (the interviews answer it records),
    `session_id`."""
    tus.require_version(tus_resumable)
    length = tus.parse_length(upload_length, "Upload-Length")
    if (length is None) == (upload_defer_length is None):
        raise tus.TusError(400, "invalid_header", "Send exactly one of Upload-Length or Upload-Defer-Length: 1.")
    if upload_defer_length is not None and upload_defer_length != "1":
        raise tus.TusError(400, "invalid_header", "Upload-Defer-Length must be 1.")
    recording = await UploadService(session, storage, settings).create(
        user.id, length, tus.parse_metadata(upload_metadata)
    )
    location = str(request.url_for("upload_status", upload_id=recording.id).path)
    return Response(status_code=201, headers={**_headers(recording), "Location": location})


@router.head("/{upload_id}", name="upload_status")
async def upload_status(
    upload_id: uuid.UUID,
    user: CurrentUser,
    session: SessionDep,
    storage: StorageDep,
    settings: SettingsDep,
    tus_resumable: TusResumable = None,
) -> Response:
    """The offset to resume from."""
    tus.require_version(tus_resumable)
    recording = await UploadService(session, storage, settings).get(user.id, upload_id)
    return Response(status_code=200, headers=_headers(recording))


@router.patch("/{upload_id}", status_code=204)
async def append(
    upload_id: uuid.UUID,
    request: Request,
    user: CurrentUser,
    session: SessionDep,
    storage: StorageDep,
    settings: SettingsDep,
    tus_resumable: TusResumable = None,
    content_type: Annotated[str | None, Header(alias="Content-Type")] = None,
    upload_offset: Annotated[str | None, Header(alias="Upload-Offset")] = None,
    upload_length: Annotated[str | None, Header(alias="Upload-Length")] = None,
    upload_checksum: Annotated[str | None, Header(alias="Upload-Checksum")] = None,
) -> Response:
    """Append bytes at `Upload-Offset`. With `Upload-Checksum`, a mismatch is 460 and nothing is stored."""
    tus.require_version(tus_resumable)
    if content_type != "application/offset+octet-stream":
        raise tus.TusError(415, "unsupported_media_type", "PATCH bodies must be application/offset+octet-stream.")
    offset = tus.parse_length(upload_offset, "Upload-Offset")
    if offset is None:
        raise tus.TusError(400, "invalid_header", "Upload-Offset is required.")
    recording = await UploadService(session, storage, settings).append(
        user.id,
        upload_id,
        offset=offset,
        declared_length=tus.parse_length(upload_length, "Upload-Length"),
        checksum=tus.parse_checksum(upload_checksum),
        body=request.stream(),
    )
    return Response(status_code=204, headers=_headers(recording))


@router.delete("/{upload_id}", status_code=204)
async def terminate(
    upload_id: uuid.UUID,
    user: CurrentUser,
    session: SessionDep,
    storage: StorageDep,
    settings: SettingsDep,
    tus_resumable: TusResumable = None,
) -> Response:
    """Stop an upload and delete everything stored for it."""
    tus.require_version(tus_resumable)
    await UploadService(session, storage, settings).terminate(user.id, upload_id)
    return Response(status_code=204, headers={"Tus-Resumable": tus.VERSION})

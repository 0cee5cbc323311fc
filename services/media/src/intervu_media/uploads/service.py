"""Resumable uploads (tus) into object storage, streamed: a PATCH body is spooled to a temporary file while
it is hashed and counted, then appended to a storage multipart upload in parts of ``media_part_size``.

Bytes that do not fill a part yet wait in a small "tail" object (named by the offset it ends at, so a failed
request can never leave the row and the tail disagreeing). Memory use is one part, whatever the file size.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import anyio
from intervu_contracts import RecordingProcessing, UploadStarted
from intervu_kit.events import publish
from intervu_kit.jobs import enqueue
from intervu_kit.storage import Part, Storage
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.requests import ClientDisconnect

from intervu_media.config import Settings
from intervu_media.models import PROCESS_KIND, Recording, RecordingStatus, events, jobs
from intervu_media.repository import RecordingRepository
from intervu_media.uploads.tus import Checksum, TusError, UploadMetadata

CHUNK = 1024 * 1024


async def enqueue_processing(session: AsyncSession, recording: Recording) -> None:
    """In the transaction that receives the last byte: the job exists exactly when the upload is complete."""
    payload = {"recording_id": str(recording.id)}
    await enqueue(session, jobs, PROCESS_KIND, str(recording.id), payload, user_id=recording.user_id)


def _gone() -> TusError:
    return TusError(404, "upload_not_found", "No such upload.")


class UploadService:
    def __init__(self, session: AsyncSession, storage: Storage, settings: Settings) -> None:
        self.session = session
        self.repo = RecordingRepository(session)
        self.storage = storage
        self.settings = settings

    async def _check_quota(self, user_id: str, length: int, recording_id: uuid.UUID | None = None) -> int:
        """Refuse ``length`` bytes past the person's quota; returns what is left after them."""
        used = await self.repo.bytes_used(user_id, excluding=recording_id)
        if used + length > self.settings.media_user_quota_bytes:
            raise TusError(
                413,
                "quota_exceeded",
                "This upload would exceed your storage quota.",
                details={"quota_bytes": self.settings.media_user_quota_bytes, "used_bytes": used},
            )
        return self.settings.media_user_quota_bytes - used - length

    def _check_size(self, length: int) -> None:
        if length > self.settings.media_max_upload_bytes:
            raise TusError(
                413,
                "upload_too_large",
                "The recording is larger than the size limit.",
                details={"max_bytes": self.settings.media_max_upload_bytes},
            )

    async def create(self, user_id: str, length: int | None, metadata: UploadMetadata) -> Recording:
        if length is not None:
            if length == 0:
                raise TusError(400, "empty_upload", "The recording is empty.")
            self._check_size(length)
        await self.repo.lock_user_quota(user_id)  # held to commit: the new row counts before anyone checks again
        if await self.repo.open_uploads(user_id) >= self.settings.media_max_open_uploads:
            raise TusError(
                429,
                "too_many_open_uploads",
                "Finish or cancel an upload before starting another.",
                details={"max_open_uploads": self.settings.media_max_open_uploads},
            )
        await self._check_quota(user_id, length or 0)
        recording = Recording(
            id=uuid.uuid4(),
            user_id=user_id,
            status=RecordingStatus.UPLOADING.value,
            upload_length=length,
            upload_offset=0,
            parts=[],
            tail_size=0,
            filename=metadata.filename,
            declared_type=metadata.filetype,
            answer_id=metadata.answer_id,
            session_id=metadata.session_id,
            expires_at=datetime.now(UTC) + timedelta(seconds=self.settings.media_upload_expiry_s),
        )
        recording.multipart_id = await self.storage.create_multipart(recording.original_key)
        self.repo.add(recording)
        await self.session.flush()
        if recording.answer_id is not None:  # the answer's status shows "uploading"
            started = UploadStarted(recording_id=recording.id, user_id=user_id, answer_id=recording.answer_id)
            await publish(self.session, events.outbox, started, producer="media")
        return recording

    async def get(self, user_id: str, upload_id: uuid.UUID) -> Recording:
        recording = await self.repo.get_owned(upload_id, user_id)
        if recording is None:
            raise _gone()
        if recording.status == RecordingStatus.EXPIRED.value or (
            recording.status == RecordingStatus.UPLOADING.value
            and recording.expires_at is not None
            and recording.expires_at < datetime.now(UTC)
        ):
            raise TusError(410, "upload_expired", "This upload expired; start a new one.")
        return recording

    async def append(
        self,
        user_id: str,
        upload_id: uuid.UUID,
        *,
        offset: int,
        declared_length: int | None,
        checksum: Checksum | None,
        body: AsyncIterator[bytes],
    ) -> Recording:
        recording = await self.get(user_id, upload_id)
        if recording.status != RecordingStatus.UPLOADING.value:
            raise TusError(409, "upload_complete", "This upload is already complete.")
        if offset != recording.upload_offset:
            raise TusError(
                409,
                "offset_mismatch",
                "Upload-Offset does not match the server's offset.",
                details={"server_offset": recording.upload_offset},
                headers={"Upload-Offset": str(recording.upload_offset)},
            )
        length = recording.upload_length
        if declared_length is not None:
            if length is not None and declared_length != length:
                raise TusError(400, "length_change", "Upload-Length cannot change once set.")
            if declared_length < offset or declared_length == 0:
                raise TusError(400, "invalid_header", "Upload-Length is smaller than what was already sent.")
            self._check_size(declared_length)
            await self._check_quota(user_id, declared_length, recording.id)
            length = declared_length
        too_much = TusError(413, "upload_exceeds_length", "More data was sent than the upload's length.")
        if length is not None:
            limit = length - offset
        else:
            # A deferred length reserves nothing yet: what this request may add is bounded by the quota left
            # (checked again under the lock below, where racing requests are serialised).
            left = await self._check_quota(user_id, offset, recording.id)
            limit = min(self.settings.media_max_upload_bytes - offset, left)
            if limit == left:
                too_much = TusError(413, "quota_exceeded", "This upload would exceed your storage quota.")
            else:
                too_much = TusError(413, "upload_too_large", "The recording is larger than the size limit.")

        spool_dir = self.settings.media_spool_dir
        spool_dir.mkdir(parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(dir=spool_dir, prefix="patch-")
        os.close(fd)
        spool = Path(name)
        try:
            received, complete_body, digest = await self._spool(body, spool, limit, checksum, too_much)
            if checksum is not None:
                if not complete_body:
                    raise TusError(460, "checksum_mismatch", "The request ended early; its checksum cannot match.")
                if digest != checksum.digest:
                    raise TusError(460, "checksum_mismatch", "Upload-Checksum does not match the data sent.")
            # Now take the row (briefly): a second PATCH racing this one gets a clear 409.
            try:
                locked = await self.repo.get_owned(upload_id, user_id, lock=True, nowait=True)
            except DBAPIError as exc:
                raise TusError(423, "upload_locked", "Another request is writing to this upload.") from exc
            if locked is None or locked.upload_offset != offset or locked.status != RecordingStatus.UPLOADING.value:
                raise TusError(409, "offset_mismatch", "The upload changed while this request was sent.")
            recording = locked
            if declared_length is not None:
                recording.upload_length = declared_length
            await self.repo.lock_user_quota(user_id)
            await self._check_quota(user_id, recording.upload_length or offset + received, recording.id)
            final = recording.upload_length is not None and offset + received == recording.upload_length
            if received or final:
                await self._write(recording, spool, received, final)
            recording.upload_offset = offset + received
            if final:
                recording.status = RecordingStatus.PROCESSING.value
                recording.expires_at = None
                await self.session.flush()
                await enqueue_processing(self.session, recording)
                if recording.answer_id is not None:  # the answer's status shows "checking"
                    processing = RecordingProcessing(
                        recording_id=recording.id, user_id=user_id, answer_id=recording.answer_id
                    )
                    await publish(self.session, events.outbox, processing, producer="media")
            return recording
        finally:
            await anyio.Path(spool).unlink(missing_ok=True)

    async def _spool(
        self, body: AsyncIterator[bytes], spool: Path, limit: int, checksum: Checksum | None, too_much: TusError
    ) -> tuple[int, bool, bytes | None]:
        hasher = checksum.new() if checksum else None
        received = 0
        complete = True
        async with await anyio.open_file(spool, "wb") as fh:
            try:
                async for chunk in body:
                    if received + len(chunk) > limit:
                        raise too_much
                    received += len(chunk)
                    if hasher:
                        hasher.update(chunk)
                    await fh.write(chunk)
            except ClientDisconnect:
                # tus: keep what arrived so the client can resume from there (unless a checksum must match).
                complete = False
        return received, complete, hasher.digest() if hasher else None

    def _tail_key(self, recording: Recording, end_offset: int) -> str:
        return f"{recording.prefix}/upload-tail-{end_offset}"

    async def _write(self, recording: Recording, spool: Path, received: int, final: bool) -> None:
        part_size = self.settings.media_part_size
        parts = list(recording.parts)
        multipart_id = recording.multipart_id
        assert multipart_id is not None
        old_tail = self._tail_key(recording, recording.upload_offset) if recording.tail_size else None
        buffer = bytearray()

        async def source() -> AsyncIterator[bytes]:
            if old_tail is not None:
                async for chunk in self.storage.read(old_tail):
                    yield chunk
            async with await anyio.open_file(spool, "rb") as fh:
                while chunk := await fh.read(CHUNK):
                    yield chunk

        async for chunk in source():
            buffer += chunk
            while len(buffer) >= part_size:
                piece = bytes(buffer[:part_size])
                del buffer[:part_size]
                part = await self.storage.upload_part(recording.original_key, multipart_id, len(parts) + 1, piece)
                parts.append({"number": part.number, "etag": part.etag})
        if final:
            if buffer or not parts:
                part = await self.storage.upload_part(
                    recording.original_key, multipart_id, len(parts) + 1, bytes(buffer)
                )
                parts.append({"number": part.number, "etag": part.etag})
            await self.storage.complete_multipart(
                recording.original_key, multipart_id, [Part(int(str(p["number"])), str(p["etag"])) for p in parts]
            )
            await self._drop_tails(recording, keep=set())
            recording.multipart_id = None
            recording.tail_size = 0
        else:
            end = recording.upload_offset + received
            if buffer:
                await self.storage.put_bytes(self._tail_key(recording, end), bytes(buffer))
            # The row's current tail stays until the row has moved on (a failed commit must find it again).
            keep = {key for key in (old_tail, self._tail_key(recording, end) if buffer else None) if key}
            await self._drop_tails(recording, keep=keep)
            recording.tail_size = len(buffer)
        recording.parts = parts

    async def _drop_tails(self, recording: Recording, keep: set[str]) -> None:
        for obj in await self.storage.list_objects(f"{recording.prefix}/upload-tail-"):
            if obj.key not in keep:
                await self.storage.delete(obj.key)

    async def terminate(self, user_id: str, upload_id: uuid.UUID) -> None:
        recording = await self.repo.get_owned(upload_id, user_id, lock=True)
        if recording is None:
            raise _gone()
        await delete_recording_objects(self.storage, recording)
        await self.repo.delete(recording)


async def delete_recording_objects(storage: Storage, recording: Recording) -> None:
    """Every stored byte of a recording: the multipart in flight, tails, original, media and audio."""
    if recording.multipart_id:
        with contextlib.suppress(Exception):
            await storage.abort_multipart(recording.original_key, recording.multipart_id)
    await storage.delete_prefix(recording.prefix + "/")

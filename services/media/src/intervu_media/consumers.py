"""The media worker: processes completed uploads (its own event) and expires abandoned ones."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from datetime import UTC, datetime

from intervu_contracts import EventEnvelope, UploadCompleted
from intervu_kit.db import Database
from intervu_kit.events import EventConsumer
from intervu_kit.storage import Storage
from sqlalchemy.ext.asyncio import AsyncSession

from intervu_media.config import Settings
from intervu_media.models import RecordingStatus
from intervu_media.processing import process_recording
from intervu_media.repository import RecordingRepository
from intervu_media.uploads.service import delete_recording_objects

log = logging.getLogger(__name__)


def registrar(storage: Storage, settings: Settings):  # type: ignore[no-untyped-def]
    async def on_upload_completed(session: AsyncSession, event: UploadCompleted, _: EventEnvelope) -> None:
        await process_recording(session, storage, settings, event.recording_id)

    def register(consumer: EventConsumer) -> None:
        consumer.on(UploadCompleted)(on_upload_completed)

    return register


async def expire_uploads(db: Database, storage: Storage, now: datetime | None = None) -> int:
    """tus expiration: uploads left unfinished past ``expires_at`` lose their bytes and end ``expired``."""
    async with db.transaction() as session:
        stale = await RecordingRepository(session).expired_uploads(now or datetime.now(UTC))
        for recording in stale:
            await delete_recording_objects(storage, recording)
            recording.status = RecordingStatus.EXPIRED.value
            recording.multipart_id = None
        return len(stale)


async def expire_uploads_forever(db: Database, storage: Storage, stop: asyncio.Event, every_s: float = 300) -> None:
    while not stop.is_set():
        try:
            if count := await expire_uploads(db, storage):
                log.info("expired %d abandoned uploads", count)
        except Exception:
            log.exception("expiring uploads failed; will retry")
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=every_s)

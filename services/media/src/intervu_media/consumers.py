"""The media worker's consumers and periodic work: consents, expiring abandoned uploads, retention."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from datetime import UTC, datetime

from intervu_kit.consents import consent_registrar
from intervu_kit.db import Database
from intervu_kit.events import EventConsumer
from intervu_kit.storage import Storage

from intervu_media.config import Settings
from intervu_media.models import RecordingStatus, consents
from intervu_media.repository import RecordingRepository
from intervu_media.uploads.service import delete_recording_objects

log = logging.getLogger(__name__)


def registrar(storage: Storage, settings: Settings):  # type: ignore[no-untyped-def]
    """The media worker's consumers: its copy of the consent to keep recordings. (Uploads are processed as leased
    jobs, ``processing.processing_runner``, not in an event handler.)"""
    consent = consent_registrar(consents)

    def register(consumer: EventConsumer) -> None:
        consent(consumer)

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


async def apply_retention(db: Database, storage: Storage, now: datetime | None = None) -> int:
    """Recordings kept past the retention period their owner chose lose their bytes (every file under the
    recording's prefix) and end ``purged``; the row stays (duration, codecs), as do transcripts and feedback."""
    now = now or datetime.now(UTC)
    purged = 0
    while True:
        async with db.transaction() as session:
            due = await RecordingRepository(session).past_retention(now)
            for recording in due:
                await delete_recording_objects(storage, recording)
                recording.status = RecordingStatus.PURGED.value
                recording.media_key = recording.audio_key = None
                recording.purged_at = now
        purged += len(due)
        if len(due) < 100:
            return purged


async def expire_uploads_forever(db: Database, storage: Storage, stop: asyncio.Event, every_s: float = 300) -> None:
    while not stop.is_set():
        try:
            if count := await expire_uploads(db, storage):
                log.info("expired %d abandoned uploads", count)
            if count := await apply_retention(db, storage):
                log.info("deleted %d recordings past their owners' retention period", count)
        except Exception:
            log.exception("expiring uploads or applying retention failed; will retry")
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=every_s)

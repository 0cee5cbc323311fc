"""A transcription worker for the crash test, as its own process so the test can SIGKILL it mid-job.

Usage: python killable_worker.py SERVICE_NAME START_ISO
The durable consumer is the test's own (SERVICE_NAME), starting at START_ISO, so no other test's events reach it.
"""

from __future__ import annotations

import asyncio
import sys
from datetime import datetime

from intervu_kit.db import Database
from intervu_kit.events import EventConsumer
from intervu_kit.storage import storage_from_settings
from intervu_transcription.config import get_settings
from intervu_transcription.consumers import provider_from_settings, registrar
from intervu_transcription.models import events
from intervu_transcription.transcripts.progress import ProgressWriter


async def main(service: str, start: datetime) -> None:
    settings = get_settings()
    db = Database(settings.sqlalchemy_url, pool_size=2)
    consumer = EventConsumer(
        db,
        events,
        service=service,
        nats_url=settings.nats_url,
        stream=settings.events_stream,
        subject_prefix=settings.events_subject_prefix,
        ack_wait_s=settings.event_ack_wait_s,
        start_time=start,
    )
    progress = ProgressWriter(Database(settings.sqlalchemy_url, pool_size=1))
    registrar(storage_from_settings(settings), provider_from_settings(settings), progress)(consumer)
    print("ready", flush=True)
    await consumer.run(asyncio.Event())


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], datetime.fromisoformat(sys.argv[2])))

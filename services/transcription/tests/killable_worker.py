"""A transcription worker for the crash test, as its own process so the test can SIGKILL it mid-job.

Usage: python killable_worker.py SERVICE_NAME START_ISO
The durable consumer is the test's own (SERVICE_NAME), starting at START_ISO, so no other test's events reach it.
It runs what the real worker runs: the consumer that enqueues, and the job runner (lease from the environment).
"""

from __future__ import annotations

import asyncio
import sys
from datetime import datetime

from intervu_kit.db import Database
from intervu_kit.storage import storage_from_settings
from intervu_kit.worker import run_worker
from intervu_transcription.config import get_settings
from intervu_transcription.consumers import provider_from_settings, registrar
from intervu_transcription.models import events
from intervu_transcription.transcripts.progress import ProgressWriter
from intervu_transcription.transcripts.service import transcription_runner


async def main(service: str, start: datetime) -> None:
    settings = get_settings()
    progress = ProgressWriter(Database(settings.sqlalchemy_url, pool_size=1))
    runner = transcription_runner(
        storage_from_settings(settings), provider_from_settings(settings), None, progress, settings
    )
    print("ready", flush=True)
    await run_worker(
        settings, events, registrar(), jobs=[runner], start_time=start, consumer_name=service, privacy=False
    )


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], datetime.fromisoformat(sys.argv[2])))

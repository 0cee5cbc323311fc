"""The media worker: `python -m intervu_media.worker` (relay, uploads processed as leased jobs, expiry)."""

import asyncio

from intervu_kit.db import Database
from intervu_kit.storage import storage_from_settings
from intervu_kit.worker import main

from intervu_media.config import get_settings
from intervu_media.consumers import expire_uploads_forever, registrar
from intervu_media.models import events
from intervu_media.processing import processing_runner

if __name__ == "__main__":
    settings = get_settings()
    storage = storage_from_settings(settings)

    async def expiry(db: Database, stop: asyncio.Event) -> None:
        await expire_uploads_forever(db, storage, stop)

    main(settings, events, registrar(storage, settings), jobs=[expiry, processing_runner(storage, settings)])

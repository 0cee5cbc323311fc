"""The avatar worker: `python -m intervu_avatar.worker` (outbox relay, session planning, the render loop)."""

import asyncio

from intervu_kit.db import Database
from intervu_kit.storage import storage_from_settings
from intervu_kit.worker import main

from intervu_avatar.clips.service import DbJobBook, Renderer
from intervu_avatar.config import get_settings
from intervu_avatar.consumers import registrar
from intervu_avatar.models import events
from intervu_avatar.providers.factory import local_from_settings, provider_from_settings

if __name__ == "__main__":
    settings = get_settings()
    book = DbJobBook()
    provider = provider_from_settings(settings, book)
    storage = storage_from_settings(settings)
    renderer = Renderer(
        storage,
        provider,
        local_from_settings(settings),
        lease_s=settings.avatar_lease_s,
        max_attempts=settings.avatar_max_attempts,
    )

    async def render(db: Database, stop: asyncio.Event) -> None:
        book.db = db
        await renderer.run(db, stop)

    main(settings, events, registrar(provider, storage), jobs=[render])

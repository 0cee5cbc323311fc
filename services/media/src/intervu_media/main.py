"""The media API: `uvicorn intervu_media.main:app`."""

from fastapi import FastAPI
from intervu_kit.app import create_service_app
from intervu_kit.storage.serving import signed_files_router

from intervu_media.config import Settings, get_settings
from intervu_media.models import events
from intervu_media.recordings.endpoints import SERVED
from intervu_media.recordings.endpoints import router as recordings_router
from intervu_media.uploads.endpoints import router as uploads_router


def create_app(settings: Settings | None = None) -> FastAPI:
    return create_service_app(
        settings or get_settings(),
        tables=events,
        routers=[uploads_router, recordings_router, signed_files_router(SERVED, what="a recording")],
        title="Intervu media",
        description="Resumable recording uploads (tus), validation with ffprobe, and owner-only playback.",
    )


app = create_app()

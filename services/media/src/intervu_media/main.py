"""The media API: `uvicorn intervu_media.main:app`."""

from intervu_kit.app import create_service_app

from intervu_media.config import get_settings
from intervu_media.models import events

app = create_service_app(
    get_settings(),
    tables=events,
    title="Intervu media",
    description="Resumable recording uploads (tus), validation with ffprobe, and owner-only playback.",
)

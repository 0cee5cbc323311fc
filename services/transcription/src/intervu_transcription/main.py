"""The transcription API: `uvicorn intervu_transcription.main:app`."""

from intervu_kit.app import create_service_app

from intervu_transcription.config import get_settings
from intervu_transcription.models import events

app = create_service_app(
    get_settings(),
    tables=events,
    title="Intervu transcription",
    description="Speech-to-text of every answer with word timings and fillers kept verbatim.",
)

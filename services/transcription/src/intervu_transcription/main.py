"""The transcription API: `uvicorn intervu_transcription.main:app`."""

from intervu_kit.app import create_service_app

from intervu_transcription.config import get_settings
from intervu_transcription.models import events
from intervu_transcription.transcripts.endpoints import router as transcripts_router

app = create_service_app(
    get_settings(),
    tables=events,
    routers=[transcripts_router],
    title="Intervu transcription",
    description="Speech-to-text of every answer with word timings and fillers kept verbatim.",
)

"""The interviews API: `uvicorn intervu_interviews.main:app`."""

from intervu_kit.app import create_service_app

from intervu_interviews.config import get_settings
from intervu_interviews.models import events

app = create_service_app(
    get_settings(),
    tables=events,
    title="Intervu interviews",
    description="Question bank and practice sessions: questions asked, answers given, attempts kept.",
)

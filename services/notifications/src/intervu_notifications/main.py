"""The notifications API: `uvicorn intervu_notifications.main:app`."""

from intervu_kit.app import create_service_app

from intervu_notifications.config import get_settings
from intervu_notifications.models import events

app = create_service_app(
    get_settings(),
    tables=events,
    title="Intervu notifications",
    description="Web push and email when feedback is ready or practice is due, only with permission.",
)

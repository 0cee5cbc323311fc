"""The notifications API: `uvicorn intervu_notifications.main:app`."""

from intervu_kit.app import create_service_app

from intervu_notifications.config import get_settings
from intervu_notifications.inbox.endpoints import router as inbox_router
from intervu_notifications.models import events

app = create_service_app(
    get_settings(),
    tables=events,
    routers=[inbox_router],
    title="Intervu notifications",
    description="The inbox of notices (feedback ready, export ready, policy changes), emailed only with permission.",
)

"""The analytics API: `uvicorn intervu_analytics.main:app`."""

from intervu_kit.app import create_service_app

from intervu_analytics.config import get_settings
from intervu_analytics.models import events
from intervu_analytics.progress.endpoints import router as progress_router

app = create_service_app(
    get_settings(),
    tables=events,
    routers=[progress_router],
    title="Intervu analytics",
    description="Progress over time: scores per skill, pace and filler trends.",
)

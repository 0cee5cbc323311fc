"""The feedback API: `uvicorn intervu_feedback.main:app`."""

from intervu_kit.app import create_service_app

from intervu_feedback.answers.endpoints import router as answers_router
from intervu_feedback.config import get_settings
from intervu_feedback.framing.endpoints import router as framing_router
from intervu_feedback.models import events
from intervu_feedback.summary.endpoints import router as summary_router

app = create_service_app(
    get_settings(),
    tables=events,
    routers=[answers_router, summary_router, framing_router],
    title="Intervu feedback",
    description="Delivery and content analysis of answers, scores with evidence, and narrative coaching.",
)

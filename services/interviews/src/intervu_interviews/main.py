"""The interviews API: `uvicorn intervu_interviews.main:app`."""

from intervu_kit.app import create_service_app

from intervu_interviews.config import get_settings
from intervu_interviews.goals.endpoints import router as goals_router
from intervu_interviews.models import events
from intervu_interviews.questions.endpoints import router as questions_router
from intervu_interviews.sessions.endpoints import router as sessions_router
from intervu_interviews.status.endpoints import router as status_router

app = create_service_app(
    get_settings(),
    tables=events,
    routers=[questions_router, sessions_router, status_router, goals_router],
    title="Intervu interviews",
    description="Question bank and practice sessions: questions asked, answers given, attempts kept.",
)

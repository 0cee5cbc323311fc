"""The avatar API: `uvicorn intervu_avatar.main:app`."""

from intervu_kit.app import create_service_app
from intervu_kit.storage.serving import signed_files_router

from intervu_avatar.clips.endpoints import SERVED
from intervu_avatar.clips.endpoints import router as clips_router
from intervu_avatar.config import get_settings
from intervu_avatar.models import events

app = create_service_app(
    get_settings(),
    tables=events,
    routers=[clips_router, signed_files_router(SERVED, what="an interviewer clip")],
    title="Intervu avatar",
    description="The AI video interviewer: personas, speech and talking-head videos, rendered ahead of time.",
)

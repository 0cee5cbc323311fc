"""The accounts API: `uvicorn intervu_accounts.main:app`."""

from intervu_kit.app import create_service_app

from intervu_accounts.config import get_settings
from intervu_accounts.consents.endpoints import router as consents_router
from intervu_accounts.models import events
from intervu_accounts.profile.endpoints import router as profile_router

app = create_service_app(
    get_settings(),
    tables=events,
    routers=[profile_router, consents_router],
    title="Intervu accounts",
    description="Profiles, age, policy acceptance, consents, export and deletion of a user's data.",
)

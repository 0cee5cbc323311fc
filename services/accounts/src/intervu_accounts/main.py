"""The accounts API: `uvicorn intervu_accounts.main:app`."""

from intervu_kit.app import create_service_app

from intervu_accounts.config import get_settings
from intervu_accounts.consents.endpoints import router as consents_router
from intervu_accounts.deletion.endpoints import admin as deletion_admin
from intervu_accounts.deletion.endpoints import router as deletion_router
from intervu_accounts.exports.endpoints import files as export_files
from intervu_accounts.exports.endpoints import router as exports_router
from intervu_accounts.models import events
from intervu_accounts.policies.endpoints import admin as policy_admin
from intervu_accounts.policies.endpoints import router as policy_router
from intervu_accounts.profile.endpoints import router as profile_router

app = create_service_app(
    get_settings(),
    tables=events,
    routers=[
        profile_router,
        consents_router,
        policy_router,
        deletion_router,
        exports_router,
        export_files,
        deletion_admin,
        policy_admin,
    ],
    title="Intervu accounts",
    description="Profiles, age, policy acceptance, consents, export and deletion of a user's data.",
)

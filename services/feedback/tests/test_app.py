"""The feedback service's skeleton : health, readiness, OpenAPI, migrations."""

from intervu_feedback.config import get_settings
from intervu_feedback.main import app
from intervu_kit.devstack.config import DevSettings
from intervu_kit.testing.service import assert_service_skeleton


async def test_service_skeleton(infra: DevSettings) -> None:
    await assert_service_skeleton(app, get_settings())

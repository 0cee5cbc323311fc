"""The interviews service's skeleton : health, readiness, OpenAPI, migrations."""

from intervu_interviews.config import get_settings
from intervu_interviews.main import app
from intervu_kit.devstack.config import DevSettings
from intervu_kit.testing.service import assert_service_skeleton


async def test_service_skeleton(infra: DevSettings) -> None:
    await assert_service_skeleton(app, get_settings())

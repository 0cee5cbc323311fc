"""The media service's skeleton : health, readiness, OpenAPI, migrations."""

from intervu_kit.devstack.config import DevSettings
from intervu_kit.testing.service import assert_service_skeleton
from intervu_media.config import get_settings
from intervu_media.main import app


async def test_service_skeleton(infra: DevSettings) -> None:
    await assert_service_skeleton(app, get_settings())

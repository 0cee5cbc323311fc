from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from intervu_interviews.main import app
from intervu_kit.devstack.config import DevSettings
from intervu_kit.testing.plugin import running_app


@pytest.fixture
async def client(infra: DevSettings) -> AsyncIterator[httpx.AsyncClient]:
    async with running_app(app) as c:
        yield c

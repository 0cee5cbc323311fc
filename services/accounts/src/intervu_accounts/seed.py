"""Data the accounts service ships with, loaded after migrations by `make run` and the tests (idempotent): the
privacy policy's first version."""

from __future__ import annotations

from datetime import UTC, datetime

from intervu_kit.db import Database
from intervu_kit.settings import KitSettings

from intervu_accounts.policies.service import ensure_shipped


async def seed(settings: KitSettings) -> str:
    db = Database(settings.sqlalchemy_url, pool_size=1)
    try:
        async with db.transaction() as session:
            return await ensure_shipped(session, datetime.now(UTC))
    finally:
        await db.dispose()

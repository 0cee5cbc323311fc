"""The accounts worker's handlers and its scheduler: services' answers to export and deletion requests, and the
pass that moves both along (the kit's own privacy handlers delete and export accounts' part like any service's)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Sequence
from datetime import UTC, datetime

from intervu_contracts import UserDataDeleted, UserDataExported
from intervu_kit.db import Database
from intervu_kit.events import EventConsumer
from intervu_kit.keycloak_users import KeycloakUsers
from intervu_kit.settings import SERVICES
from intervu_kit.storage import Storage
from intervu_kit.worker import Job

from intervu_accounts.config import Settings
from intervu_accounts.deletion.schemas import AdvanceReport
from intervu_accounts.deletion.service import advance_deletions, on_data_deleted
from intervu_accounts.exports.schemas import ExportReport
from intervu_accounts.exports.service import advance_exports, on_part

log = logging.getLogger(__name__)


def register(consumer: EventConsumer) -> None:
    consumer.on(UserDataDeleted)(on_data_deleted)
    consumer.on(UserDataExported)(on_part)


async def advance(
    db: Database,
    storage: Storage,
    users: KeycloakUsers,
    settings: Settings,
    now: datetime,
    services: Sequence[str] = SERVICES,
) -> tuple[AdvanceReport, ExportReport]:
    """One pass over deletions and exports (each in its own transaction)."""
    async with db.transaction() as session:
        deletions = await advance_deletions(session, users, settings, now, services)
    async with db.transaction() as session:
        exports = await advance_exports(session, storage, users, settings, now, services)
    return deletions, exports


def scheduler(settings: Settings, storage: Storage, clock: Callable[[], datetime] = lambda: datetime.now(UTC)) -> Job:
    async def run(db: Database, stop: asyncio.Event) -> None:
        users = KeycloakUsers(settings)
        try:
            while not stop.is_set():
                try:
                    await advance(db, storage, users, settings, clock())
                except Exception:
                    log.exception("privacy scheduler pass failed; next pass in %.0f s", settings.privacy_tick_s)
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), timeout=settings.privacy_tick_s)
        finally:
            await users.aclose()

    return run

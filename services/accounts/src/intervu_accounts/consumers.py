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
from intervu_kit.jobs import Job as JobItem
from intervu_kit.jobs import JobContext, JobRunner
from intervu_kit.keycloak_users import KeycloakUsers
from intervu_kit.settings import SERVICES
from intervu_kit.storage import Storage
from intervu_kit.worker import Job
from sqlalchemy.ext.asyncio import AsyncSession

from intervu_accounts.config import Settings
from intervu_accounts.deletion.schemas import AdvanceReport
from intervu_accounts.deletion.service import advance_deletions, on_data_deleted
from intervu_accounts.exports.schemas import ExportReport
from intervu_accounts.exports.service import advance_exports, assemble_job, export_parked, on_part
from intervu_accounts.models import ASSEMBLE_KIND, jobs

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


def export_runner(settings: Settings, storage: Storage) -> Job:
    """The worker's job runner for exports' ZIPs (leased jobs the scheduler's pass enqueues)."""

    async def run(db: Database, stop: asyncio.Event) -> None:
        users = KeycloakUsers(settings)
        try:
            await export_jobs(db, storage, users, settings).run(stop)
        finally:
            await users.aclose()

    return run


def export_jobs(db: Database, storage: Storage, users: KeycloakUsers, settings: Settings) -> JobRunner:
    async def handle(job: JobItem, ctx: JobContext) -> None:
        await assemble_job(job, ctx, storage, users, settings)

    async def parked(session: AsyncSession, job: JobItem, error: str) -> None:
        await export_parked(session, storage, settings, job)

    return JobRunner(
        db,
        jobs,
        {ASSEMBLE_KIND: handle},
        lease_s=120,
        max_attempts=settings.job_max_attempts,
        concurrency=1,
        listen_dsn=settings.listen_dsn,
        on_parked={ASSEMBLE_KIND: parked},
    )


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

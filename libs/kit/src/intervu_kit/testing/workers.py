"""A service's worker inside a test, on the real broker, with durable consumers of the test's own."""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import AsyncIterator, Callable, Sequence
from datetime import UTC, datetime

import sqlalchemy as sa

from intervu_kit.db import Database
from intervu_kit.events import EventConsumer
from intervu_kit.events.tables import EventTables
from intervu_kit.settings import KitSettings
from intervu_kit.worker import Job, run_worker


@contextlib.asynccontextmanager
async def private_worker(
    settings: KitSettings,
    tables: EventTables,
    register: Callable[[EventConsumer], None] | None = None,
    *,
    jobs: Sequence[Job] = (),
    relays: Sequence[tuple[KitSettings, EventTables]] = (),
) -> AsyncIterator[str]:
    """Run a worker (its relay, consumers and jobs) plus other services' outbox relays while the block runs.

    The worker's durables are named for this run and read only events published from now on, so no other test's
    (or a running dev stack's) events reach it; they are deleted afterwards. The relays first publish what earlier
    tests left in their outboxes (no relay ran then), so that backlog is older than the worker's start and skipped.
    Yields the durables' name prefix.
    """
    name = f"{settings.service_name}-test-{uuid.uuid4().hex[:8]}"
    stop = asyncio.Event()
    tasks = [asyncio.create_task(run_worker(s, t, stop=stop)) for s, t in relays]
    try:
        for relay_settings, relay_tables in relays:
            await _drained(relay_settings, relay_tables)
    except BaseException:
        stop.set()
        await asyncio.gather(*tasks, return_exceptions=True)
        raise
    tasks.append(
        asyncio.create_task(
            run_worker(
                settings,
                tables,
                register,
                stop=stop,
                jobs=jobs,
                start_time=datetime.now(UTC),
                consumer_name=name,
                delete_durables=True,
            )
        )
    )
    try:
        yield name
    finally:
        stop.set()
        await asyncio.wait_for(asyncio.gather(*tasks), timeout=60)


async def _drained(settings: KitSettings, tables: EventTables, timeout_s: float = 120.0) -> None:
    db = Database(settings.sqlalchemy_url, pool_size=1)
    try:
        deadline = asyncio.get_running_loop().time() + timeout_s
        while True:
            async with db.transaction() as session:
                waiting = await session.scalar(
                    sa.select(sa.func.count()).select_from(tables.outbox).where(tables.outbox.c.published_at.is_(None))
                )
            if not waiting:
                return
            if asyncio.get_running_loop().time() > deadline:
                raise TimeoutError(f"{settings.service_name}'s outbox still holds {waiting} events")
            await asyncio.sleep(0.1)
    finally:
        await db.dispose()

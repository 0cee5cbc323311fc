"""A service's worker inside a test, on the real broker, with durable consumers of the test's own."""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

import sqlalchemy as sa

from intervu_kit.db import Database
from intervu_kit.events import EventConsumer, connect_jetstream
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
    tasks = [asyncio.create_task(run_worker(s, t, stop=stop, privacy=False)) for s, t in relays]
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


@dataclass(frozen=True)
class WorkerSpec:
    settings: KitSettings
    tables: EventTables
    register: Callable[[EventConsumer], None] | None = None
    jobs: Sequence[Job] = ()


class WorkerSet:
    """Several services' workers in one test, each with durable consumers of this run's own, reading only what is
    published after the set started. One can be stopped and started again later, like a service that was down: its
    durables keep every event published meanwhile, and it reads them when it comes back.

    Entering drains every service's outbox first (events earlier tests left unpublished), so that backlog is older
    than the set and skipped.
    """

    def __init__(self, specs: Mapping[str, WorkerSpec]) -> None:
        self.specs = dict(specs)
        self.run_id = uuid.uuid4().hex[:8]
        self.start_time: datetime | None = None
        self._running: dict[str, tuple[asyncio.Event, asyncio.Task[None]]] = {}

    def consumer_name(self, service: str) -> str:
        return f"{service}-test-{self.run_id}"

    async def __aenter__(self) -> WorkerSet:
        stop = asyncio.Event()
        relays = [
            asyncio.create_task(run_worker(spec.settings, spec.tables, stop=stop, privacy=False))
            for spec in self.specs.values()
        ]
        try:
            for spec in self.specs.values():
                await _drained(spec.settings, spec.tables)
        finally:
            stop.set()
            await asyncio.gather(*relays, return_exceptions=True)
        self.start_time = datetime.now(UTC)
        for service in self.specs:
            self.start(service)
        return self

    def start(self, service: str) -> None:
        assert service not in self._running, f"{service} is running already"
        spec, stop = self.specs[service], asyncio.Event()
        task = asyncio.create_task(
            run_worker(
                spec.settings,
                spec.tables,
                spec.register,
                stop=stop,
                jobs=spec.jobs,
                start_time=self.start_time,
                consumer_name=self.consumer_name(service),
            )
        )
        self._running[service] = (stop, task)

    async def stop(self, service: str) -> None:
        stop, task = self._running.pop(service)
        stop.set()
        await asyncio.wait_for(task, timeout=60)

    async def __aexit__(self, *exc: object) -> None:
        for service in list(self._running):
            await self.stop(service)
        settings = next(iter(self.specs.values())).settings
        nc, js = await connect_jetstream(settings.nats_url, name=f"test-cleanup-{self.run_id}")
        try:
            for info in await js.consumers_info(settings.events_stream):
                name = info.name or ""
                if any(name.startswith(self.consumer_name(s) + "__") for s in self.specs):
                    with contextlib.suppress(Exception):
                        await js.delete_consumer(settings.events_stream, name)
        finally:
            await nc.close()


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

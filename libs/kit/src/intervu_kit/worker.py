"""A service's worker process: the outbox relay plus its event consumers, until SIGINT/SIGTERM."""

from __future__ import annotations

import asyncio
import logging
import signal
from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime

from intervu_kit.db import Database
from intervu_kit.events import EventConsumer, OutboxRelay
from intervu_kit.events.tables import EventTables
from intervu_kit.logging import configure_logging
from intervu_kit.privacy import UserData, combine, privacy_registrar
from intervu_kit.settings import KitSettings, service_hook
from intervu_kit.storage import storage_from_settings

log = logging.getLogger(__name__)

# A periodic job a service runs in its worker (retention, expiry...): runs until ``stop`` is set.
Job = Callable[[Database, asyncio.Event], Awaitable[None]]


def _listen_dsn(settings: KitSettings) -> str:
    # asyncpg wants a plain libpq URL, not SQLAlchemy's dialect prefix.
    return settings.listen_dsn


async def run_worker(
    settings: KitSettings,
    tables: EventTables,
    register: Callable[[EventConsumer], None] | None = None,
    stop: asyncio.Event | None = None,
    jobs: Sequence[Job] = (),
    start_time: datetime | None = None,
    consumer_name: str | None = None,
    delete_durables: bool = False,
    privacy: bool = True,
) -> None:
    """Relay, consumers and periodic jobs until ``stop``.

    Every service's worker also answers export and deletion requests for the data its ``privacy`` module declares
    (``USER_DATA``): the kit registers those handlers, so a service cannot forget them.

    Tests give the consumers durables of their own (``consumer_name``, default the service's name) that skip older
    events (``start_time``), so no other test's events reach them, and remove them when done (``delete_durables``).
    """
    if stop is None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
    db = Database(settings.sqlalchemy_url, pool_size=2)
    relay = OutboxRelay(
        db,
        tables.outbox,
        nats_url=settings.nats_url,
        stream=settings.events_stream,
        subject_prefix=settings.events_subject_prefix,
        name=settings.service_name,
        listen_dsn=_listen_dsn(settings),
        max_attempts=settings.event_max_attempts,
        parked=tables.parked,
    )
    consumer = EventConsumer(
        db,
        tables,
        service=consumer_name or settings.service_name,
        nats_url=settings.nats_url,
        stream=settings.events_stream,
        subject_prefix=settings.events_subject_prefix,
        max_attempts=settings.event_max_attempts,
        ack_wait_s=settings.event_ack_wait_s,
        start_time=start_time,
    )
    combine(register, _privacy(settings, tables) if privacy else None)(consumer)
    tasks = [relay.run(stop), *(job(db, stop) for job in jobs)]
    if consumer.subscriptions:
        tasks.append(consumer.run(stop))
    log.info("worker started: relay + consumers %s + %d periodic job(s)", consumer.subscriptions, len(jobs))
    try:
        await asyncio.gather(*tasks)
    finally:
        if delete_durables:
            await consumer.delete_durables()
        await db.dispose()
        log.info("worker stopped")


def _privacy(settings: KitSettings, tables: EventTables) -> Callable[[EventConsumer], None] | None:
    module = service_hook(settings.service_name, "privacy")
    user_data = getattr(module, "USER_DATA", None)
    if not isinstance(user_data, UserData):
        return None
    return privacy_registrar(user_data, tables, lambda: storage_from_settings(settings))


def main(
    settings: KitSettings,
    tables: EventTables,
    register: Callable[[EventConsumer], None] | None = None,
    jobs: Sequence[Job] = (),
) -> None:
    configure_logging(f"{settings.service_name}-worker", level=settings.log_level, json=settings.log_json)
    asyncio.run(run_worker(settings, tables, register, jobs=jobs))

"""Writing events in the data's transaction, and the relay that moves them to JetStream."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from datetime import UTC, datetime
from typing import Any

import asyncpg
import nats.errors
import sqlalchemy as sa
from intervu_contracts import Event, EventEnvelope
from nats.aio.client import Client
from nats.js import JetStreamContext
from sqlalchemy.ext.asyncio import AsyncSession

from intervu_kit.db import Database
from intervu_kit.events.broker import SUBJECT_PREFIX, connect_jetstream, ensure_stream, subject_for

log = logging.getLogger(__name__)

# Errors that say the broker is unreachable, not that this event is bad: they end a pass without spending the
# row's attempts (an outage of any length must not park the events waiting for it).
BROKER_DOWN: tuple[type[Exception], ...] = (
    OSError,
    TimeoutError,
    nats.errors.ConnectionClosedError,
    nats.errors.ConnectionReconnectingError,
    nats.errors.NoServersError,
    nats.errors.NoRespondersError,
    nats.errors.StaleConnectionError,
    nats.errors.TimeoutError,
    nats.errors.OutboundBufferLimitError,
    nats.errors.ConnectionDrainingError,
)

NOTIFY_CHANNEL = "intervu_outbox"


async def publish(session: AsyncSession, outbox: sa.Table, event: Event, *, producer: str) -> EventEnvelope:
    """Add ``event`` to the outbox inside the caller's transaction; it is sent only if that commits.

    ``pg_notify`` is transactional too: the relay is woken at commit, never for a rolled-back event.
    """
    envelope = EventEnvelope.wrap(event, producer)
    await session.execute(
        sa.insert(outbox).values(id=envelope.id, name=envelope.name, envelope=envelope.model_dump(mode="json"))
    )
    await session.execute(sa.select(sa.func.pg_notify(NOTIFY_CHANNEL, envelope.name)))
    return envelope


class OutboxRelay:
    def __init__(
        self,
        db: Database,
        outbox: sa.Table,
        *,
        nats_url: str,
        stream: str,
        name: str,
        listen_dsn: str | None = None,
        poll_interval_s: float = 2.0,
        batch_size: int = 100,
        subject_prefix: str = SUBJECT_PREFIX,
        max_attempts: int = 5,
        parked: sa.Table | None = None,
    ) -> None:
        self.db = db
        self.max_attempts = max_attempts
        self.parked = parked
        self.subject_prefix = subject_prefix
        self.outbox = outbox
        self.nats_url = nats_url
        self.stream = stream
        self.name = name
        self.listen_dsn = listen_dsn
        self.poll_interval_s = poll_interval_s
        self.batch_size = batch_size
        self._wake = asyncio.Event()
        self._nc: Client | None = None
        self._js: JetStreamContext | None = None

    async def _jetstream(self) -> JetStreamContext:
        if self._js is None or self._nc is None or self._nc.is_closed:
            self._nc, self._js = await connect_jetstream(self.nats_url, name=f"{self.name}-relay")
            await ensure_stream(self._js, self.stream, self.subject_prefix)
        return self._js

    async def publish_pending(self) -> int:
        """One pass: publish what is pending, oldest first. Returns how many were published.

        A failure never loses the pass's work: rows published before it keep ``published_at`` and the failed
        row keeps its error, all in the one commit. A broker that is down ends the pass (raised after the commit,
        so ``run`` backs off); a row the broker refuses for itself (too large, malformed) counts an attempt and,
        after ``max_attempts``, is parked: listed with the service's parked events and skipped from then on, so
        one poison row never stalls the events behind it.
        """
        js = await self._jetstream()
        published = 0
        outage: Exception | None = None
        async with self.db.transaction() as session:
            # SKIP LOCKED lets several relay replicas share the table without publishing a row twice
            # concurrently (a crash between publish and commit may still resend: Nats-Msg-Id and the
            # consumers' inbox absorb that).
            rows = (
                await session.execute(
                    sa.select(self.outbox.c.id, self.outbox.c.name, self.outbox.c.envelope, self.outbox.c.attempts)
                    .where(self.outbox.c.published_at.is_(None), self.outbox.c.attempts < self.max_attempts)
                    .order_by(self.outbox.c.created_at)
                    .limit(self.batch_size)
                    .with_for_update(skip_locked=True)
                )
            ).all()
            for row in rows:
                try:
                    envelope = EventEnvelope.model_validate(row.envelope)
                    await js.publish(
                        subject_for(row.name, self.subject_prefix),
                        envelope.model_dump_json().encode(),
                        stream=self.stream,
                        headers={"Nats-Msg-Id": str(row.id)},
                    )
                except BROKER_DOWN as exc:
                    refusal = self._refused(row.name)
                    if refusal is not None:
                        # The broker is up but this service may not publish that subject (its NATS user's
                        # permissions): the server says so on the side and the publish only times out. That row
                        # will never go: count it (parked after N) instead of stalling the outbox behind it.
                        attempts = row.attempts + 1
                        await self._record(session, row.id, refusal, count=True)
                        if attempts >= self.max_attempts:
                            await self._park(session, row, refusal, attempts)
                        continue
                    # Not this row's fault: its error is kept for operators, its attempts are not spent.
                    await self._record(session, row.id, exc, count=False)
                    outage = exc
                    break
                except Exception as exc:
                    attempts = row.attempts + 1
                    await self._record(session, row.id, exc, count=True)
                    if attempts >= self.max_attempts:
                        await self._park(session, row, exc, attempts)
                    continue
                await session.execute(
                    sa.update(self.outbox)
                    .where(self.outbox.c.id == row.id)
                    .values(published_at=datetime.now(UTC), attempts=self.outbox.c.attempts + 1)
                )
                published += 1
        if outage is not None:
            raise outage
        return published

    def _refused(self, name: str) -> Exception | None:
        """The server's permissions violation for this row's subject, if that is what the last error was."""
        error = self._nc.last_error if self._nc is not None else None
        subject = subject_for(name, self.subject_prefix)
        if error is not None and "permissions violation" in str(error).lower() and subject in str(error):
            return PermissionError(f"the broker refused this service publishing to {subject}: {error}")
        return None

    async def _record(self, session: AsyncSession, row_id: object, exc: Exception, *, count: bool) -> None:
        values: dict[str, object] = {"last_error": repr(exc)[:2000]}
        if count:
            values["attempts"] = self.outbox.c.attempts + 1
        await session.execute(sa.update(self.outbox).where(self.outbox.c.id == row_id).values(**values))

    async def _park(self, session: AsyncSession, row: Any, exc: Exception, attempts: int) -> None:
        log.error("outbox relay: parked event %s (%s) after %d attempts: %r", row.id, row.name, attempts, exc)
        if self.parked is None:
            return
        await session.execute(
            sa.insert(self.parked).values(
                event_id=row.id,
                consumer=f"{self.name}-outbox",
                subject=subject_for(row.name, self.subject_prefix)[:300],
                payload=json.dumps(row.envelope)[:100_000],
                error=repr(exc)[:2000],
                attempts=attempts,
            )
        )

    async def _listen(self) -> asyncpg.Connection | None:
        return await listen(self.listen_dsn, NOTIFY_CHANNEL, self._wake, "outbox relay")

    async def run(self, stop: asyncio.Event) -> None:
        listener = await self._listen()
        backoff = 0.5
        try:
            while not stop.is_set():
                try:
                    count = await self.publish_pending()
                    backoff = 0.5
                    if count >= self.batch_size:
                        continue
                    wait_s = self.poll_interval_s
                except Exception as exc:
                    log.warning("outbox relay: broker or database unavailable (%s); retrying", exc)
                    await self._reset()
                    wait_s = backoff
                    backoff = min(backoff * 2, 15.0)
                self._wake.clear()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(_first(stop, self._wake), timeout=wait_s)
        finally:
            if listener is not None:
                await listener.close()
            await self._reset()

    async def _reset(self) -> None:
        if self._nc is not None:
            with contextlib.suppress(Exception):
                await self._nc.close()
        self._nc = None
        self._js = None


async def listen(dsn: str | None, channel: str, wake: asyncio.Event, who: str) -> asyncpg.Connection | None:
    """A LISTEN connection that sets ``wake`` on every notification of ``channel``; None (the caller polls) when
    there is no DSN or PostgreSQL cannot be reached."""
    if dsn is None:
        return None
    try:
        conn = await asyncpg.connect(dsn)
        await conn.add_listener(channel, lambda *_: wake.set())
        return conn
    except (OSError, asyncpg.PostgresError) as exc:
        log.warning("%s cannot LISTEN, polling only: %s", who, exc)
        return None


async def _first(*events: asyncio.Event) -> None:
    waiters = [asyncio.create_task(e.wait()) for e in events]
    try:
        await asyncio.wait(waiters, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for w in waiters:
            w.cancel()

"""Durable JetStream consumers with an inbox (handled once) and parking of events that keep failing."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

import sqlalchemy as sa
from intervu_contracts import Event, EventEnvelope
from nats.aio.client import Client
from nats.aio.msg import Msg
from nats.js import JetStreamContext
from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy
from pydantic import ValidationError
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from intervu_kit.db import Database
from intervu_kit.events.broker import SUBJECT_PREFIX, connect_jetstream, ensure_stream, subject_for
from intervu_kit.events.tables import EventTables

log = logging.getLogger(__name__)

E = TypeVar("E", bound=Event)
Handler = Callable[[AsyncSession, Any, EventEnvelope], Awaitable[None]]


@dataclass(frozen=True)
class _Subscription:
    event_cls: type[Event]
    handler: Handler
    durable: str


class _Poison(Exception):
    """A message that can never succeed (not JSON, unknown schema): parked at once, not retried."""


class EventConsumer:
    def __init__(
        self,
        db: Database,
        tables: EventTables,
        *,
        service: str,
        nats_url: str,
        stream: str,
        max_attempts: int = 5,
        ack_wait_s: float = 60.0,
        retry_delays_s: tuple[float, ...] = (1.0, 5.0, 30.0, 120.0),
        start_time: datetime | None = None,
        subject_prefix: str = SUBJECT_PREFIX,
    ) -> None:
        self.db = db
        self.subject_prefix = subject_prefix
        self.tables = tables
        self.service = service
        self.nats_url = nats_url
        self.stream = stream
        self.max_attempts = max_attempts
        self.ack_wait_s = ack_wait_s
        self.retry_delays_s = retry_delays_s
        # A new durable consumer reads the whole stream by default (nothing published before it existed is
        # lost); ``start_time`` limits it to events from then on.
        self.start_time = start_time
        self._subs: list[_Subscription] = []
        self._nc: Client | None = None

    def on(self, event_cls: type[E]) -> Callable[[Callable[[AsyncSession, E, EventEnvelope], Awaitable[None]]], Any]:
        """Register a handler. It runs inside the transaction that records the inbox entry."""

        def register(fn: Callable[[AsyncSession, E, EventEnvelope], Awaitable[None]]) -> Any:
            durable = f"{self.service}__{event_cls.event_name.replace('.', '_')}"
            self._subs.append(_Subscription(event_cls, fn, durable))
            return fn

        return register

    async def delete_durables(self) -> None:
        """Remove this consumer's durable consumers from the broker (benchmarks and tests clean up with it)."""
        nc, js = await connect_jetstream(self.nats_url, name=f"{self.service}-cleanup")
        try:
            for durable in self.subscriptions:
                with contextlib.suppress(Exception):
                    await js.delete_consumer(self.stream, durable)
        finally:
            await nc.close()

    @property
    def subscriptions(self) -> list[str]:
        return [s.durable for s in self._subs]

    async def handle(self, sub: _Subscription, data: bytes, subject: str, attempt: int) -> str:
        """Handle one delivery; returns ``"ack"``, ``"retry"`` or ``"parked"``. Public for tests."""
        try:
            try:
                envelope = EventEnvelope.model_validate_json(data)
                event = sub.event_cls.model_validate(envelope.data)
            except ValidationError as exc:
                raise _Poison(str(exc)) from exc
            async with self.db.transaction() as session:
                inserted = await session.execute(
                    pg_insert(self.tables.inbox)
                    .values(event_id=envelope.id, consumer=sub.durable, name=envelope.name)
                    .on_conflict_do_nothing()
                    .returning(self.tables.inbox.c.event_id)
                )
                if inserted.first() is None:
                    log.info("event %s already handled by %s; skipping", envelope.id, sub.durable)
                    return "ack"
                await sub.handler(session, event, envelope)
            return "ack"
        except Exception as exc:
            poison = isinstance(exc, _Poison)
            if poison or attempt >= self.max_attempts:
                await self._park(sub, data, subject, exc, attempt)
                return "parked"
            log.warning("handler %s failed (attempt %d/%d): %r", sub.durable, attempt, self.max_attempts, exc)
            return "retry"

    async def _park(self, sub: _Subscription, data: bytes, subject: str, exc: Exception, attempt: int) -> None:
        event_id = None
        with contextlib.suppress(ValidationError):
            event_id = EventEnvelope.model_validate_json(data).id
        log.error("parking event %s for %s after %d attempt(s): %r", event_id, sub.durable, attempt, exc)
        async with self.db.transaction() as session:
            await session.execute(
                sa.insert(self.tables.parked).values(
                    event_id=event_id,
                    consumer=sub.durable,
                    subject=subject,
                    payload=data.decode("utf-8", errors="replace"),
                    error=f"{type(exc).__name__}: {exc}"[:4000],
                    attempts=attempt,
                )
            )

    async def _subscribe(self, js: JetStreamContext, sub: _Subscription) -> Any:
        config = ConsumerConfig(
            durable_name=sub.durable,
            ack_policy=AckPolicy.EXPLICIT,
            deliver_policy=DeliverPolicy.ALL if self.start_time is None else DeliverPolicy.BY_START_TIME,
            opt_start_time=self.start_time,
            ack_wait=self.ack_wait_s,
            # Our own counter parks the event; the broker must never drop it before we have.
            max_deliver=-1,
            filter_subject=subject_for(sub.event_cls.event_name, self.subject_prefix),
        )
        return await js.pull_subscribe(
            subject_for(sub.event_cls.event_name, self.subject_prefix),
            durable=sub.durable,
            stream=self.stream,
            config=config,
        )

    async def _loop(self, js: JetStreamContext, sub: _Subscription, stop: asyncio.Event) -> None:
        psub = await self._subscribe(js, sub)
        while not stop.is_set():
            try:
                messages: list[Msg] = await psub.fetch(batch=10, timeout=1.0)
            except TimeoutError:
                continue
            for msg in messages:
                outcome = await self.handle(sub, msg.data, msg.subject, msg.metadata.num_delivered)
                if outcome == "retry":
                    index = min(msg.metadata.num_delivered - 1, len(self.retry_delays_s) - 1)
                    await msg.nak(delay=self.retry_delays_s[index])
                else:
                    await msg.ack()

    async def run(self, stop: asyncio.Event) -> None:
        """Consume until ``stop`` is set, reconnecting with backoff while the broker is away."""
        backoff = 0.5
        while not stop.is_set():
            try:
                self._nc, js = await connect_jetstream(self.nats_url, name=f"{self.service}-consumer")
                await ensure_stream(js, self.stream, self.subject_prefix)
                backoff = 0.5
                loops = [asyncio.create_task(self._loop(js, s, stop)) for s in self._subs]
                stopper = asyncio.create_task(stop.wait())
                done, _ = await asyncio.wait([*loops, stopper], return_when=asyncio.FIRST_COMPLETED)
                for task in [*loops, stopper]:
                    task.cancel()
                # Wait for every loop to end and collect every outcome: when the broker goes away, all loops fail at
                # once, and an exception nobody retrieves is logged by asyncio as an error at shutdown.
                outcomes = await asyncio.gather(*loops, stopper, return_exceptions=True)
                failures = [
                    o for t, o in zip([*loops, stopper], outcomes, strict=True)
                    if t in done and isinstance(o, Exception)
                ]  # fmt: skip
                if failures:
                    raise failures[0]
            except Exception as exc:
                log.warning("event consumer %s: %r; reconnecting", self.service, exc)
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), timeout=backoff)
                backoff = min(backoff * 2, 15.0)
            finally:
                if self._nc is not None:
                    with contextlib.suppress(Exception):
                        await self._nc.close()
                    self._nc = None

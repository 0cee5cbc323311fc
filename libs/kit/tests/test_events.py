"""Outbox -> JetStream -> inbox, against the real nats-server and PostgreSQL."""

from __future__ import annotations

import asyncio
import contextlib
import shutil
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
import sqlalchemy as sa
from intervu_contracts import Event, EventEnvelope
from intervu_kit.db import Database
from intervu_kit.devstack.config import DevSettings
from intervu_kit.devstack.procs import Component, http_ok
from intervu_kit.events import (
    EventConsumer,
    OutboxRelay,
    connect_jetstream,
    ensure_stream,
    publish,
    subject_for,
)
from intervu_kit.testing.asserts import assert_error
from intervu_kit.testing.plugin import KeycloakAdmin, KeycloakUser
from nats.js import JetStreamContext
from nats.js.api import ConsumerConfig, DeliverPolicy
from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from .conftest import TABLES

# The test environment's stream and subjects, as every service's test worker uses them.
STREAM = "INTERVU_EVENTS_TEST"
PREFIX = "test.events."


class ProbeSent(Event):
    """An event that exists only for these tests."""

    event_name = "kit.probe_sent.v1"
    marker: str


async def _publish_committed(db: Database, marker: str) -> EventEnvelope:
    async with db.transaction() as session:
        return await publish(session, TABLES.outbox, ProbeSent(marker=marker), producer="kit")


async def _markers_in_stream(js: JetStreamContext, wanted: set[str], timeout_s: float = 10.0) -> set[str]:
    """Read the last minute of the stream (ephemeral consumer) until every wanted marker is seen."""
    sub = await js.pull_subscribe(
        subject_for(ProbeSent.event_name, PREFIX),
        stream=STREAM,
        config=ConsumerConfig(
            deliver_policy=DeliverPolicy.BY_START_TIME,
            opt_start_time=datetime.now(UTC) - timedelta(minutes=1),
            inactive_threshold=30.0,
        ),
    )
    seen: set[str] = set()
    deadline = asyncio.get_running_loop().time() + timeout_s
    try:
        while asyncio.get_running_loop().time() < deadline and not wanted <= seen:
            try:
                for msg in await sub.fetch(batch=500, timeout=0.5):
                    await msg.ack()
                    with contextlib.suppress(ValidationError):  # the parking test's poison message
                        seen.add(EventEnvelope.model_validate_json(msg.data).data["marker"])
            except TimeoutError:
                continue
    finally:
        await sub.unsubscribe()
    return seen


@pytest.fixture
async def js(infra: DevSettings) -> AsyncIterator[JetStreamContext]:
    nc, jetstream = await connect_jetstream(infra.nats_url, name="kit-tests")
    await ensure_stream(jetstream, STREAM, PREFIX)
    yield jetstream
    await nc.close()


def _relay(db: Database, nats_url: str) -> OutboxRelay:
    return OutboxRelay(
        db, TABLES.outbox, nats_url=nats_url, stream=STREAM, subject_prefix=PREFIX, name="kit-test", poll_interval_s=0.3
    )


async def _pending(db: Database, event_id: uuid.UUID) -> bool:
    async with db.transaction() as session:
        published = await session.scalar(sa.select(TABLES.outbox.c.published_at).where(TABLES.outbox.c.id == event_id))
    return published is None


async def test_an_event_whose_transaction_rolls_back_is_never_published(
    kit_db: Database, infra: DevSettings, js: JetStreamContext
) -> None:
    rolled_back, committed = f"rb-{uuid.uuid4().hex}", f"ok-{uuid.uuid4().hex}"
    with pytest.raises(RuntimeError):
        async with kit_db.transaction() as session:
            await publish(session, TABLES.outbox, ProbeSent(marker=rolled_back), producer="kit")
            raise RuntimeError("the business write failed")
    await _publish_committed(kit_db, committed)

    relay = _relay(kit_db, infra.nats_url)
    try:
        assert await relay.publish_pending() >= 1
    finally:
        await relay._reset()
    seen = await _markers_in_stream(js, {committed})
    assert committed in seen
    assert rolled_back not in seen


async def test_a_committed_event_is_delivered_after_the_broker_comes_back(
    kit_db: Database, tmp_path: Path, infra: DevSettings
) -> None:
    # A private nats-server, down at commit time, so the shared one used by other tests stays untouched.
    port, monitor = 14333, 18333
    nats = Component(
        name="nats-outage-test",
        argv=[
            shutil.which("nats-server") or "nats-server",
            "-a",
            "127.0.0.1",
            "-p",
            str(port),
            "-m",
            str(monitor),
            "-js",
            "-sd",
            str(tmp_path / "js"),
        ],
        ready=lambda: http_ok(f"http://127.0.0.1:{monitor}/healthz?js-enabled-only=true"),
    )
    envelope = await _publish_committed(kit_db, f"outage-{uuid.uuid4().hex}")
    relay = _relay(kit_db, f"nats://127.0.0.1:{port}")
    stop = asyncio.Event()
    task = asyncio.create_task(relay.run(stop))
    try:
        await asyncio.sleep(2.0)
        assert await _pending(kit_db, envelope.id), "published while the broker was down?"
        nats.start()
        for _ in range(100):
            if nats.ready():
                break
            await asyncio.sleep(0.1)
        for _ in range(150):
            if not await _pending(kit_db, envelope.id):
                break
            await asyncio.sleep(0.1)
        assert not await _pending(kit_db, envelope.id), "the relay did not publish once the broker came back"

        nc, private_js = await connect_jetstream(f"nats://127.0.0.1:{port}", name="outage-check")
        try:
            assert envelope.data["marker"] in await _markers_in_stream(private_js, {envelope.data["marker"]})
        finally:
            await nc.close()
    finally:
        stop.set()
        await asyncio.wait_for(task, timeout=10)
        nats.stop()


async def test_a_poison_row_is_recorded_then_parked_and_never_stalls_the_outbox(
    kit_db: Database, infra: DevSettings, js: JetStreamContext
) -> None:
    """An event the broker always refuses (over NATS's 1 MB payload limit) used to raise inside the pass: its error
    was rolled back, rows published before it lost ``published_at``, and every later pass stopped at it."""
    before = await _publish_committed(kit_db, f"before-{uuid.uuid4().hex}")
    poison = await _publish_committed(kit_db, "p" * 1_200_000)
    after = await _publish_committed(kit_db, f"after-{uuid.uuid4().hex}")
    relay = OutboxRelay(
        kit_db,
        TABLES.outbox,
        nats_url=infra.nats_url,
        stream=STREAM,
        subject_prefix=PREFIX,
        name="kit-test",
        max_attempts=2,
        parked=TABLES.parked,
    )
    outbox = TABLES.outbox
    try:
        await relay.publish_pending()
        assert not await _pending(kit_db, before.id) and not await _pending(kit_db, after.id)
        async with kit_db.transaction() as session:
            row = (await session.execute(sa.select(outbox).where(outbox.c.id == poison.id))).one()
        assert row.published_at is None and row.attempts == 1 and "MaxPayload" in (row.last_error or "")

        await relay.publish_pending()  # the second refusal parks it
        later = await _publish_committed(kit_db, f"later-{uuid.uuid4().hex}")
        assert await relay.publish_pending() >= 1
        assert not await _pending(kit_db, later.id)
        async with kit_db.transaction() as session:
            row = (await session.execute(sa.select(outbox).where(outbox.c.id == poison.id))).one()
            parked = (
                await session.execute(sa.select(TABLES.parked).where(TABLES.parked.c.event_id == poison.id))
            ).one()
        assert row.attempts == 2 and row.published_at is None
        assert parked.consumer == "kit-test-outbox" and parked.attempts == 2 and "MaxPayload" in parked.error
    finally:
        await relay._reset()
    seen = await _markers_in_stream(js, {before.data["marker"], after.data["marker"]})
    assert {before.data["marker"], after.data["marker"]} <= seen


@contextlib.asynccontextmanager
async def _consuming(consumer: EventConsumer, js: JetStreamContext) -> AsyncIterator[None]:
    stop = asyncio.Event()
    task = asyncio.create_task(consumer.run(stop))
    try:
        yield
    finally:
        stop.set()
        await asyncio.wait_for(task, timeout=10)
        await consumer.delete_durables()


async def _until(check: Callable[[], Awaitable[bool]], timeout_s: float = 15.0) -> None:
    for _ in range(int(timeout_s / 0.1)):
        if await check():
            return
        await asyncio.sleep(0.1)
    raise AssertionError("condition not met in time")


def _consumer(db: Database, infra: DevSettings, max_attempts: int = 3) -> EventConsumer:
    return EventConsumer(
        db,
        TABLES,
        service=f"kittest{uuid.uuid4().hex[:8]}",
        nats_url=infra.nats_url,
        stream=STREAM,
        subject_prefix=PREFIX,
        max_attempts=max_attempts,
        retry_delays_s=(0.2,),
        start_time=datetime.now(UTC) - timedelta(seconds=5),  # this test's events, not every earlier run's
    )


async def test_a_redelivered_event_is_handled_once(kit_db: Database, infra: DevSettings, js: JetStreamContext) -> None:
    consumer = _consumer(kit_db, infra)
    handled: list[str] = []
    marker = f"once-{uuid.uuid4().hex}"

    @consumer.on(ProbeSent)
    async def on_probe(session: AsyncSession, event: ProbeSent, envelope: EventEnvelope) -> None:
        if event.marker.startswith(marker):
            handled.append(event.marker)

    envelope = EventEnvelope.wrap(ProbeSent(marker=marker), producer="kit")
    data = envelope.model_dump_json().encode()
    subject = subject_for(ProbeSent.event_name, PREFIX)
    # Same id within the broker's duplicate window: JetStream itself drops the second copy.
    first = await js.publish(subject, data, stream=STREAM, headers={"Nats-Msg-Id": str(envelope.id)})
    again = await js.publish(subject, data, stream=STREAM, headers={"Nats-Msg-Id": str(envelope.id)})
    assert not first.duplicate and again.duplicate
    # A redelivery the broker cannot recognise (e.g. resent after the window): only the inbox stops it.
    await js.publish(subject, data, stream=STREAM, headers={"Nats-Msg-Id": f"{envelope.id}-resent"})
    control = EventEnvelope.wrap(ProbeSent(marker=marker + "-control"), producer="kit")
    await js.publish(subject, control.model_dump_json().encode(), stream=STREAM)

    async with _consuming(consumer, js):
        await _until(lambda: _true(marker + "-control" in handled))
        await asyncio.sleep(0.5)
    assert handled.count(marker) == 1
    async with kit_db.transaction() as session:
        rows = await session.scalar(
            sa.select(sa.func.count()).select_from(TABLES.inbox).where(TABLES.inbox.c.event_id == envelope.id)
        )
    assert rows == 1


async def _true(value: bool) -> bool:
    return value


async def test_a_handler_crash_rolls_back_and_the_retry_handles_it_once(
    kit_db: Database, infra: DevSettings, js: JetStreamContext
) -> None:
    consumer = _consumer(kit_db, infra)
    marker = f"flaky-{uuid.uuid4().hex}"
    calls: list[int] = []

    @consumer.on(ProbeSent)
    async def flaky(session: AsyncSession, event: ProbeSent, envelope: EventEnvelope) -> None:
        if event.marker != marker:
            return
        calls.append(1)
        await session.execute(sa.text("INSERT INTO notes (text) VALUES (:t)"), {"t": marker})
        if len(calls) == 1:
            raise ConnectionError("dependency blipped after the write")

    await js.publish(
        subject_for(ProbeSent.event_name, PREFIX),
        EventEnvelope.wrap(ProbeSent(marker=marker), "kit").model_dump_json().encode(),
        stream=STREAM,
    )
    async with _consuming(consumer, js):
        await _until(lambda: _true(len(calls) >= 2))
        await asyncio.sleep(0.5)
    assert len(calls) == 2
    async with kit_db.transaction() as session:
        notes = await session.scalar(sa.text("SELECT count(*) FROM notes WHERE text = :t"), {"t": marker})
    assert notes == 1  # the first attempt's write was rolled back with its inbox entry


async def test_an_event_that_keeps_failing_is_parked_with_its_error_and_listed(
    kit_db: Database,
    infra: DevSettings,
    js: JetStreamContext,
    client: httpx.AsyncClient,
    keycloak: KeycloakAdmin,
    make_user: Callable[..., Awaitable[KeycloakUser]],
) -> None:
    consumer = _consumer(kit_db, infra, max_attempts=3)
    marker = f"doomed-{uuid.uuid4().hex}"
    attempts: list[int] = []

    @consumer.on(ProbeSent)
    async def doomed(session: AsyncSession, event: ProbeSent, envelope: EventEnvelope) -> None:
        if event.marker == marker:
            attempts.append(1)
            raise ValueError(f"cannot handle {event.marker}")

    envelope = EventEnvelope.wrap(ProbeSent(marker=marker), "kit")
    await js.publish(subject_for(ProbeSent.event_name, PREFIX), envelope.model_dump_json().encode(), stream=STREAM)
    # A poison message (not even JSON) is parked at once instead of being retried.
    await js.publish(subject_for(ProbeSent.event_name, PREFIX), b"\xff not json", stream=STREAM)

    async def parked() -> int:
        async with kit_db.transaction() as session:
            return int(
                await session.scalar(
                    sa.select(sa.func.count())
                    .select_from(TABLES.parked)
                    .where(TABLES.parked.c.consumer.in_(consumer.subscriptions))
                )
                or 0
            )

    async with _consuming(consumer, js):
        await _until(lambda: _ge(parked(), 2))
        await asyncio.sleep(0.5)
    assert len(attempts) == 3

    admin = await make_user(roles=("admin",))
    token = await keycloak.password_token(admin)
    response = await client.get("/api/kit/admin/parked-events", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200, response.text
    mine = {p["event_id"]: p for p in response.json() if p["consumer"] in consumer.subscriptions}
    assert mine[str(envelope.id)]["attempts"] == 3
    assert mine[str(envelope.id)]["error"] == f"ValueError: cannot handle {marker}"
    poison = mine[None]
    assert poison["attempts"] == 1 and "not json" in poison["payload"]

    user_token = await keycloak.password_token(await make_user())
    response = await client.get("/api/kit/admin/parked-events", headers={"Authorization": f"Bearer {user_token}"})
    assert_error(response, 403, "role_required")


async def _ge(value: Awaitable[int], n: int) -> bool:
    return await value >= n

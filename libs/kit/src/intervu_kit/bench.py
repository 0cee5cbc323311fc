"""`make bench`: platform figures, measured against the real local stack.

* token verification: a real Keycloak access token verified locally (JWKS cached), per second and latency;
* events: outbox -> relay -> JetStream -> consumer inbox, end to end, per second and latency;
* storage: streamed write and read throughput, local disk and MinIO (S3), with the process's peak RSS.

Services add their own figures in ``intervu_<service>/bench.py`` (a ``run() -> list[str]`` function); this
module runs them after its own.
"""

from __future__ import annotations

import asyncio
import resource
import statistics
import tempfile
import time
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import httpx
import sqlalchemy as sa
from intervu_contracts import Event, EventEnvelope
from sqlalchemy.ext.asyncio import AsyncSession

from intervu_kit.auth import JwksCache, TokenVerifier
from intervu_kit.db import Database, new_metadata
from intervu_kit.devstack.config import DevSettings
from intervu_kit.devstack.procs import Progress
from intervu_kit.events import EventConsumer, OutboxRelay, event_tables, publish
from intervu_kit.settings import SERVICES, Environment, KitSettings, service_hook
from intervu_kit.storage import LocalStorage, S3Storage, Storage
from intervu_kit.testing.keycloak import KeycloakAdmin


class BenchPinged(Event):
    event_name = "kit.bench_pinged.v1"
    n: int


def _ms(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100)[int(q) - 1] * 1000 if len(values) > 1 else values[0] * 1000


async def bench_tokens(settings: DevSettings, rounds: int = 3000) -> str:
    async with httpx.AsyncClient(timeout=10) as http:
        admin = KeycloakAdmin(settings, http)
        user = await admin.create_user()
        try:
            token = await admin.password_token(user)
        finally:
            await admin.delete_user(user.id)
    jwks = JwksCache(settings.jwks_url)
    verifier = TokenVerifier(issuer=settings.issuer, audience=settings.api_audience, jwks=jwks)
    await verifier.verify(token)  # warm the key cache
    timings = []
    for _ in range(rounds):
        t = time.perf_counter()
        await verifier.verify(token)
        timings.append(time.perf_counter() - t)
    await jwks.aclose()
    return (
        f"token verification: {rounds / sum(timings):,.0f}/s on one core "
        f"(p50 {_ms(timings, 50):.3f} ms, p99 {_ms(timings, 99):.3f} ms, JWKS fetched {jwks.fetch_count}x)"
    )


async def bench_events(settings: DevSettings, count: int = 500) -> str:
    kit = KitSettings(service_name="kit", environment=Environment.TEST)
    metadata = new_metadata()
    tables = event_tables(metadata)
    db = Database(kit.sqlalchemy_url)
    async with db.engine.begin() as conn:
        await conn.run_sync(metadata.create_all)
    run_id = uuid.uuid4().hex[:8]
    latencies: list[float] = []
    done = asyncio.Event()
    consumer = EventConsumer(
        db,
        tables,
        service=f"bench{run_id}",
        nats_url=settings.nats_url,
        stream=settings.events_stream,
        subject_prefix=settings.events_subject_prefix,
        start_time=datetime.now(UTC),
    )

    @consumer.on(BenchPinged)
    async def on_ping(session: AsyncSession, event: BenchPinged, envelope: EventEnvelope) -> None:
        if envelope.producer == f"bench-{run_id}":
            latencies.append((datetime.now(UTC) - envelope.occurred_at).total_seconds())
            if len(latencies) >= count:
                done.set()

    relay = OutboxRelay(
        db,
        tables.outbox,
        nats_url=settings.nats_url,
        stream=settings.events_stream,
        subject_prefix=settings.events_subject_prefix,
        name="bench",
        listen_dsn=kit.sqlalchemy_url.replace("+asyncpg", ""),
        poll_interval_s=0.5,
    )
    stop = asyncio.Event()
    tasks = [asyncio.create_task(relay.run(stop)), asyncio.create_task(consumer.run(stop))]
    await asyncio.sleep(1.0)  # consumers subscribed
    t0 = time.perf_counter()
    for n in range(count):
        async with db.transaction() as session:  # one business transaction per event, as in real use
            await publish(session, tables.outbox, BenchPinged(n=n), producer=f"bench-{run_id}")
    try:
        await asyncio.wait_for(done.wait(), timeout=120)
    finally:
        elapsed = time.perf_counter() - t0
        stop.set()
        await asyncio.gather(*tasks, return_exceptions=True)
        await consumer.delete_durables()
        async with db.transaction() as session:
            await session.execute(sa.delete(tables.inbox).where(tables.inbox.c.consumer.like(f"bench{run_id}%")))
        await db.dispose()
    return (
        f"events end to end (commit -> outbox -> JetStream -> inbox -> handler): {count / elapsed:,.0f}/s, "
        f"latency p50 {_ms(latencies, 50):.1f} ms, p95 {_ms(latencies, 95):.1f} ms ({count} events)"
    )


async def _stream(size: int, chunk: int = 1024 * 1024) -> AsyncIterator[bytes]:
    block = bytes(range(256)) * (chunk // 256)
    sent = 0
    while sent < size:
        piece = block[: min(chunk, size - sent)]
        sent += len(piece)
        yield piece


async def _storage_figures(name: str, store: Storage, size: int) -> str:
    await store.ping()
    key = f"bench/{uuid.uuid4().hex}"
    t = time.perf_counter()
    await store.put_stream(key, _stream(size))
    write = time.perf_counter() - t
    t = time.perf_counter()
    read_bytes = 0
    async for chunk in store.read(key):
        read_bytes += len(chunk)
    read = time.perf_counter() - t
    await store.delete(key)
    assert read_bytes == size
    mb = size / 1024 / 1024
    return f"storage {name}: write {mb / write:,.0f} MB/s, read {mb / read:,.0f} MB/s ({mb:.0f} MB streamed)"


async def bench_storage(settings: DevSettings, size: int = 256 * 1024 * 1024) -> list[str]:
    with tempfile.TemporaryDirectory() as tmp:
        local = await _storage_figures("local disk", LocalStorage(Path(tmp), b"bench"), size)
    s3 = S3Storage(
        bucket="intervu-bench",
        endpoint_url=settings.s3_endpoint_url,
        region=settings.s3_region,
        access_key=settings.s3_access_key,
        secret_key=settings.s3_secret_key.get_secret_value(),
        create_bucket=True,
    )
    remote = await _storage_figures("S3 (MinIO)", s3, size)
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return [local, remote, f"bench process peak RSS after streaming {size // 2**20} MB twice: {rss:,.0f} MB"]


async def main_async(settings: DevSettings, progress: Progress) -> None:
    figures: list[str] = []
    for label, job in (("token verification", bench_tokens(settings)), ("events", bench_events(settings))):
        t = time.monotonic()
        progress.step(f"measuring {label}")
        figures.append(await job)
        progress.done(label, t)
    t = time.monotonic()
    progress.step("measuring storage throughput")
    figures.extend(await bench_storage(settings))
    progress.done("storage", t)
    for service in SERVICES:
        module = service_hook(service, "bench")
        if module is None:
            continue
        progress.step(f"measuring {service}")
        figures.extend(await module.run())
    print("\nBenchmark figures")
    for line in figures:
        print(f"  {line}")


def main() -> None:
    from intervu_kit.devstack.cli import migrate
    from intervu_kit.devstack.stack import up_infra

    settings = DevSettings(environment=Environment.TEST)
    progress = Progress()
    up_infra(settings, progress)  # synchronous: it runs its own short event loops
    # The benchmarks write to the test databases: bring them to the latest schema first (idempotent).
    migrate(progress, (Environment.TEST,))
    asyncio.run(main_async(settings, progress))


if __name__ == "__main__":
    main()

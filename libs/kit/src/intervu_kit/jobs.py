"""Long work as leased jobs, outside any transaction (the avatar renderer's pattern, made the kit's way).

An event handler or an endpoint only *enqueues* a job by key, in its own short transaction (idempotent: the same
kind and key is one job, so a redelivered event adds nothing). A runner *claims* the job with a lease
(``FOR UPDATE SKIP LOCKED``; a fresh ``lease_token`` as fencing token), works with no transaction open, reports
progress and extends its lease in short writes, and *finishes* in one short transaction that stores the result
(and its outbox event) only while it still holds the lease. Why not in the handler's transaction: an ffmpeg run, a
Whisper pass or an LLM call held row locks and the JetStream ack for minutes, nobody could see progress, and a
crashed worker's work waited for a redelivery.

A job that fails is retried with a growing delay; after ``max_attempts`` it is *parked* (kept, with its error,
for operators at ``GET /admin/jobs``) and the service's ``on_parked`` hook says so to the person. A worker that
dies mid-job loses its lease; another takes the job over when the lease runs out (that also counts an attempt, so
a job that kills its worker is parked too). Fairness: a runner runs several jobs at once, at most
``per_user`` of one person's, so one long upload cannot hold everyone else's answers.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

import asyncpg
import sqlalchemy as sa
from pydantic import BaseModel
from sqlalchemy.dialects.postgresql import JSONB, UUID, insert
from sqlalchemy.ext.asyncio import AsyncSession

from intervu_kit.db import Database
from intervu_kit.events.outbox import _first, listen  # wake on whichever comes first: stop, or new work

log = logging.getLogger(__name__)

NOTIFY_CHANNEL = "intervu_jobs"


class JobStatus(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    PARKED = "parked"


def job_table(metadata: sa.MetaData) -> sa.Table:
    """Declare the jobs table on a service's metadata (its migrations create it: ``create_jobs_v1``)."""
    return sa.Table(
        "jobs",
        metadata,
        sa.Column("id", UUID(as_uuid=True), primary_key=True),
        sa.Column("kind", sa.String(64), nullable=False),
        sa.Column("key", sa.String(200), nullable=False),
        sa.Column("user_id", sa.String(64), nullable=True),
        sa.Column("payload", JSONB, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
        sa.Column("run_after", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.Column("lease_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("lease_token", UUID(as_uuid=True), nullable=True),
        sa.Column("progress", sa.Float, nullable=False, server_default="0"),
        sa.Column("progress_note", sa.String(200), nullable=True),
        sa.Column("last_error", sa.Text, nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.UniqueConstraint("kind", "key", name="uq_jobs_kind_key"),
        sa.Index("ix_jobs_due", "run_after", postgresql_where=sa.text("status IN ('queued', 'running')")),
    )


async def enqueue(
    session: AsyncSession,
    table: sa.Table,
    kind: str,
    key: str,
    payload: Mapping[str, Any] | None = None,
    *,
    user_id: str | None = None,
) -> bool:
    """Add a job in the caller's transaction (it exists only if that commits). False when it existed already."""
    result = await session.execute(
        insert(table)
        .values(
            id=uuid.uuid4(),
            kind=kind,
            key=key,
            user_id=user_id,
            payload=dict(payload or {}),
            status=JobStatus.QUEUED.value,
        )
        .on_conflict_do_nothing(constraint="uq_jobs_kind_key")
        .returning(table.c.id)
    )
    added = result.first() is not None
    if added:
        await session.execute(sa.select(sa.func.pg_notify(NOTIFY_CHANNEL, kind)))
    return added


@dataclass(frozen=True)
class Job:
    id: uuid.UUID
    kind: str
    key: str
    user_id: str | None
    payload: dict[str, Any]
    attempts: int
    lease_token: uuid.UUID


class LeaseLost(Exception):
    """Another runner took the job over (this one's lease ran out): its result must not be stored."""


@dataclass
class JobContext:
    """What a handler gets besides its job: progress reports and the finishing transaction."""

    job: Job
    db: Database
    table: sa.Table
    lease_s: float
    _last_progress: float = field(default=-1.0)

    async def progress(self, fraction: float, note: str | None = None) -> None:
        """Say how far the job is (0..1), in a short write that also extends the lease."""
        fraction = max(0.0, min(1.0, fraction))
        if abs(fraction - self._last_progress) < 0.01 and note is None:
            return
        self._last_progress = fraction
        await self._touch(progress=fraction, progress_note=note[:200] if note else None)

    async def heartbeat(self) -> None:
        await self._touch()

    async def _touch(self, **values: Any) -> None:
        t = self.table
        async with self.db.transaction() as session:
            result = await session.execute(
                sa.update(t)
                .where(t.c.id == self.job.id, t.c.lease_token == self.job.lease_token)
                .values(
                    lease_until=sa.func.now() + timedelta(seconds=self.lease_s),
                    updated_at=sa.func.now(),
                    **values,
                )
                .returning(t.c.id)
            )
            if result.first() is None:
                raise LeaseLost(str(self.job.id))

    @contextlib.asynccontextmanager
    async def fenced(self) -> AsyncIterator[AsyncSession]:
        """A short transaction that commits only while this runner still holds the lease (the row is locked first,
        so a takeover cannot slip in between check and write): for a result published before the job ends (the
        feedback's follow-up decision, ahead of its coaching). A retried job may run it again: keep it idempotent."""
        t = self.table
        async with self.db.transaction() as session:
            held = await session.scalar(
                sa.select(t.c.id)
                .where(t.c.id == self.job.id, t.c.lease_token == self.job.lease_token)
                .with_for_update()
            )
            if held is None:
                raise LeaseLost(str(self.job.id))
            yield session

    @contextlib.asynccontextmanager
    async def finishing(self) -> AsyncIterator[AsyncSession]:
        """The one short transaction that stores the job's result and marks the job done, fenced like ``fenced``."""
        t = self.table
        async with self.fenced() as session:
            yield session
            await session.execute(
                sa.update(t)
                .where(t.c.id == self.job.id)
                .values(
                    status=JobStatus.DONE.value,
                    progress=1.0,
                    lease_until=None,
                    lease_token=None,
                    finished_at=sa.func.now(),
                    updated_at=sa.func.now(),
                )
            )


Handler = Callable[[Job, JobContext], Awaitable[None]]
ParkedHook = Callable[[AsyncSession, Job, str], Awaitable[None]]


def retry_delay_s(attempts: int, base_s: float = 2.0, cap_s: float = 300.0) -> float:
    """2 s, 4 s, 8 s ... capped: a dependency that is down gets time to come back."""
    return float(min(cap_s, base_s * 2 ** max(0, attempts - 1)))


class JobRunner:
    def __init__(
        self,
        db: Database,
        table: sa.Table,
        handlers: Mapping[str, Handler],
        *,
        lease_s: float = 120.0,
        max_attempts: int = 5,
        concurrency: int = 2,
        per_user: int = 1,
        poll_s: float = 2.0,
        listen_dsn: str | None = None,
        on_parked: Mapping[str, ParkedHook] | None = None,
        retry_base_s: float = 2.0,
    ) -> None:
        self.db, self.table, self.handlers = db, table, dict(handlers)
        self.lease_s, self.max_attempts = lease_s, max_attempts
        self.concurrency, self.per_user, self.poll_s = concurrency, per_user, poll_s
        self.listen_dsn = listen_dsn
        self.on_parked = dict(on_parked or {})
        self.retry_base_s = retry_base_s
        self._wake = asyncio.Event()

    async def claim(self, key: str | None = None) -> Job | None:
        """The next due job of ours, leased to this runner: queued and due, or running with an expired lease (its
        runner died). A person with ``per_user`` jobs running waits; everyone else goes ahead. ``key``: only that
        job (tests drive one job through its runner)."""
        t = self.table
        running = t.alias("running")
        busy = (
            sa.select(sa.func.count())
            .select_from(running)
            .where(
                running.c.user_id == t.c.user_id,
                running.c.status == JobStatus.RUNNING.value,
                running.c.lease_until > sa.func.now(),
            )
            .scalar_subquery()
        )
        due = sa.or_(
            sa.and_(t.c.status == JobStatus.QUEUED.value, t.c.run_after <= sa.func.now()),
            sa.and_(t.c.status == JobStatus.RUNNING.value, t.c.lease_until < sa.func.now()),
        )
        candidate = (
            sa.select(t.c.id)
            .where(
                t.c.kind.in_(list(self.handlers)),
                due,
                sa.or_(t.c.user_id.is_(None), busy < self.per_user),
                sa.true() if key is None else t.c.key == key,
            )
            .order_by(t.c.run_after, t.c.created_at)
            .limit(1)
            .with_for_update(skip_locked=True)
            .scalar_subquery()
        )
        async with self.db.transaction() as session:
            row = (
                await session.execute(
                    sa.update(t)
                    .where(t.c.id == candidate)
                    .values(
                        status=JobStatus.RUNNING.value,
                        lease_until=sa.func.now() + timedelta(seconds=self.lease_s),
                        lease_token=uuid.uuid4(),
                        attempts=t.c.attempts + 1,
                        updated_at=sa.func.now(),
                    )
                    .returning(t.c.id, t.c.kind, t.c.key, t.c.user_id, t.c.payload, t.c.attempts, t.c.lease_token)
                )
            ).first()
        if row is None:
            return None
        return Job(row.id, row.kind, row.key, row.user_id, dict(row.payload), row.attempts, row.lease_token)

    async def run_one(self, job: Job) -> None:
        """Work one claimed job to its end: done, retried later, or parked."""
        ctx = JobContext(job, self.db, self.table, self.lease_s)
        beat = asyncio.create_task(self._beat(ctx))
        try:
            if job.attempts > self.max_attempts:  # its runners died each time: never start it again
                raise RuntimeError(f"abandoned by its worker {job.attempts - 1} times")
            await self.handlers[job.kind](job, ctx)
        except LeaseLost:
            log.warning("job %s (%s): lease lost; the runner that took it over finishes it", job.id, job.kind)
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            try:
                await self._failed(job, exc)
            except Exception as also:  # the database is away too: the lease runs out and the job is taken over
                log.warning("job %s (%s): failure not recorded (%r); it is retried when its lease ends", job.id,
                            job.kind, also)  # fmt: skip
        finally:
            beat.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await beat

    async def _beat(self, ctx: JobContext) -> None:
        """Keep the lease while the handler works (a handler busy in ffmpeg cannot report progress itself)."""
        while True:
            await asyncio.sleep(self.lease_s / 3)
            try:
                await ctx.heartbeat()
            except LeaseLost:
                return
            except Exception as exc:  # the database may blink; the next beat tries again
                log.warning("job %s: heartbeat failed (%s)", ctx.job.id, exc)

    async def _failed(self, job: Job, exc: Exception) -> None:
        t = self.table
        error = f"{type(exc).__name__}: {exc}"[:2000]
        park = job.attempts >= self.max_attempts
        async with self.db.transaction() as session:
            held = await session.scalar(
                sa.select(t.c.id).where(t.c.id == job.id, t.c.lease_token == job.lease_token).with_for_update()
            )
            if held is None:
                return
            values: dict[str, Any] = {"last_error": error, "lease_until": None, "lease_token": None}
            if park:
                log.error("job %s (%s %s) parked after %d attempts: %s", job.id, job.kind, job.key, job.attempts, error)
                values.update(status=JobStatus.PARKED.value, finished_at=sa.func.now())
                hook = self.on_parked.get(job.kind)
                if hook is not None:
                    await hook(session, job, error)
            else:
                delay = retry_delay_s(job.attempts, self.retry_base_s)
                log.warning("job %s (%s) failed (attempt %d), retrying in %.0f s: %s", job.id, job.kind,
                            job.attempts, delay, error)  # fmt: skip
                values.update(status=JobStatus.QUEUED.value, run_after=sa.func.now() + timedelta(seconds=delay))
            await session.execute(sa.update(t).where(t.c.id == job.id).values(updated_at=sa.func.now(), **values))

    async def run(self, stop: asyncio.Event) -> None:
        listener = await self._listen()
        running: set[asyncio.Task[None]] = set()
        try:
            while not stop.is_set():
                claimed = False
                while len(running) < self.concurrency:
                    try:
                        job = await self.claim()
                    except Exception as exc:
                        log.warning("job runner: cannot claim (%s); retrying", exc)
                        job = None
                    if job is None:
                        break
                    claimed = True
                    task = asyncio.create_task(self.run_one(job))
                    running.add(task)
                    task.add_done_callback(running.discard)
                    task.add_done_callback(lambda _: self._wake.set())
                if claimed and len(running) < self.concurrency:
                    continue
                self._wake.clear()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(_first(stop, self._wake), timeout=self.poll_s)
        finally:
            # Stopping: jobs in hand are cancelled; their leases run out and another runner resumes them.
            for task in running:
                task.cancel()
            await asyncio.gather(*running, return_exceptions=True)
            if listener is not None:
                await listener.close()

    async def _listen(self) -> asyncpg.Connection | None:
        return await listen(self.listen_dsn, NOTIFY_CHANNEL, self._wake, "job runner")


class JobOut(BaseModel):
    """A job as operators see it (``GET /admin/jobs``)."""

    id: uuid.UUID
    kind: str
    key: str
    status: str
    attempts: int
    progress: float
    progress_note: str | None
    last_error: str | None
    updated_at: datetime


async def jobs_needing_attention(session: AsyncSession, table: sa.Table, limit: int = 200) -> list[JobOut]:
    """Parked jobs and jobs that failed at least once, newest first (the operators' view)."""
    t = table
    rows = (
        await session.execute(
            sa.select(t)
            .where(sa.or_(t.c.status == JobStatus.PARKED.value, t.c.last_error.is_not(None)))
            .order_by(t.c.updated_at.desc())
            .limit(limit)
        )
    ).all()
    return [JobOut.model_validate(dict(r._mapping)) for r in rows]

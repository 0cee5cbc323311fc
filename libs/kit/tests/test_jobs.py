"""Leased jobs against the real PostgreSQL: enqueued once, worked outside any transaction with visible progress,
stored only by the lease holder, retried then parked, taken over when a runner dies, fair between people."""

from __future__ import annotations

import asyncio
import uuid

import pytest
import sqlalchemy as sa
from intervu_kit.db import Database
from intervu_kit.jobs import Job, JobContext, JobRunner, JobStatus, LeaseLost, enqueue, jobs_needing_attention

from .conftest import JOBS, Note


@pytest.fixture
async def db(kit_db: Database) -> Database:
    async with kit_db.transaction() as session:
        await session.execute(sa.delete(JOBS))
    return kit_db


async def _job(db: Database, key: str) -> sa.Row[tuple[object, ...]]:
    async with db.transaction() as session:
        return (await session.execute(sa.select(JOBS).where(JOBS.c.key == key))).one()


async def test_a_job_is_enqueued_once_and_only_if_the_transaction_commits(db: Database) -> None:
    async with db.transaction() as session:
        assert await enqueue(session, JOBS, "note", "k1", {"text": "a"}, user_id="u1")
        assert not await enqueue(session, JOBS, "note", "k1", {"text": "b"}, user_id="u1")  # a redelivered event
    with pytest.raises(RuntimeError):
        async with db.transaction() as session:
            await enqueue(session, JOBS, "note", "k2", {}, user_id="u1")
            raise RuntimeError("the handler failed")
    async with db.transaction() as session:
        rows = (await session.execute(sa.select(JOBS.c.key, JOBS.c.payload, JOBS.c.status))).all()
    assert [(r.key, r.payload, r.status) for r in rows] == [("k1", {"text": "a"}, "queued")]


async def test_work_runs_outside_a_transaction_shows_progress_and_stores_its_result_once(db: Database) -> None:
    text = "job-" + uuid.uuid4().hex[:8]
    halfway, go_on = asyncio.Event(), asyncio.Event()

    async def handle(job: Job, ctx: JobContext) -> None:
        await ctx.progress(0.5, "halfway")
        halfway.set()
        await go_on.wait()
        async with ctx.finishing() as session:
            session.add(Note(text=job.payload["text"]))

    async with db.transaction() as session:
        await enqueue(session, JOBS, "note", text, {"text": text}, user_id="u1")
    runner = JobRunner(db, JOBS, {"note": handle}, poll_s=0.1)
    stop = asyncio.Event()
    task = asyncio.create_task(runner.run(stop))
    try:
        await asyncio.wait_for(halfway.wait(), 10)
        row = await _job(db, text)  # read from another connection while the job works: nothing is held
        assert (row.status, row.progress, row.progress_note, row.attempts) == ("running", 0.5, "halfway", 1)
        go_on.set()
        for _ in range(100):
            if (await _job(db, text)).status == JobStatus.DONE.value:
                break
            await asyncio.sleep(0.05)
    finally:
        stop.set()
        await asyncio.wait_for(task, 10)
    row = await _job(db, text)
    assert (row.status, row.progress, row.lease_token) == ("done", 1.0, None)
    async with db.transaction() as session:
        assert await session.scalar(sa.select(sa.func.count()).where(Note.text == text)) == 1


async def test_a_failing_job_is_retried_then_parked_with_its_error_and_the_hook_runs(db: Database) -> None:
    calls: list[int] = []
    parked: list[tuple[str, str]] = []

    async def handle(job: Job, ctx: JobContext) -> None:
        calls.append(job.attempts)
        raise ValueError(f"bad input, attempt {job.attempts}")

    async def on_parked(session: object, job: Job, error: str) -> None:
        parked.append((job.key, error))

    async with db.transaction() as session:
        await enqueue(session, JOBS, "note", "poison", {}, user_id="u1")
    runner = JobRunner(db, JOBS, {"note": handle}, max_attempts=3, retry_base_s=0.05, on_parked={"note": on_parked})
    for _ in range(200):
        job = await runner.claim()
        if job is not None:
            await runner.run_one(job)
        if parked:
            break
        await asyncio.sleep(0.02)
    assert calls == [1, 2, 3]
    assert parked == [("poison", "ValueError: bad input, attempt 3")]
    row = await _job(db, "poison")
    assert (row.status, row.attempts) == ("parked", 3)
    assert await runner.claim() is None  # parked: never claimed again
    async with db.transaction() as session:
        views = await jobs_needing_attention(session, JOBS)
    assert [(v.key, v.status) for v in views] == [("poison", "parked")]


async def test_a_dead_runners_job_is_taken_over_and_its_late_result_is_refused(db: Database) -> None:
    text = "late-" + uuid.uuid4().hex[:8]
    async with db.transaction() as session:
        await enqueue(session, JOBS, "note", text, {"text": text}, user_id="u1")
    first = JobRunner(db, JOBS, {"note": lambda j, c: asyncio.sleep(0)}, lease_s=0.5)
    dead = await first.claim()  # this runner "dies": it never reports again
    assert dead is not None
    assert await first.claim() is None  # leased: nobody else takes it meanwhile
    await asyncio.sleep(0.8)
    second = JobRunner(db, JOBS, {"note": lambda j, c: asyncio.sleep(0)}, lease_s=30)
    alive = await second.claim()
    assert alive is not None and alive.id == dead.id and alive.attempts == 2

    late = JobContext(dead, db, JOBS, 30)
    with pytest.raises(LeaseLost):
        async with late.finishing() as session:
            session.add(Note(text=text))
    with pytest.raises(LeaseLost):
        await late.progress(0.9)
    async with JobContext(alive, db, JOBS, 30).finishing() as session:
        session.add(Note(text=text))
    async with db.transaction() as session:
        assert await session.scalar(sa.select(sa.func.count()).where(Note.text == text)) == 1
    assert (await _job(db, text)).status == "done"


async def test_one_persons_jobs_wait_while_everyone_else_goes_ahead(db: Database) -> None:
    async with db.transaction() as session:
        for i in range(3):
            await enqueue(session, JOBS, "note", f"busy-{i}", {}, user_id="busy")
        await enqueue(session, JOBS, "note", "other-0", {}, user_id="other")
    runner = JobRunner(db, JOBS, {"note": lambda j, c: asyncio.sleep(0)}, per_user=1)
    first, second, third = await runner.claim(), await runner.claim(), await runner.claim()
    assert first is not None and second is not None
    assert {first.user_id, second.user_id} == {"busy", "other"}
    assert third is None  # "busy" already has one running

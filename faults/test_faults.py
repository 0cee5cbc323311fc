"""Faults proven on the running product (issue 15, section 6).

Each test is one fault: a new person answers (recorded answers uploaded with tus as the web app does, and a typed
one) through the public API, the fault strikes while the answers are on their way, and once every answer's status
settled the test counts, through the API as the person and as an operator: every answer ready, exactly one
transcript per recorded answer and one feedback per answer, no recording left `processing`, nothing parked (events
or jobs), and analytics and the inbox each counted every feedback (no `feedback.completed.v1` lost). The counts are
printed as a table at the end of the run.
"""

from __future__ import annotations

import asyncio
import os
import signal
import time
from collections.abc import Awaitable, Callable
from datetime import datetime

from .conftest import Product
from .harness import (
    SERVICES,
    JobsView,
    Outcome,
    Person,
    Practice,
    frozen,
    measure,
    new_practice,
    now_utc,
    pid_of,
    restart_postgres,
    restarted,
    restore_storage,
    stop_nats_for,
    storage_unavailable,
    summary,
)

People = Callable[..., Awaitable[Person]]
SETTLE_S = 240  # how long answers may take to settle once the fault is over (2 busy cores, Whisper, ffmpeg)


async def submit(practice: Practice, media: bytes, *, recorded: int, typed: int, within_s: float = 60) -> None:
    """Answer the session's questions in turn: ``recorded`` recordings, then ``typed`` typed answers."""
    for n in range(recorded):
        await practice.answer_recorded(media, n, within_s=within_s)
    for n in range(typed):
        await practice.answer_typed(recorded + n)


async def conclude(
    practice: Practice,
    admin: Person,
    jobs: JobsView,
    report: list[Outcome],
    fault: str,
    *,
    started: float,
    since: datetime,
    fault_over: float,
    notes: list[str],
) -> Outcome:
    """Wait (bounded) for every answer to settle, count, print, assert."""
    try:
        await practice.settle(within_s=SETTLE_S)
    finally:
        await admin.sign_in_again()  # the operator's token may have run out meanwhile (5 minutes)
        await practice.person.sign_in_again()
        outcome = await measure(practice, admin, fault, since, jobs)
        outcome.recover_s = time.monotonic() - fault_over
        outcome.total_s = time.monotonic() - started
        outcome.notes.extend(notes)
        if practice.person.errors:
            outcome.notes.append(f"{len(practice.person.errors)} requests refused or unanswered during the fault")
        report.append(outcome)
    return outcome


async def test_no_fault_baseline(
    people: People, admin: Person, media: bytes, jobs: JobsView, report: list[Outcome]
) -> None:
    """The pipeline as it is without a fault (it also warms the models and caches the faults below need)."""
    started, since = time.monotonic(), now_utc()
    practice = await new_practice(await people())
    await submit(practice, media, recorded=1, typed=1)
    outcome = await conclude(
        practice, admin, jobs, report, "none (baseline)", started=started, since=since, fault_over=started, notes=[]
    )
    outcome.recover_s = None
    assert not outcome.problems(), outcome.problems()


async def kill_worker_mid_job(
    service: str,
    product: Product,
    people: People,
    admin: Person,
    media: bytes,
    jobs: JobsView,
    report: list[Outcome],
) -> None:
    """SIGKILL ``<service>-worker`` while it holds one of the person's leased jobs; the supervisor starts it again
    and, once the lease ran out, a runner takes the job over."""
    worker = f"{service}-worker"
    lease = product.leases[worker]
    started, since = time.monotonic(), now_utc()
    person = await people()
    practice = await new_practice(person)
    old_pid = pid_of(worker)
    answering = asyncio.create_task(submit(practice, media, recorded=2, typed=1))
    key = None
    deadline = time.monotonic() + 120
    while key is None:
        assert time.monotonic() < deadline, f"no {service} job of the person ran within 120 s"
        if answering.done():
            answering.result()  # raises what went wrong while answering
        # Feedback: a recorded answer's analysis (voice, video), the long one, not the typed answer's.
        recorded = {a.id for a in practice.answers if a.kind == "recording"} if service == "feedback" else None
        key = await jobs.running(service, person.user.id, recorded)
        if key is None:
            await asyncio.sleep(0.05)
    os.kill(old_pid, signal.SIGKILL)
    killed = time.monotonic()
    stages = summary(await practice.stages())
    await answering
    new_pid = await restarted(worker, old_pid)
    notes = [
        f"{worker} (pid {old_pid}) killed by SIGKILL holding job {key[:8]} (answers: {stages}); restarted as pid "
        f"{new_pid} after {time.monotonic() - killed:.1f} s; lease {lease:.0f} s"
    ]
    outcome = await conclude(
        practice, admin, jobs, report, f"SIGKILL {worker}", started=started, since=since, fault_over=killed, notes=notes
    )
    status, attempts = await jobs.attempts(service, person.user.id, key)
    assert attempts >= 2, f"the killed job {key} was not taken over: {status}, {attempts} attempt(s)"
    assert status == "done", f"the killed job {key} did not finish: {status}"
    assert not outcome.problems(), outcome.problems()


async def test_sigkill_media_worker_while_processing(
    product: Product, people: People, admin: Person, media: bytes, jobs: JobsView, report: list[Outcome]
) -> None:
    await kill_worker_mid_job("media", product, people, admin, media, jobs, report)


async def test_sigkill_transcription_worker_while_transcribing(
    product: Product, people: People, admin: Person, media: bytes, jobs: JobsView, report: list[Outcome]
) -> None:
    await kill_worker_mid_job("transcription", product, people, admin, media, jobs, report)


async def test_sigkill_feedback_worker_while_analysing(
    product: Product, people: People, admin: Person, media: bytes, jobs: JobsView, report: list[Outcome]
) -> None:
    await kill_worker_mid_job("feedback", product, people, admin, media, jobs, report)


async def test_keycloak_frozen_for_30_s_tokens_already_issued_keep_working(
    people: People, admin: Person, media: bytes, jobs: JobsView, report: list[Outcome]
) -> None:
    """Keycloak stopped (SIGSTOP) for 30 s: a person signed in before keeps practising. Every service verifies the
    token with the realm's keys it fetched before (cached), so nothing needs Keycloak meanwhile."""
    started, since = time.monotonic(), now_utc()
    person = await people()
    # Keys cached: every service has verified a token already (as in a product that has been serving for a while).
    for service in SERVICES:
        await person.read(_owned_path(service))
    async with frozen("keycloak") as pid:
        frozen_at = time.monotonic()
        practice = await new_practice(person)
        await submit(practice, media, recorded=2, typed=1)
        while time.monotonic() - frozen_at < 30:  # the results page polls meanwhile; every service reads
            for service in SERVICES:
                await person.read(_owned_path(service), within_s=0)
            during = summary(await practice.stages())
            await asyncio.sleep(2)
        assert person.errors == [], person.errors
    thawed = time.monotonic()
    notes = [f"keycloak (pid {pid}) frozen {thawed - frozen_at:.0f} s; meanwhile a new session, 3 answers and reads of "
             f"all 8 services with the token issued before, no request refused; at the thaw: {during}"]  # fmt: skip
    outcome = await conclude(
        practice, admin, jobs, report, "Keycloak stopped 30 s", started=started, since=since, fault_over=thawed,
        notes=notes,
    )  # fmt: skip
    assert not outcome.problems(), outcome.problems()


def _owned_path(service: str) -> str:
    """A read of the person's own data on each service (each verifies the token itself)."""
    return {
        "accounts": "/api/accounts/consents",
        "interviews": "/api/interviews/sessions",
        "media": "/api/media/recordings",
        "transcription": "/api/transcription/transcripts",
        "feedback": "/api/feedback/answers",
        "avatar": "/api/avatar/personas",
        "analytics": "/api/analytics/progress?days=7",
        "notifications": "/api/notifications/inbox",
    }[service]


async def test_storage_unavailable_for_30_s(
    product: Product, people: People, admin: Person, media: bytes, jobs: JobsView, report: list[Outcome]
) -> None:
    """Object storage out of reach for 30 s while recordings are checked, transcribed and analysed, and one more
    recording uploaded meanwhile (the web app's tus client retries, as here)."""
    restore_storage(product.settings)
    started, since = time.monotonic(), now_utc()
    person = await people()
    practice = await new_practice(person)
    await submit(practice, media, recorded=2, typed=1)
    async with storage_unavailable(product.settings) as how:
        out_at = time.monotonic()
        stages = summary(await practice.stages())
        late = asyncio.create_task(practice.answer_recorded(media, 3, within_s=180))
        await asyncio.sleep(30)
    back = time.monotonic()
    await late
    notes = [f"{how} for {back - out_at:.0f} s (answers then: {stages}); a 4th recording uploaded during it"]
    outcome = await conclude(
        practice, admin, jobs, report, "storage out 30 s", started=started, since=since, fault_over=back, notes=notes
    )
    assert not outcome.problems(), outcome.problems()


async def test_nats_stopped_for_60_s(
    product: Product, people: People, admin: Person, media: bytes, jobs: JobsView, report: list[Outcome]
) -> None:
    """nats-server stopped for 60 s while answers are on their way (and two more answers given meanwhile): events
    wait in each service's outbox and flow once it is back; none is lost or doubled."""
    started, since = time.monotonic(), now_utc()
    person = await people()
    practice = await new_practice(person)
    await submit(practice, media, recorded=2, typed=1)
    stages = summary(await practice.stages())
    outage = asyncio.create_task(stop_nats_for(product.settings, 60))
    down_at = time.monotonic()
    await asyncio.sleep(3)
    await practice.answer_recorded(media, 3)
    await practice.answer_typed(4)
    was_supervised = await outage
    back = time.monotonic()
    if was_supervised and product.started_here:
        product.taken_over.add("nats")
    notes = [
        f"nats-server stopped {back - down_at:.0f} s (answers then: {stages}); a recording and a typed answer given "
        f"meanwhile; it was {'supervised by the run' if was_supervised else 'not supervised'}, started again here"
    ]
    outcome = await conclude(
        practice, admin, jobs, report, "NATS stopped 60 s", started=started, since=since, fault_over=back, notes=notes
    )
    assert not outcome.problems(), outcome.problems()


async def test_postgresql_restarted(
    product: Product, people: People, admin: Person, media: bytes, jobs: JobsView, report: list[Outcome]
) -> None:
    """The PostgreSQL server of every service's database restarted while answers are transcribed; afterwards every
    API and worker works again (new answers too), and Keycloak (whose database it also is) still signs people in."""
    started, since = time.monotonic(), now_utc()
    person = await people()
    practice = await new_practice(person)
    await submit(practice, media, recorded=2, typed=1)
    recorded = [a.id for a in practice.answers if a.kind == "recording"]
    later = ("transcribing", "analysing", "ready")
    await practice.wait_for(lambda s: any(s.get(a, {}).get("stage") in later for a in recorded), 60)
    stages = summary(await practice.stages())
    errors_before = len(person.errors)
    down_at = time.monotonic()
    how = await restart_postgres(product.settings)
    back = time.monotonic()
    refused_sign_ins = await person.sign_in_again(within_s=60)  # Keycloak keeps its data there too
    signed_in = time.monotonic() - back
    await submit(practice, media, recorded=1, typed=1, within_s=120)
    await practice.settle(within_s=SETTLE_S)
    notes = [
        f"PostgreSQL {how} in {back - down_at:.0f} s (answers then: {stages}); then 2 more answers",
        f"after the restart Keycloak refused {refused_sign_ins} sign-in(s) (5xx) before one worked"
        f" {signed_in:.1f} s later; the APIs answered {len(person.errors) - errors_before} request(s) with 5xx or"
        " not at all while the answers settled",
    ]
    outcome = await conclude(
        practice, admin, jobs, report, "PostgreSQL restarted", started=started, since=since, fault_over=back,
        notes=notes,
    )  # fmt: skip
    assert not outcome.problems(), outcome.problems()

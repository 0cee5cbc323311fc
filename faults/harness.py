"""The fault suite's two hands: one drives the running product as a person does (over https://localhost:8443, a
real Keycloak token, the answer flow the web app uses), the other hurts the product's processes (SIGKILL a worker,
stop NATS, restart PostgreSQL, take the storage away, freeze Keycloak) and puts them back.

Everything a person sees goes through the public API. Two things are read beside it, as an operator would: the
pidfiles of the development stack (which process to hurt) and the leased ``jobs`` rows of media, transcription and
feedback (to kill a worker while it holds a job, and to prove afterwards that another runner took the job over).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import subprocess
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import asyncpg
import httpx
from intervu_kit.devstack.config import DevSettings, Paths
from intervu_kit.devstack.procs import read_pid, stop_pid
from intervu_kit.devstack.supervisor import read_state
from intervu_kit.testing.keycloak import KeycloakAdmin, KeycloakUser
from intervu_kit.testing.speech import Script, render

BASE = "https://localhost:8443"
SERVICES = ("accounts", "interviews", "media", "transcription", "feedback", "avatar", "analytics", "notifications")
FINAL = frozenset({"ready", "rejected", "failed"})
# What the web app's tus client waits between retries of a failed request (web/src/features/practice/upload.ts).
TUS_RETRY_DELAYS_S = (0, 1, 2, 3, 5, 10, 15, 20, 30, 30, 30, 30)
CHUNK = 512 * 1024

ANSWER = Script(
    "fault-answer",
    "In my last job I fixed a slow checkout page. [0.5] I measured it first, then cached the prices, "
    "and the page got three times faster.",
)
TYPED = (
    "I led a small team through a database migration. I planned it in stages, tested each step on a copy, "
    "and we moved every customer without downtime."
)


def ffmpeg(*args: str) -> None:
    subprocess.run(["ffmpeg", "-nostdin", "-v", "error", "-y", *args], check=True)


def recorded_answer(folder: Path) -> bytes:
    """A short recorded answer as the web app sends it: WebM with a small moving picture (VP8) and a spoken
    answer (Opus), about five seconds. Made once and kept."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "answer.webm"
    if not path.exists():
        speech = render(ANSWER, folder)
        ffmpeg(
            "-f", "lavfi", "-i", f"testsrc=size=320x240:rate=10:duration={speech.duration_s}",
            "-i", str(speech.path),
            "-c:v", "libvpx", "-b:v", "200k", "-c:a", "libopus", "-b:a", "48k", "-shortest", str(path),
        )  # fmt: skip
    return path.read_bytes()


# --- the person -------------------------------------------------------------------------------------------


class Transient(Exception):
    """The product did not answer this time (a fault is on): ask again."""


@dataclass
class Person:
    """A real Keycloak user, signed in, calling the product through the HTTPS proxy."""

    http: httpx.AsyncClient
    keycloak: KeycloakAdmin
    user: KeycloakUser
    token: str = ""
    errors: list[str] = field(default_factory=list)  # every transient failure seen (kept for the report)

    async def sign_in(self) -> None:
        self.token = await self.keycloak.password_token(self.user)

    async def sign_in_again(self, within_s: float = 60) -> int:
        """Sign in, asking again while Keycloak answers 5xx or not at all; how many tries failed."""
        failed = 0
        deadline = time.monotonic() + within_s
        while True:
            try:
                await self.sign_in()
                return failed
            except httpx.HTTPStatusError as exc:
                if exc.response.status_code < 500:
                    raise
            except httpx.TransportError:
                pass
            failed += 1
            assert time.monotonic() < deadline, f"Keycloak did not sign in within {within_s:.0f} s ({failed} tries)"
            await asyncio.sleep(0.5)

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}

    async def call(self, method: str, path: str, *, expect: Iterable[int] = (200,), **kwargs: Any) -> httpx.Response:
        """One request; a transport error or a 5xx is :class:`Transient`, any other unexpected status fails."""
        headers = {**self.headers, **kwargs.pop("headers", {})}
        try:
            response = await self.http.request(method, BASE + path, headers=headers, **kwargs)
        except httpx.TransportError as exc:
            self.errors.append(f"{method} {path}: {type(exc).__name__}")
            raise Transient(str(exc)) from exc
        if response.status_code >= 500:
            self.errors.append(f"{method} {path}: {response.status_code}")
            raise Transient(f"{method} {path}: {response.status_code} {response.text[:300]}")
        assert response.status_code in tuple(expect), f"{method} {path}: {response.status_code} {response.text[:500]}"
        return response

    async def read(self, path: str, *, within_s: float = 60, **kwargs: Any) -> Any:
        """GET, asked again while the product is not answering (what the web app's polling does)."""
        deadline = time.monotonic() + within_s
        while True:
            try:
                return (await self.call("GET", path, **kwargs)).json()
            except Transient:
                if time.monotonic() > deadline:
                    raise
                await asyncio.sleep(1)


async def new_person(http: httpx.AsyncClient, keycloak: KeycloakAdmin, *, roles: tuple[str, ...] = ()) -> Person:
    person = Person(http, keycloak, await keycloak.create_user(roles=roles))
    await person.sign_in()
    # The privacy policy accepted, as the web app's onboarding asks before anything else.
    policy = await person.read("/api/accounts/policy")
    await person.call("POST", "/api/accounts/policy/acceptances", json={"version": policy["version"]}, expect=(201,))
    # The accepted version travels in the access token: a new one carries it (the web app renews its token too).
    await person.sign_in()
    return person


# --- answers ----------------------------------------------------------------------------------------------


@dataclass
class Answer:
    id: str
    kind: str  # "recording" or "text"
    recording_id: str | None = None


@dataclass
class Pushed:
    """What the answer status stream (server-sent events, what the results page subscribes to) pushed."""

    connections: int = 0
    events: int = 0
    last: dict[str, Any] | None = None
    refused: list[str] = field(default_factory=list)


@dataclass
class Practice:
    """One practice session of one person and the answers given in it, its status stream watched throughout."""

    person: Person
    session_id: str
    slots: list[str]
    answers: list[Answer] = field(default_factory=list)
    pushed: Pushed = field(default_factory=Pushed)
    _stop: asyncio.Event = field(default_factory=asyncio.Event)
    _watcher: asyncio.Task[None] | None = None

    def watch(self) -> None:
        self._watcher = asyncio.create_task(self._watch())

    async def _watch(self) -> None:
        """Subscribe to the status stream as the results page does, again whenever it ends (every answer final,
        or the connection lost to a fault), until told to stop."""
        url = f"{BASE}/api/interviews/sessions/{self.session_id}/status/stream"
        while not self._stop.is_set():
            self.pushed.connections += 1
            try:
                timeout = httpx.Timeout(10, read=40)
                async with self.person.http.stream("GET", url, headers=self.person.headers, timeout=timeout) as r:
                    if r.status_code != 200:
                        self.pushed.refused.append(str(r.status_code))
                    else:
                        async for line in r.aiter_lines():
                            if line.startswith("data:"):
                                self.pushed.events += 1
                                self.pushed.last = json.loads(line[5:].strip())
            except httpx.HTTPError as exc:
                self.pushed.refused.append(type(exc).__name__)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stop.wait(), timeout=2)

    def pushed_final(self) -> bool:
        """Whether the last pushed status shows every answer of ours ready."""
        last = self.pushed.last or {"answers": []}
        stages = {a["answer_id"]: a["stage"] for a in last["answers"]}
        return all(stages.get(a.id) == "ready" for a in self.answers)

    async def unwatch(self, within_s: float = 15) -> bool:
        """Give the stream a moment to push the final state, stop watching; whether it pushed it."""
        deadline = time.monotonic() + within_s
        while not self.pushed_final() and time.monotonic() < deadline:  # noqa: ASYNC110 - a condition, polled
            await asyncio.sleep(0.5)
        self._stop.set()
        if self._watcher is not None:
            self._watcher.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._watcher
        return self.pushed_final()

    def slot(self, n: int) -> str:
        return self.slots[n % len(self.slots)]

    async def answer_typed(self, n: int = 0, text: str = TYPED) -> Answer:
        path = f"/api/interviews/sessions/{self.session_id}/questions/{self.slot(n)}/answers"
        created = await self.person.call("POST", path, json={"kind": "text", "text": text}, expect=(201,))
        answer = Answer(created.json()["id"], "text")
        self.answers.append(answer)
        return answer

    async def answer_recorded(self, media: bytes, n: int = 0, *, within_s: float = 60) -> Answer:
        """POST the answer (kind recording), then upload the recording with tus, as the web app does."""
        path = f"/api/interviews/sessions/{self.session_id}/questions/{self.slot(n)}/answers"
        created = await self.person.call("POST", path, json={"kind": "recording"}, expect=(201,))
        answer = Answer(created.json()["id"], "recording")
        self.answers.append(answer)
        metadata = {
            "filename": f"answer-{answer.id}.webm",
            "filetype": "video/webm",
            "answer_id": answer.id,
            "session_id": self.session_id,
        }
        answer.recording_id = await tus_upload(self.person, media, metadata, within_s=within_s)
        return answer

    async def stages(self) -> dict[str, dict[str, Any]]:
        status = await self.person.read(f"/api/interviews/sessions/{self.session_id}/status", within_s=120)
        return {a["answer_id"]: a for a in status["answers"]}

    async def wait_for(self, predicate: Callable[[dict[str, dict[str, Any]]], bool], within_s: float) -> float:
        """Poll the answer status every half second until ``predicate`` holds; the seconds it took."""
        started = time.monotonic()
        while True:
            stages = await self.stages()
            if predicate(stages):
                return time.monotonic() - started
            assert time.monotonic() - started < within_s, f"still {summary(stages)} after {within_s:.0f} s"
            await asyncio.sleep(0.5)

    async def settle(self, within_s: float) -> float:
        """Wait until every answer reached a final stage (ready, rejected or failed)."""
        ours = {a.id for a in self.answers}
        return await self.wait_for(lambda s: all(s.get(a, {}).get("stage") in FINAL for a in ours), within_s)


def summary(stages: dict[str, dict[str, Any]]) -> str:
    return ", ".join(f"{k[:8]}={v['stage']}" for k, v in stages.items())


async def new_practice(person: Person, questions: int = 3) -> Practice:
    roles = await person.read("/api/interviews/roles")
    role = next(r["role"] for r in roles if r["questions"] >= questions)
    created = await person.call(
        "POST", "/api/interviews/sessions", json={"role": role, "question_count": questions}, expect=(201,)
    )
    body = created.json()
    practice = Practice(person, body["id"], [q["id"] for q in body["questions"]])
    practice.watch()
    return practice


def _b64(value: str) -> str:
    import base64

    return base64.b64encode(value.encode()).decode()


async def tus_upload(person: Person, data: bytes, metadata: dict[str, str], *, within_s: float) -> str:
    """tus 1.0 as tus-js-client does it in the browser: create, PATCH in 512 KB chunks, and after a failure wait
    (the web app's delays), ask the server for its offset (HEAD) and go on from there. Returns the upload's id (the
    recording's id)."""
    tus = {"Tus-Resumable": "1.0.0"}
    deadline = time.monotonic() + within_s
    attempt = 0

    async def pause(error: Exception) -> None:
        nonlocal attempt
        if time.monotonic() > deadline:
            raise AssertionError(f"the upload did not finish in {within_s:.0f} s: {error}") from error
        await asyncio.sleep(TUS_RETRY_DELAYS_S[min(attempt, len(TUS_RETRY_DELAYS_S) - 1)])
        attempt += 1

    location = None
    while location is None:
        try:
            created = await person.call(
                "POST",
                "/api/media/uploads/",
                expect=(201,),
                headers={
                    **tus,
                    "Upload-Length": str(len(data)),
                    "Upload-Metadata": ",".join(f"{k} {_b64(v)}" for k, v in metadata.items()),
                },
            )
            location = created.headers["location"]
        except Transient as exc:
            await pause(exc)
    path = "/" + location.split("://", 1)[-1].split("/", 1)[1] if "://" in location else location
    offset = 0
    while offset < len(data):
        try:
            patched = await person.call(
                "PATCH",
                path,
                expect=(204, 409),  # 409: the offset moved on (a PATCH that failed late had landed): ask again
                content=data[offset : offset + CHUNK],
                headers={**tus, "Content-Type": "application/offset+octet-stream", "Upload-Offset": str(offset)},
            )
            if patched.status_code == 204:
                offset = int(patched.headers["upload-offset"])
                attempt = 0
                continue
            raise Transient("offset conflict")
        except Transient as exc:
            await pause(exc)
            with contextlib.suppress(Transient):
                head = await person.call("HEAD", path, expect=(200, 204), headers=tus)
                offset = int(head.headers["upload-offset"])
    return path.rstrip("/").rsplit("/", 1)[-1]


# --- what came out ----------------------------------------------------------------------------------------


@dataclass
class Outcome:
    """The counts the suite prints for one fault (and asserts on)."""

    fault: str
    answers: int = 0
    recorded: int = 0
    ready: int = 0
    final_other: list[str] = field(default_factory=list)  # "stage: reason" of answers that ended otherwise
    transcripts: int = 0
    transcripts_wrong: list[str] = field(default_factory=list)  # recorded answers without exactly one transcript
    feedback: int = 0
    feedback_wrong: list[str] = field(default_factory=list)  # answers without exactly one feedback
    stuck: list[str] = field(default_factory=list)  # recordings left uploading or processing
    rejected: list[str] = field(default_factory=list)  # recordings rejected (or missing)
    parked: list[str] = field(default_factory=list)  # parked events and parked jobs since the fault began
    retried: list[str] = field(default_factory=list)  # jobs that failed at least once and then went on
    analytics: int = 0  # answers analytics counted (feedback.completed.v1 consumed)
    inbox: int = 0  # feedback notices in the person's inbox (feedback.completed.v1 consumed)
    rerun: list[str] = field(default_factory=list)  # leased jobs run more than once (taken over, or retried)
    pushed: bool = False  # the status stream pushed every answer ready
    recover_s: float | None = None  # from the fault's end to every answer final
    total_s: float = 0.0
    notes: list[str] = field(default_factory=list)

    def problems(self) -> list[str]:
        out = []
        if self.ready != self.answers:
            out.append(f"{self.answers - self.ready} of {self.answers} answers not ready: {self.final_other}")
        if self.transcripts_wrong:
            out.append(f"transcripts not exactly one: {self.transcripts_wrong}")
        if self.feedback_wrong:
            out.append(f"feedback not exactly one: {self.feedback_wrong}")
        if self.stuck:
            out.append(f"recordings stuck: {self.stuck}")
        if self.rejected:
            out.append(f"recordings not ready: {self.rejected}")
        if self.parked:
            out.append(f"parked: {self.parked}")
        if not self.pushed:
            out.append("the answer status stream did not push every answer ready")
        if self.analytics != self.feedback:
            out.append(f"analytics counted {self.analytics} answers for {self.feedback} feedback (an event lost?)")
        if self.inbox != self.feedback:
            out.append(f"{self.inbox} feedback notices for {self.feedback} feedback (an event lost?)")
        return out


async def wait_counted(person: Person, expected: int, within_s: float = 30) -> tuple[int, int]:
    """Analytics' and notifications' view of the person's answers, once both counted ``expected`` (they consume
    feedback.completed.v1 beside interviews, so they may be a moment behind)."""
    deadline = time.monotonic() + within_s
    while True:
        progress = await person.read("/api/analytics/progress?days=7")
        inbox = await person.read("/api/notifications/inbox?limit=200")
        notices = sum(1 for n in inbox["items"] if "feedback" in n["kind"])
        counted = (int(progress["answers"]), notices)
        if counted == (expected, expected) or time.monotonic() > deadline:
            return counted
        await asyncio.sleep(1)


async def measure(practice: Practice, admin: Person, fault: str, since: datetime, jobs: JobsView) -> Outcome:
    """Count what the product made of the practice's answers, through the public API (and the operators' admin
    views)."""
    person = practice.person
    out = Outcome(fault, answers=len(practice.answers))
    out.recorded = sum(1 for a in practice.answers if a.kind == "recording")
    stages = await practice.stages()
    for a in practice.answers:
        s = stages.get(a.id, {"stage": "missing", "reason": None})
        if s["stage"] == "ready":
            out.ready += 1
        else:
            out.final_other.append(f"{a.id[:8]} {s['stage']}: {s['reason']}")
    feedback = await person.read(f"/api/feedback/answers?session_id={practice.session_id}")
    for a in practice.answers:
        n = sum(1 for f in feedback if f["answer_id"] == a.id)
        out.feedback += n
        if n != 1:
            out.feedback_wrong.append(f"{a.id[:8]} has {n}")
    recordings = {r["id"]: r for r in await person.read(f"/api/media/recordings?session_id={practice.session_id}")}
    for a in practice.answers:
        if a.kind != "recording":
            continue
        transcripts = await person.read(f"/api/transcription/transcripts?answer_id={a.id}")
        done = [t for t in transcripts if t["status"] == "completed"]
        out.transcripts += len(done)
        if len(transcripts) != 1 or len(done) != 1:
            out.transcripts_wrong.append(f"{a.id[:8]} has {[t['status'] for t in transcripts]}")
        recording = recordings.get(a.recording_id or "")
        state = recording["status"] if recording else "missing"
        if state in ("uploading", "processing"):
            out.stuck.append(f"{(a.recording_id or '?')[:8]} {state}")
        elif state != "ready":
            out.rejected.append(f"{a.id[:8]} {state}")
    for service in SERVICES:
        for parked in await admin.read(f"/api/{service}/admin/parked-events"):
            if _at(parked["parked_at"]) >= since:
                out.parked.append(f"{service} event {parked['subject']} ({parked['consumer']}): {parked['error']}")
        for job in await admin.read(f"/api/{service}/admin/jobs"):
            if _at(job["updated_at"]) < since:
                continue
            what = f"{service} {job['kind']} {job['key'][:8]} ({job['status']}, {job['attempts']} attempts)"
            if job["status"] == "parked":
                out.parked.append(f"job {what}: {job['last_error']}")
            else:
                out.retried.append(f"{what}: {(job['last_error'] or '')[:120]}")
    out.analytics, out.inbox = await wait_counted(person, out.feedback)
    out.rerun = await jobs.rerun(person.user.id)
    out.pushed = await practice.unwatch()
    p = practice.pushed
    out.notes.append(
        f"status stream: {p.events} events pushed over {p.connections} connections"
        + (f" ({len(p.refused)} ended by an error: {', '.join(sorted(set(p.refused)))})" if p.refused else "")
    )
    return out


def _at(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def now_utc() -> datetime:
    return datetime.now(UTC) - timedelta(seconds=1)


# --- the leased jobs, as an operator reads them ----------------------------------------------------------

JOB_SERVICES = {"media": "process", "transcription": "transcribe", "feedback": "analyse"}


class JobsView:
    """The leased ``jobs`` rows of media (``process``, key: the recording), transcription (``transcribe``, key: the
    recording) and feedback (``analyse``, key: the answer) in the development databases, read as the PostgreSQL
    superuser: which of a person's jobs is running now (to kill its worker then), and which ran more than once."""

    def __init__(self, settings: DevSettings) -> None:
        self.settings = settings

    async def rows(self, service: str, user_id: str) -> list[asyncpg.Record]:
        conn = await asyncpg.connect(
            host="127.0.0.1",
            port=self.settings.pg_port,
            user="postgres",
            password=self.settings.pg_superuser_password.get_secret_value(),
            database=f"intervu_{service}",
            timeout=5,
        )
        try:
            rows: list[asyncpg.Record] = await conn.fetch(
                "SELECT key, kind, status, attempts, lease_until, now() AS at FROM jobs WHERE user_id = $1"
                " ORDER BY created_at",
                user_id,
            )
            return rows
        finally:
            await conn.close()

    async def running(self, service: str, user_id: str, keys: set[str] | None = None) -> str | None:
        """The key of one of the person's jobs (of ``keys`` only, if given) this service works on now (leased, the
        lease not run out)."""
        with contextlib.suppress(OSError, asyncpg.PostgresError, TimeoutError):
            for row in await self.rows(service, user_id):
                if keys is not None and row["key"] not in keys:
                    continue
                if row["status"] == "running" and row["lease_until"] is not None and row["lease_until"] > row["at"]:
                    return str(row["key"])
        return None

    async def attempts(self, service: str, user_id: str, key: str) -> tuple[str, int]:
        for row in await self.rows(service, user_id):
            if row["key"] == key:
                return str(row["status"]), int(row["attempts"])
        return "missing", 0

    async def rerun(self, user_id: str) -> list[str]:
        out = []
        for service in JOB_SERVICES:
            for row in await self.rows(service, user_id):
                if row["attempts"] >= 2:
                    out.append(
                        f"{service} {row['kind']} {row['key'][:8]} ({row['status']}, {row['attempts']} attempts)"
                    )
        return out


# --- hurting the product --------------------------------------------------------------------------------


def pid_of(name: str) -> int:
    pid = read_pid(name)
    assert pid is not None, f"{name} is not running (no live pid in {Paths.run / (name + '.pid')})"
    return pid


def supervised(name: str) -> bool:
    """Whether a running `intervu-dev run` watches this component (it keeps a restart record only for those)."""
    return read_state(name) is not None


async def wait_until(check: Callable[[], Awaitable[bool]], within_s: float, what: str, every_s: float = 0.5) -> float:
    started = time.monotonic()
    while not await check():
        assert time.monotonic() - started < within_s, f"{what}: not within {within_s:.0f} s"
        await asyncio.sleep(every_s)
    return time.monotonic() - started


async def restarted(name: str, old_pid: int, within_s: float = 60) -> int:
    """Wait for the supervisor to start ``name`` again; its new pid."""

    async def check() -> bool:
        pid = read_pid(name)
        return pid is not None and pid != old_pid

    await wait_until(check, within_s, f"{name} restarted by the supervisor")
    return pid_of(name)


@contextlib.asynccontextmanager
async def frozen(name: str) -> AsyncIterator[int]:
    """SIGSTOP the component's whole process group (Keycloak's kc.sh and its JVM; MinIO), SIGCONT on the way out."""
    pid = pid_of(name)
    os.killpg(pid, signal.SIGSTOP)
    try:
        yield pid
    finally:
        os.killpg(pid, signal.SIGCONT)


async def _ready(check: Callable[[], bool], what: str, within_s: float = 90) -> None:
    async def probe() -> bool:
        return await asyncio.to_thread(check)

    await wait_until(probe, within_s, what)


async def stop_nats_for(settings: DevSettings, seconds: float) -> bool:
    """Stop nats-server (its process gone, its port closed) for ``seconds``, then start it again as `intervu-dev`
    does. Returns whether a running `intervu-dev run` supervised it.

    A supervised nats-server would be restarted within a second; to keep it down for the whole outage it is stopped
    the way `intervu-dev down` stops a component (its pidfile removed, so the supervisor lets it go) and started
    again here, unsupervised from then on (the caller stops it at the end when the run it left was its owner)."""
    from intervu_kit.devstack.stack import nats_component, start_nats

    was_supervised = supervised("nats")
    component = nats_component(settings)
    await asyncio.to_thread(stop_pid, "nats", 20.0, signal.SIGTERM)
    await asyncio.sleep(seconds)
    start_nats(component)
    await _ready(component.ready, "nats-server back")
    return was_supervised


async def restart_postgres(settings: DevSettings) -> str:
    """Restart the one PostgreSQL server every service's database lives in (a fast shutdown: open connections are
    cut). A supervised server is started again by `intervu-dev run` itself; otherwise it is started here."""
    from intervu_kit.devstack.stack import postgres_component

    component = postgres_component(settings)
    if supervised("postgres"):
        old = pid_of("postgres")
        os.killpg(old, signal.SIGINT)
        await restarted("postgres", old, within_s=90)
        how = "stopped (SIGINT, fast shutdown), restarted by the supervisor"
    else:
        await asyncio.to_thread(stop_pid, "postgres", 30.0, signal.SIGINT)
        component.start()
        how = "stopped (SIGINT, fast shutdown) and started again (not supervised by the run)"
    await _ready(component.ready, "PostgreSQL accepting connections")
    return how


AWAY = ".fault-suite-away"


def _storage_root(settings: DevSettings) -> Path:
    return Path(settings.storage_local_root).resolve()


def undo_leftovers(settings: DevSettings) -> None:
    """Undo what an earlier run stopped in the middle of a fault left behind: a frozen Keycloak or MinIO, the local
    storage folder moved aside."""
    for name in ("keycloak", "minio"):
        pid = read_pid(name)
        if pid is not None:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(pid, signal.SIGCONT)
    restore_storage(settings)


def restore_storage(settings: DevSettings) -> None:
    """Put the local storage folder back if an earlier run was stopped in the middle of its outage."""
    root = _storage_root(settings)
    away = root.with_name(root.name + AWAY)
    if away.is_dir():
        if root.is_file():
            root.unlink()
        if not root.exists():
            os.rename(away, root)


@contextlib.asynccontextmanager
async def storage_unavailable(settings: DevSettings) -> AsyncIterator[str]:
    """Object storage out of reach. S3 (MinIO in development): its server frozen. Local disk (the default): the
    folder moved aside and a plain file put in its place, so every path under it fails (ENOTDIR) even for root,
    whom a read-only mode would not stop; files already open stay readable, as on a disconnected mount."""
    if settings.storage_backend == "s3":
        async with frozen("minio"):
            yield "MinIO frozen (SIGSTOP)"
        return
    root = _storage_root(settings)
    away = root.with_name(root.name + AWAY)
    os.rename(root, away)
    try:
        root.write_text("object storage is unavailable: the fault suite moved it aside for a moment\n")
        yield f"{root} replaced by a file"
    finally:
        if root.is_file():
            root.unlink()
        os.rename(away, root)

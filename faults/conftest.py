"""The fault suite's fixtures: the whole product (`intervu-dev run`, started here with short job leases, or the one
already serving https://localhost:8443), signed-in people, the recorded answer, and the table of counts printed at
the end of the run (`make faults`)."""

from __future__ import annotations

import os
import ssl
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest
from intervu_kit.devstack.config import DevSettings, Paths
from intervu_kit.devstack.procs import read_pid, stop_pid
from intervu_kit.devstack.stack import require_own_product_ports
from intervu_kit.settings import Environment
from intervu_kit.testing.keycloak import KeycloakAdmin
from intervu_kit.testing.product import start_product

from .harness import BASE, JobsView, Outcome, Person, new_person, recorded_answer, undo_leftovers

# How long a leased job's runner may stay silent before another takes the job over, for the run this suite starts
# (the defaults, 120 s media and 60 s transcription and feedback, would make each killed worker cost minutes).
LEASES = {
    "media-worker": ("INTERVU_MEDIA_JOB_LEASE_S", 15.0, 120.0),
    "transcription-worker": ("INTERVU_TRANSCRIPTION_JOB_LEASE_S", 15.0, 60.0),
    "feedback-worker": ("INTERVU_FEEDBACK_JOB_LEASE_S", 15.0, 60.0),
}


def ca_context() -> ssl.SSLContext:
    return ssl.create_default_context(cafile=str(Paths.caddy_root_ca()))


def _serving() -> bool:
    try:
        return httpx.get(f"{BASE}/api/accounts/readyz", verify=False, timeout=3).status_code == 200  # noqa: S501
    except httpx.HTTPError:
        return False


def _lease_of(worker: str, variable: str, default: float) -> float:
    """The lease the running worker was started with (its environment, else the .env file, else the default)."""
    pid = read_pid(worker)
    if pid is not None:
        try:
            environ = Path(f"/proc/{pid}/environ").read_bytes().split(b"\0")
        except OSError:
            environ = []
        for entry in environ:
            key, _, value = entry.decode(errors="replace").partition("=")
            if key == variable:
                return float(value)
    env_file = Paths.root / ".env"
    if env_file.exists():
        for line in env_file.read_text().splitlines():
            key, _, value = line.partition("=")
            if key.strip() == variable:
                return float(value.strip().strip('"'))
    return default


@dataclass
class Product:
    started_here: bool
    leases: dict[str, float]
    settings: DevSettings
    taken_over: set[str] = field(default_factory=set)  # infrastructure this suite restarted outside the supervisor


@pytest.fixture(scope="session")
def product() -> Iterator[Product]:
    settings = DevSettings(environment=Environment.DEVELOPMENT)
    undo_leftovers(settings)
    if _serving():
        require_own_product_ports(settings)  # this checkout's own `make run`, never another's
        leases = {w: _lease_of(w, var, default) for w, (var, _, default) in LEASES.items()}
        yield Product(False, leases, settings)
        return
    saved = {var: os.environ.get(var) for var, _, _ in LEASES.values()}
    for var, short, _ in LEASES.values():
        os.environ[var] = str(short)
    try:
        running = start_product()
    finally:
        for var, value in saved.items():
            if value is None:
                os.environ.pop(var, None)
            else:
                os.environ[var] = value
    here = Product(True, {w: short for w, (_, short, _) in LEASES.items()}, settings)
    try:
        yield here
    finally:
        running.stop()
        # What the run would have stopped had this suite not restarted it outside its supervisor.
        for name in here.taken_over:
            stop_pid(name, sig=2 if name == "postgres" else 15)


@pytest.fixture(scope="session")
async def http(product: Product) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(verify=ca_context(), timeout=30) as client:
        yield client


@pytest.fixture(scope="session")
async def keycloak(product: Product) -> AsyncIterator[KeycloakAdmin]:
    async with httpx.AsyncClient(timeout=30) as client:
        yield KeycloakAdmin(product.settings, client)


@pytest.fixture(scope="session")
async def people(http: httpx.AsyncClient, keycloak: KeycloakAdmin) -> AsyncIterator[Callable[..., Awaitable[Person]]]:
    """``await people()``: a new person, signed in, the privacy policy accepted; deleted at the end of the run."""
    made: list[Person] = []

    async def make(*, roles: tuple[str, ...] = ()) -> Person:
        person = await new_person(http, keycloak, roles=roles)
        made.append(person)
        return person

    yield make
    for person in made:
        await keycloak.delete_user(person.user.id)


@pytest.fixture(scope="session")
async def admin(people: Callable[..., Awaitable[Person]]) -> Person:
    """An operator: reads every service's parked events and jobs."""
    return await people(roles=("admin",))


@pytest.fixture(scope="session")
def media() -> bytes:
    return recorded_answer(Paths.local / "fault-media")


@pytest.fixture(scope="session")
def jobs(product: Product) -> JobsView:
    return JobsView(product.settings)


REPORT: list[Outcome] = []
STARTED = time.monotonic()


@pytest.fixture(scope="session")
def report() -> list[Outcome]:
    return REPORT


def table(rows: list[Outcome]) -> list[str]:
    head = ("fault", "answers", "recorded", "ready", "transcripts", "feedback", "stuck", "parked", "jobs re-run",
            "analytics", "inbox", "pushed", "recover s", "total s")  # fmt: skip
    lines = [head]
    for r in rows:
        lines.append(
            (
                r.fault,
                str(r.answers),
                str(r.recorded),
                str(r.ready),
                str(r.transcripts),
                str(r.feedback),
                str(len(r.stuck)),
                str(len(r.parked)),
                str(len(r.rerun)),
                str(r.analytics),
                str(r.inbox),
                "yes" if r.pushed else "no",
                "-" if r.recover_s is None else f"{r.recover_s:.0f}",
                f"{r.total_s:.0f}",
            )
        )
    widths = [max(len(row[i]) for row in lines) for i in range(len(head))]
    out = []
    for row in lines:
        cells = zip(row, widths, strict=True)
        out.append("  ".join(cell.ljust(w) if i == 0 else cell.rjust(w) for i, (cell, w) in enumerate(cells)))
    out.insert(1, "-" * len(out[0]))
    return out


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if not REPORT:
        return
    terminalreporter.section("faults: counts per fault")
    for line in table(REPORT):
        terminalreporter.write_line(line)
    for r in REPORT:
        details = [*r.notes, *(f"job run again: {t}" for t in r.rerun), *(f"job failed once: {t}" for t in r.retried)]
        details += [f"PROBLEM: {p}" for p in r.problems()]
        for d in details:
            terminalreporter.write_line(f"  {r.fault}: {d}")
    terminalreporter.write_line(f"fault suite: {time.monotonic() - STARTED:.0f} s in all")

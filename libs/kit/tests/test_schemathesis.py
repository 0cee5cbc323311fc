"""Every service's API under schemathesis (issue 15): requests generated from its OpenAPI document, valid and
invalid, sent as a real signed-in person; no answer may be a server error (5xx), and every answer must be one the
document declares (status code, content type, body schema).

Each service runs as its tests run it (its `app`, the test environment: test databases, Keycloak realm, NATS
stream), on a real socket with its lifespan running, and is driven by schemathesis's engine, the one behind
`st run`: the coverage phase (boundary and wrong-typed values of every parameter and body field), the fuzzing phase
(MAX_EXAMPLES generated cases per operation) and the stateful phase (a resource created, then read, changed and
deleted through the links between operations). The run is bounded and repeatable: one seed, deterministic
generation, no example database. Figures per service go to the terminal summary and to
.local/schemathesis/<service>.json.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
import traceback
from collections import Counter
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path

import httpx
import pytest
import schemathesis
from fastapi import FastAPI
from intervu_kit.logging import request_id_var
from intervu_kit.settings import LOCAL_DIR, REPO_ROOT, SERVICES, service_hook
from intervu_kit.testing.plugin import SignedIn
from intervu_kit.testing.servers import serve
from schemathesis.engine import Status, from_schema
from schemathesis.engine import events as st_events

SignIn = Callable[..., Awaitable[SignedIn]]

SEED = 20261207
# Per operation, for the fuzzing phase; the coverage and stateful phases add their own (bounded) cases.
MAX_EXAMPLES = 10
FIGURES_DIR = LOCAL_DIR / "schemathesis"

# A finding of these checks fails the test. The others (does a schema-valid request succeed, is a schema-invalid
# one refused, the Allow header, a method the document does not list...) are reported in the figures only: they
# flag the many business rules an OpenAPI document cannot express (an age limit, an endpoint URL that must be a
# known push service), so they are leads to read, not failures.
ENFORCED = (
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_schema_conformance",
    "response_headers_conformance",
    "ignored_auth",
)

# Answers the services give that their OpenAPI documents do not declare yet: (operation, status) -> the finding.
# Each is reported, not failed; an answer not listed here fails. Remove an entry once the operation declares it.
UNDOCUMENTED: dict[tuple[str, int], str] = {
    # issue 15: tus refuses a request without a supported Tus-Resumable header (412).
    ("POST /api/media/uploads/", 412): "media: 412 Tus-Resumable is undocumented",
    ("HEAD /api/media/uploads/{upload_id}", 412): "media: 412 Tus-Resumable is undocumented",
    ("PATCH /api/media/uploads/{upload_id}", 412): "media: 412 Tus-Resumable is undocumented",
    ("DELETE /api/media/uploads/{upload_id}", 412): "media: 412 Tus-Resumable is undocumented",
}


@dataclass
class Finding:
    check: str
    operation: str
    title: str
    status: int | None
    request: str  # a curl command, the access token filtered out
    answer: str  # the start of the response body
    message: str
    traceback: str | None = None  # for a 5xx: where the service raised, from its error log
    known: str | None = None  # the UNDOCUMENTED entry that covers it

    def describe(self) -> str:
        lines = [f"[{self.check}] {self.operation}: {self.title} ({self.status})", f"    {self.request}"]
        lines += [f"    {line}" for line in self.message.splitlines() if line.strip()]
        lines.append(f"    answer: {self.answer}")
        if self.traceback:
            lines.append(f"    raised: {self.traceback}")
        return "\n".join(lines)


@dataclass
class Figures:
    service: str
    operations: int  # in the OpenAPI document
    tested: int  # operations that got at least one request
    examples: int  # generated cases sent
    server_errors: int  # answers with a 5xx status
    seconds: float
    findings: dict[str, int] = field(default_factory=dict)  # failed checks, one per operation and kind
    details: list[Finding] = field(default_factory=list)

    def line(self) -> str:
        checks = ", ".join(f"{name} {count}" for name, count in sorted(self.findings.items())) or "none"
        known = sum(1 for finding in self.details if finding.known)
        return (
            f"{self.service:<14} {self.tested:>3}/{self.operations:<3} operations {self.examples:>5} examples "
            f"{self.server_errors:>3} server errors {self.seconds:>5.1f} s; findings: {checks}"
            + (f" ({known} known: UNDOCUMENTED)" if known else "")
        )


class _Summary:
    """A pytest plugin registered at run time: the figures of every service, at the end of the run."""

    def __init__(self) -> None:
        self.figures: dict[str, Figures] = {}

    def pytest_terminal_summary(self, terminalreporter: pytest.TerminalReporter) -> None:
        if not self.figures:
            return
        terminalreporter.section("schemathesis (issue 15)")
        for service in SERVICES:
            if service in self.figures:
                terminalreporter.write_line(self.figures[service].line())


@pytest.fixture(scope="session")
def summary(pytestconfig: pytest.Config) -> _Summary:
    plugin = _Summary()
    pytestconfig.pluginmanager.register(plugin, "intervu-schemathesis-summary")
    return plugin


def _relative(filename: str) -> str:
    path = Path(filename)
    return str(path.relative_to(REPO_ROOT)) if path.is_relative_to(REPO_ROOT) else filename


class _ServiceErrors(logging.Handler):
    """What the service logged at ERROR while it answered, by request id: where a 5xx was raised."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.by_request: dict[str, str] = {}

    def emit(self, record: logging.LogRecord) -> None:
        summary = record.getMessage()
        if record.exc_info and record.exc_info[1] is not None:
            exc = record.exc_info[1]
            frames = traceback.extract_tb(exc.__traceback__)
            ours = [f for f in frames if "/intervu_" in f.filename] or frames
            where = f"{_relative(ours[-1].filename)}:{ours[-1].lineno} in {ours[-1].name}: " if ours else ""
            summary = f"{where}{type(exc).__name__}: {exc}"
        self.by_request.setdefault(request_id_var.get() or "-", summary)


@contextmanager
def _quiet_service() -> Iterator[_ServiceErrors]:
    """Thousands of access-log lines would bury a failure's report: keep the service's errors only."""
    root = logging.getLogger()
    errors = _ServiceErrors()
    level = root.level
    root.setLevel(logging.WARNING)
    root.addHandler(errors)
    try:
        yield errors
    finally:
        root.removeHandler(errors)
        root.setLevel(level)


def _config(base_url: str, token: str) -> schemathesis.Config:
    return schemathesis.Config.from_dict(
        {
            "seed": SEED,
            "cache": {"enabled": False},  # no state from earlier runs: the same cases every time
            "base-url": base_url,
            "headers": {"Authorization": f"Bearer {token}"},
            "request-timeout": 30,
            "continue-on-failure": True,
            # The kit's guard refuses any NUL in the address or a body (400 nul_character, its own tests) before a
            # service sees the request: generated NULs would spend the examples on the guard.
            "generation": {
                "max-examples": MAX_EXAMPLES,
                "deterministic": True,
                "database": "none",
                "allow-x00": False,
            },
        }
    )


def _first(headers: dict[str, list[str]], name: str) -> str | None:
    values = headers.get(name)
    return values[0] if values else None


def _fuzz(service: str, server: str, token: str, errors: _ServiceErrors) -> Figures:
    started = time.monotonic()
    prefix = f"/api/{service}"
    schema = schemathesis.openapi.from_url(f"{server}{prefix}/openapi.json", config=_config(server, token))
    operations = sum(1 for _ in schema.get_all_operations())
    tested: set[str] = set()
    examples = server_errors = 0
    findings: dict[tuple[str, str, str, int | None], Finding] = {}
    fatal: list[str] = []
    for event in from_schema(schema).execute():
        if isinstance(event, st_events.FatalError):
            fatal.append(f"{type(event.exception).__name__}: {event.exception}")
        elif isinstance(event, st_events.NonFatalError):
            fatal.append(f"{event.label}: {event.value!r}")
        if not isinstance(event, st_events.ScenarioFinished) or not event.is_test_scenario:
            continue
        recorder = event.recorder
        examples += len(recorder.cases)
        tested.update(node.value.operation.label for node in recorder.cases.values())
        server_errors += sum(
            1 for i in recorder.interactions.values() if i.response is not None and i.response.status_code >= 500
        )
        for case_id, checks in recorder.checks.items():
            for check in checks:
                if check.status != Status.FAILURE or check.failure_info is None:
                    continue
                failure = check.failure_info.failure
                operation = failure.operation or recorder.label
                answered = recorder.interactions.get(failure.case_id or case_id)
                response = answered.response if answered is not None else None
                status = response.status_code if response is not None else None
                key = (check.name, operation, failure.title, status)
                if key in findings:
                    continue
                raised = None
                if response is not None and status is not None and status >= 500:
                    raised = errors.by_request.get(_first(response.headers, "x-request-id") or "-")
                known = UNDOCUMENTED.get((operation, status)) if status is not None else None
                findings[key] = Finding(
                    check=check.name,
                    operation=operation,
                    title=failure.title,
                    status=status,
                    request=check.failure_info.code_sample,
                    answer=response.content[:300].decode(errors="replace") if response is not None else "",
                    message=failure.message,
                    traceback=raised,
                    known=known if check.name == "status_code_conformance" else None,
                )
    assert not fatal, f"{service}: schemathesis could not run: " + "; ".join(fatal)
    counts = Counter(f.check for f in findings.values())
    return Figures(
        service=service,
        operations=operations,
        tested=len(tested),
        examples=examples,
        server_errors=server_errors,
        seconds=round(time.monotonic() - started, 1),
        findings=dict(sorted(counts.items())),
        details=sorted(findings.values(), key=lambda f: (f.check, f.operation, f.status or 0)),
    )


async def _ready(server: str, service: str) -> None:
    # The broker connection is made in the background at start-up: /readyz answers 503 until it is up.
    async with httpx.AsyncClient(base_url=server) as client:
        for _ in range(100):
            if (await client.get(f"/api/{service}/readyz")).status_code == 200:
                return
            await asyncio.sleep(0.1)
    raise AssertionError(f"{service} was not ready in 10 s")


def _app(service: str) -> FastAPI:
    main = service_hook(service, "main")
    assert main is not None, service
    app: FastAPI = main.app
    return app


@pytest.mark.parametrize("service", SERVICES)
async def test_the_api_gives_no_server_error_and_only_documented_answers(
    service: str, sign_in: SignIn, summary: _Summary
) -> None:
    me = await sign_in()
    with serve(_app(service)) as server:
        await _ready(server, service)
        with _quiet_service() as errors:
            figures = await asyncio.to_thread(_fuzz, service, server, me.token, errors)
    summary.figures[service] = figures
    FIGURES_DIR.mkdir(parents=True, exist_ok=True)
    (FIGURES_DIR / f"{service}.json").write_text(json.dumps(asdict(figures), indent=2, default=str) + "\n")
    print(figures.line())
    failed = [f for f in figures.details if f.check in ENFORCED and f.known is None]
    assert not failed, f"{service}: {len(failed)} findings:\n" + "\n".join(f.describe() for f in failed)
    assert figures.server_errors == 0, f"{service}: {figures.server_errors} answers were server errors"

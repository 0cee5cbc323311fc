"""NATS users and their permissions (devstack/nats.py, deploy/nats), against a real nats-server.

The permission tables must say what the code does: each service publishes exactly the events it produces and reads
exactly those it consumes. The server must then refuse anyone without credentials, a service publishing an event it
does not own (notifications publishing a deletion request), reading events it does not consume, or touching the
stream, while every service's own traffic goes through, with the credentials the kit takes from its settings.

The refusals are tested on a private nats-server started with the development configuration (the very file the dev
stack uses), so the development stream of the shared server never sees these probes.
"""

from __future__ import annotations

import ast
import asyncio
import shutil
import subprocess
import sys
import uuid
from collections.abc import AsyncIterator, Iterator
from typing import Any

import nats
import pytest
from intervu_contracts import Event, EventEnvelope, event_class, registered_events
from intervu_kit.db import Database
from intervu_kit.devstack.config import DevSettings
from intervu_kit.devstack.nats import (
    CONSUMES,
    DEVELOPMENT_FILE,
    PREFIX,
    PRODUCES,
    PRODUCTION_FILE,
    STREAM,
    TEST_PREFIX,
    TEST_STREAM,
)
from intervu_kit.devstack.procs import Component, http_ok
from intervu_kit.devstack.stack import nats_passwords
from intervu_kit.events import EventConsumer, connect_jetstream, ensure_stream, subject_for
from intervu_kit.events.broker import inbox_prefix, split_credentials
from intervu_kit.settings import NATS_TEST_USER, REPO_ROOT, SERVICES, Environment, KitSettings
from nats.aio.client import Client
from nats.js import JetStreamContext
from nats.js.api import ConsumerConfig

pytestmark = pytest.mark.slow  # models or servers of its own: `make test`, not `make test-unit`

PORT, MONITOR = 14335, 18335
URL = f"nats://127.0.0.1:{PORT}"


# --- the tables say what the code does ------------------------------------------------------------------------


def _event_names(node: ast.AST) -> set[str]:
    """Contract event classes named in an expression (``UserDataDeleted`` or ``UserDataDeleted(...)``)."""
    classes = {cls.__name__: name for name, cls in registered_events().items()}
    return {classes[n.id] for n in ast.walk(node) if isinstance(n, ast.Name) and n.id in classes}


def _traffic_in_code(service: str) -> tuple[set[str], set[str]]:
    """What ``service``'s own code publishes and consumes, plus what the kit's shared handlers add: the consent copy
    (``consent_registrar``) and the privacy handlers of every service that declares ``USER_DATA``.

    Published: every contract event the code constructs (``SomeEvent(...)``: events are made to be published, often
    into a variable first) or names in a ``publish(...)`` call. Consumed: every ``consumer.on(SomeEvent)``."""
    classes = {cls.__name__: name for name, cls in registered_events().items()}
    produces: set[str] = set()
    consumes: set[str] = set()
    source = REPO_ROOT / "services" / service / "src"
    for path in source.rglob("*.py"):
        if path.name == "bench.py":  # benchmarks hand made-up events straight to the handlers (`make bench`)
            continue
        tree = ast.parse(path.read_text(), str(path))
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            func = node.func
            if isinstance(func, ast.Name) and func.id in classes:
                produces.add(classes[func.id])
            elif isinstance(func, ast.Name) and func.id == "publish":
                for arg in node.args[2:]:
                    produces |= _event_names(arg)
            elif isinstance(func, ast.Attribute) and func.attr == "on" and node.args:
                consumes |= _event_names(node.args[0])
            elif isinstance(func, ast.Name) and func.id == "consent_registrar":
                consumes.add("accounts.consent_changed.v1")
    privacy = source / f"intervu_{service}" / "privacy.py"
    if privacy.exists() and "USER_DATA =" in privacy.read_text():
        consumes |= {"accounts.user_export_requested.v1", "accounts.user_deletion_requested.v1"}
        produces |= {"privacy.user_data_exported.v1", "privacy.user_data_deleted.v1"}
    return produces, consumes


@pytest.mark.parametrize("service", SERVICES)
def test_each_services_permissions_are_what_its_code_publishes_and_consumes(service: str) -> None:
    produces, consumes = _traffic_in_code(service)
    assert {e.event_name for e in PRODUCES[service]} == produces, "update PRODUCES in devstack/nats.py"
    assert {e.event_name for e in CONSUMES[service]} == consumes, "update CONSUMES in devstack/nats.py"


def test_nats_files_are_generated_from_devstack_nats_py() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "intervu_kit.devstack.nats", "--check"],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr


def test_production_has_no_test_user_and_no_password_in_the_files() -> None:
    production = PRODUCTION_FILE.read_text()
    assert f'user: "{NATS_TEST_USER}"' not in production
    assert f'user: "{NATS_TEST_USER}"' in DEVELOPMENT_FILE.read_text()
    for text in (production, DEVELOPMENT_FILE.read_text()):
        assert "dev-password" not in text
        assert text.count("\n      password: $INTERVU_") == text.count("\n      user: ") >= len(SERVICES)


def test_settings_carry_each_services_own_nats_user() -> None:
    media = KitSettings(service_name="media", environment=Environment.DEVELOPMENT, _env_file=None)
    assert split_credentials(media.nats_url)[1:] == ("media", media.nats_password.get_secret_value())
    assert media.nats_password.get_secret_value() not in repr(media)
    tests = KitSettings(service_name="media", environment=Environment.TEST, _env_file=None)
    assert split_credentials(tests.nats_url)[1] == NATS_TEST_USER
    assert (tests.events_stream, tests.events_subject_prefix) == (TEST_STREAM, TEST_PREFIX)


# --- a private nats-server with the development configuration -------------------------------------------------


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    store = tmp_path_factory.mktemp("nats-permissions")
    component = Component(
        name="nats-permissions-test",
        argv=[
            shutil.which("nats-server") or "nats-server",
            "-c",
            str(DEVELOPMENT_FILE),
            "-a",
            "127.0.0.1",
            "-p",
            str(PORT),
            "-m",
            str(MONITOR),
            "-js",
            "-sd",
            str(store),
        ],
        env=nats_passwords(),
        ready=lambda: http_ok(f"http://127.0.0.1:{MONITOR}/healthz?js-enabled-only=true"),
    )
    component.start()
    try:
        for _ in range(100):
            if component.ready():
                break
            subprocess.run(["sleep", "0.1"], check=True)
        assert component.ready(), "the private nats-server did not start"
        yield URL
    finally:
        component.stop()


def _settings(user: str) -> KitSettings:
    """The settings a process connecting as ``user`` has (the test user's are any service's in the test environment),
    pointed at the private server."""
    environment = Environment.TEST if user == NATS_TEST_USER else Environment.DEVELOPMENT
    return KitSettings(service_name="kit" if user == NATS_TEST_USER else user, environment=environment, nats_url=URL)


class Probe:
    """A raw connection that records the server's refusals (they arrive asynchronously, as errors)."""

    def __init__(self) -> None:
        self.errors: list[str] = []
        self.nc: Client | None = None

    async def connect(self, url: str, user: str | None, password: str | None = None) -> JetStreamContext:
        async def on_error(exc: Exception) -> None:
            self.errors.append(str(exc).lower())

        self.nc = await nats.connect(
            url,
            user=user,
            password=password,
            inbox_prefix=inbox_prefix(user),
            error_cb=on_error,
            allow_reconnect=False,
            max_reconnect_attempts=0,
            connect_timeout=2,
        )
        return self.nc.jetstream(timeout=1.5)

    async def refused(self, what: str, subject: str) -> bool:
        """Whether the server reported a permissions violation for ``what`` ("publish", "subscription") to
        ``subject`` (lowercased by the client's error text)."""
        for _ in range(30):
            if any(f'permissions violation for {what} to "{subject.lower()}"' in e for e in self.errors):
                return True
            await asyncio.sleep(0.05)
        return False


@pytest.fixture
async def probe() -> AsyncIterator[Probe]:
    p = Probe()
    yield p
    if p.nc is not None and not p.nc.is_closed:
        await p.nc.close()


async def _as(user: str) -> tuple[Client, JetStreamContext]:
    """The kit's own connection for ``user``: credentials from its settings, through events.broker."""
    return await connect_jetstream(_settings(user).nats_url, name=f"permissions-test-{user}")


def _envelope(event: type[Event], producer: str) -> bytes:
    return (
        EventEnvelope(name=event.event_name, producer=producer, data={"probe": uuid.uuid4().hex})
        .model_dump_json()
        .encode()
    )


async def _stream_messages(js: JetStreamContext, stream: str = STREAM) -> int:
    return int((await js.stream_info(stream)).state.messages)


# --- refusals ---------------------------------------------------------------------------------------------------


async def test_a_connection_without_credentials_or_with_a_wrong_password_is_refused(server: str, probe: Probe) -> None:
    with pytest.raises(nats.errors.Error, match="Authorization Violation"):
        await Probe().connect(server, None)
    with pytest.raises(nats.errors.Error, match="Authorization Violation"):
        await Probe().connect(server, "notifications", "not-its-password")
    # A service's password is only its own: media's does not open accounts.
    media = _settings("media").nats_password.get_secret_value()
    with pytest.raises(nats.errors.Error, match="Authorization Violation"):
        await Probe().connect(server, "accounts", media)


async def test_the_dev_stacks_own_nats_refuses_anonymous_connections(infra: DevSettings) -> None:
    servers, _, _ = split_credentials(infra.nats_url)
    with pytest.raises(nats.errors.Error, match="Authorization Violation"):
        await Probe().connect(servers[0], None)
    nc, js = await connect_jetstream(infra.nats_url, name="permissions-test-infra")  # the test user's settings
    try:
        await ensure_stream(js, infra.events_stream, infra.events_subject_prefix)
    finally:
        await nc.close()


async def test_notifications_cannot_publish_a_deletion_request(server: str, probe: Probe) -> None:
    nc, js = await _as("accounts")  # the owner makes sure the stream exists
    await ensure_stream(js, STREAM, PREFIX)
    before = await _stream_messages(js)
    await nc.close()

    settings = _settings("notifications")
    _, user, password = split_credentials(settings.nats_url)
    forged = subject_for("accounts.user_deletion_requested.v1")
    probe_js = await probe.connect(server, user, password)
    with pytest.raises(nats.errors.TimeoutError):  # the server drops it: no stream ever acknowledges it
        await probe_js.publish(forged, b"{}", stream=STREAM)
    assert await probe.refused("publish", forged)
    # Nor outside JetStream, nor under the test prefix, nor anything else it does not produce.
    for subject in (subject_for("media.recording_uploaded.v1"), TEST_PREFIX + "accounts.user_deletion_requested.v1"):
        assert probe.nc is not None
        await probe.nc.publish(subject, b"{}")
        await probe.nc.flush()
        assert await probe.refused("publish", subject)

    nc, js = await _as("accounts")
    try:
        assert await _stream_messages(js) == before
    finally:
        await nc.close()


async def test_a_service_cannot_read_what_it_does_not_consume_nor_touch_the_stream(server: str, probe: Probe) -> None:
    nc, js = await _as("accounts")
    await ensure_stream(js, STREAM, PREFIX)
    await nc.close()
    _, user, password = split_credentials(_settings("notifications").nats_url)
    probe_js = await probe.connect(server, user, password)

    # A consumer on an event notifications does not consume, under a name of its own...
    foreign = subject_for("media.recording_uploaded.v1")
    with pytest.raises(nats.errors.TimeoutError):
        await probe_js.add_consumer(
            STREAM, ConsumerConfig(name="notifications__media_recording_uploaded_v1", filter_subject=foreign)
        )
    # ...or under the name of one it does consume, with the foreign filter.
    with pytest.raises(nats.errors.TimeoutError):
        await probe_js.add_consumer(
            STREAM, ConsumerConfig(name="notifications__feedback_completed_v1", filter_subject=foreign)
        )
    assert await probe.refused(
        "publish", f"$JS.API.CONSUMER.CREATE.{STREAM}.notifications__feedback_completed_v1.{foreign}"
    )
    # No reading messages straight from the stream, no deleting or purging it.
    for attempt, subject in (
        (probe_js.get_msg(STREAM, 1), f"$JS.API.STREAM.MSG.GET.{STREAM}"),
        (probe_js.purge_stream(STREAM), f"$JS.API.STREAM.PURGE.{STREAM}"),
        (probe_js.delete_stream(STREAM), f"$JS.API.STREAM.DELETE.{STREAM}"),
    ):
        with pytest.raises(nats.errors.TimeoutError):
            await attempt
        assert await probe.refused("publish", subject)
    # No listening to events, nor to the replies the broker sends other users.
    assert probe.nc is not None
    for subject in ("events.>", "_INBOX.>", "_INBOX.accounts.>"):
        await probe.nc.subscribe(subject)
        await probe.nc.flush()
        assert await probe.refused("subscription", subject)


async def test_the_test_user_stays_on_the_test_stream(server: str, probe: Probe) -> None:
    nc, js = await _as("accounts")
    await ensure_stream(js, STREAM, PREFIX)
    await nc.close()
    _, user, password = split_credentials(_settings(NATS_TEST_USER).nats_url)
    probe_js = await probe.connect(server, user, password)
    await ensure_stream(probe_js, TEST_STREAM, TEST_PREFIX)
    ack = await probe_js.publish(TEST_PREFIX + "accounts.user_deletion_requested.v1", b"{}", stream=TEST_STREAM)
    assert ack.stream == TEST_STREAM
    dev = subject_for("accounts.user_deletion_requested.v1")
    with pytest.raises(nats.errors.TimeoutError):
        await probe_js.publish(dev, b"{}", stream=STREAM)
    assert await probe.refused("publish", dev)
    with pytest.raises(nats.errors.TimeoutError):
        await probe_js.add_consumer(STREAM, ConsumerConfig(name=f"tests-{uuid.uuid4().hex[:6]}", filter_subject=dev))


# --- what each service needs works -----------------------------------------------------------------------------


def _producer(event: type[Event]) -> str:
    return next(s for s in SERVICES if event in PRODUCES[s])


@pytest.mark.parametrize("service", SERVICES)
async def test_each_service_publishes_and_consumes_its_own_events(server: str, service: str) -> None:
    """Through the kit's own code: the connection from the service's settings, the stream check every relay and
    consumer makes, JetStream publishes as the relay makes them, and the durable consumers its worker subscribes."""
    nc, js = await _as(service)
    connections = [nc]
    try:
        await ensure_stream(js, STREAM, PREFIX)
        for event in PRODUCES[service]:
            ack = await js.publish(
                subject_for(event.event_name),
                _envelope(event, service),
                stream=STREAM,
                headers={"Nats-Msg-Id": uuid.uuid4().hex},
            )
            assert ack.stream == STREAM

        consumer = EventConsumer(None, None, service=service, nats_url=server, stream=STREAM)  # type: ignore[arg-type]

        async def ignore(*_: Any) -> None:
            return None

        for event in CONSUMES[service]:
            consumer.on(event)(ignore)
        for sub in consumer._subs:
            # Something to read: the event as its producer publishes it.
            producer_nc, producer_js = await _as(_producer(sub.event_cls))
            connections.append(producer_nc)
            await producer_js.publish(
                subject_for(sub.event_cls.event_name), _envelope(sub.event_cls, "probe"), stream=STREAM
            )
            pull = await consumer._subscribe(js, sub)
            messages = await pull.fetch(batch=1, timeout=5)
            assert messages and messages[0].subject == subject_for(sub.event_cls.event_name)
            await messages[0].ack_sync()
    finally:
        for connection in connections:
            await connection.close()


async def test_an_outbox_row_the_broker_refuses_by_permission_is_parked_not_retried_for_ever(
    server: str, kit_db: Database
) -> None:
    """A refused publish only times out (the refusal arrives on the side): the relay took it for an outage and
    retried that row for ever, stalling every event behind it. Now the server's permissions violation is read and
    the row counts its attempts and is parked like any poison row."""
    from datetime import UTC, datetime

    import sqlalchemy as sa
    from intervu_kit.events import OutboxRelay

    from .conftest import TABLES

    outbox, parked = TABLES.outbox, TABLES.parked
    row_id = uuid.uuid4()
    name = "accounts.user_deletion_requested.v1"  # not a notifications event: its NATS user may not publish it
    envelope = EventEnvelope.model_validate_json(_envelope(event_class(name), "notifications"))
    async with kit_db.transaction() as session:
        await session.execute(
            sa.insert(outbox).values(
                id=row_id,
                name=name,
                envelope=envelope.model_dump(mode="json"),
                created_at=datetime(2000, 1, 1, tzinfo=UTC),  # the oldest: the one-row batches below take it
            )
        )
    relay = OutboxRelay(
        kit_db,
        outbox,
        nats_url=_settings("notifications").nats_url,
        stream=STREAM,
        subject_prefix=PREFIX,
        name="notifications-permissions-test",
        batch_size=1,
        max_attempts=2,
        parked=parked,
    )
    try:
        for _ in range(2):
            await relay.publish_pending()  # no TimeoutError escapes: the row is this row's problem
        async with kit_db.transaction() as session:
            row = (await session.execute(sa.select(outbox).where(outbox.c.id == row_id))).one()
            held = await session.scalar(sa.select(sa.func.count()).where(parked.c.event_id == row_id))
        assert row.published_at is None and row.attempts == 2
        assert "refused" in (row.last_error or "") and held == 1
    finally:
        await relay._reset()
        async with kit_db.transaction() as session:
            await session.execute(sa.delete(outbox).where(outbox.c.id == row_id))
            await session.execute(sa.delete(parked).where(parked.c.event_id == row_id))

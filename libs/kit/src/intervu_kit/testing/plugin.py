"""Pytest plugin (enabled in pyproject's addopts) shared by every service's tests.

Tests run against the real stack: the ``infra`` fixture starts PostgreSQL, NATS, MinIO and Keycloak when they
are not running (so ``pytest services/media`` works on its own) and applies every service's migrations to its
test database.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass

import httpx
import pytest
from fastapi import FastAPI

from intervu_kit.devstack.config import DevSettings
from intervu_kit.devstack.procs import Progress
from intervu_kit.settings import Environment
from intervu_kit.testing.keycloak import KeycloakAdmin, KeycloakUser

__all__ = ["KeycloakAdmin", "KeycloakUser", "SignedIn", "running_app"]


def _use_test_environment() -> None:
    # Services read their settings at import: point them at their test databases before anything imports them.
    os.environ["INTERVU_ENVIRONMENT"] = Environment.TEST.value


@pytest.hookimpl(tryfirst=True)
def pytest_load_initial_conftests(early_config: pytest.Config, parser: pytest.Parser, args: list[str]) -> None:
    # Before the conftests of the paths on the command line: `pytest services/interviews/tests/test_x.py` imports
    # that folder's conftest (and the service's settings) before pytest_configure runs. Seen: such a run wrote to
    # the development databases and published to the development stream.
    _use_test_environment()


def pytest_configure(config: pytest.Config) -> None:
    _use_test_environment()
    config.addinivalue_line(
        "markers", "infra: needs the development infrastructure without asking for the `infra` fixture by name"
    )
    config.addinivalue_line(
        "markers",
        "slow: needs nothing running but takes seconds (a model, a server of its own): not in `make test-unit`",
    )


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--unit",
        action="store_true",
        help="only the pure tests (no `infra` fixture, no `infra` marker): `make test-unit`, seconds, nothing started",
    )


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """`--unit`: keep the quick tests that need nothing running (scoring, fillers, STAR, ranking, headers, tokens...).
    A test needs the infrastructure when its fixtures reach `infra` or it is marked `infra`; one that connects some
    other way and is not marked fails under `make test-unit` with infrastructure down, which is how it is found.
    Tests marked `slow` (a model loaded, a server of their own) stay for `make test`."""
    if not config.getoption("--unit"):
        return
    keep: list[pytest.Item] = []
    drop: list[pytest.Item] = []
    for item in items:
        marked = item.get_closest_marker("infra") is not None or item.get_closest_marker("slow") is not None
        needs = "infra" in getattr(item, "fixturenames", ()) or marked
        (drop if needs else keep).append(item)
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep


def pytest_collection_finish(session: pytest.Session) -> None:
    """Refuse to run when any service's settings were read outside the test environment."""
    import sys

    from intervu_kit.settings import SERVICES

    for service in SERVICES:
        config = sys.modules.get(f"intervu_{service}.config")
        if config is None:
            continue
        environment = config.get_settings().environment
        if environment is not Environment.TEST:
            raise pytest.UsageError(f"{service}'s settings were read with environment {environment.value}, not test")


@pytest.fixture(scope="session")
def dev_settings() -> DevSettings:
    return DevSettings(environment=Environment.TEST)


@pytest.fixture(scope="session")
def infra(dev_settings: DevSettings) -> DevSettings:
    from intervu_kit.devstack.cli import migrate
    from intervu_kit.devstack.stack import up_infra

    up_infra(dev_settings, Progress())
    migrate(Progress(), (Environment.TEST,))
    return dev_settings


@contextlib.asynccontextmanager
async def running_app(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    """An in-process client with the app's lifespan (database pool, verifier, broker) running."""
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            yield client


@pytest.fixture(scope="session")
async def keycloak(infra: DevSettings) -> AsyncIterator[KeycloakAdmin]:
    async with httpx.AsyncClient(timeout=10) as client:
        yield KeycloakAdmin(infra, client)


@pytest.fixture
async def make_user(keycloak: KeycloakAdmin) -> AsyncIterator[Callable[..., Awaitable[KeycloakUser]]]:
    """Create Keycloak users for one test; they are deleted afterwards."""
    created: list[KeycloakUser] = []

    async def make(*, roles: tuple[str, ...] = (), policy_version: int | None = 1) -> KeycloakUser:
        user = await keycloak.create_user(roles=roles, policy_version=policy_version)
        created.append(user)
        return user

    yield make
    for user in created:
        await keycloak.delete_user(user.id)


@dataclass(frozen=True)
class SignedIn:
    """A real Keycloak user with a real access token, ready for API calls."""

    user: KeycloakUser
    token: str

    @property
    def id(self) -> str:
        return self.user.id

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


@pytest.fixture
async def sign_in(
    keycloak: KeycloakAdmin, make_user: Callable[..., Awaitable[KeycloakUser]]
) -> Callable[..., Awaitable[SignedIn]]:
    """``await sign_in()`` (or ``sign_in(roles=("admin",))``): a new user who accepted the privacy policy, signed in
    (``sign_in(policy_version=None)``: one who never accepted it)."""

    async def make(*, roles: tuple[str, ...] = (), policy_version: int | None = 1) -> SignedIn:
        user = await make_user(roles=roles, policy_version=policy_version)
        return SignedIn(user=user, token=await keycloak.password_token(user))

    return make

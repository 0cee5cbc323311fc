"""Readiness tells the truth when a dependency is down."""

from __future__ import annotations

from intervu_kit.app import create_service_app
from intervu_kit.devstack.config import DevSettings
from intervu_kit.testing.plugin import running_app

from .conftest import TABLES, kit_settings


async def test_readyz_is_503_and_names_the_broker_when_nats_is_unreachable(infra: DevSettings) -> None:
    settings = kit_settings(nats_url="nats://127.0.0.1:1")  # nothing listens there
    app = create_service_app(settings, tables=TABLES, title="kit test")
    async with running_app(app) as client:
        assert (await client.get("/healthz")).status_code == 200  # alive, just not ready
        response = await client.get("/readyz")
        assert response.status_code == 503
        body = response.json()
        assert body["status"] == "not_ready"
        assert body["checks"]["broker"]["status"] == "error"
        assert body["checks"]["database"]["status"] == "ok"


async def test_readyz_names_the_database_when_postgres_refuses(infra: DevSettings) -> None:
    from pydantic import SecretStr

    settings = kit_settings(db_password=SecretStr("wrong-password"))
    app = create_service_app(settings, tables=TABLES, title="kit test")
    async with running_app(app) as client:
        response = await client.get("/readyz")
        assert response.status_code == 503
        assert response.json()["checks"]["database"]["status"] == "error"

"""Checks every service's skeleton must pass (each service's tests call this with its own app)."""

from __future__ import annotations

import asyncio

import asyncpg
from alembic.script import ScriptDirectory
from fastapi import FastAPI

from intervu_kit.migrations import alembic_config
from intervu_kit.settings import REPO_ROOT, KitSettings
from intervu_kit.testing.asserts import assert_error
from intervu_kit.testing.plugin import running_app


async def assert_service_skeleton(app: FastAPI, settings: KitSettings) -> None:
    name = settings.service_name
    async with running_app(app) as client:
        assert (await client.get("/healthz")).json() == {"status": "ok", "service": name}
        # The broker connection is made in the background at start-up: give it a moment.
        for _ in range(50):
            ready = await client.get(f"/api/{name}/readyz")
            if ready.status_code == 200:
                break
            await asyncio.sleep(0.1)
        assert ready.status_code == 200, ready.text
        assert {k: v["status"] for k, v in ready.json()["checks"].items()} == {
            "database": "ok",
            "broker": "ok",
            "storage": "ok",
        }

        openapi = (await client.get(f"/api/{name}/openapi.json")).json()
        assert openapi["info"]["title"] == f"Intervu {name}"
        assert f"/api/{name}/healthz" in openapi["paths"]
        assert "ErrorResponse" in openapi["components"]["schemas"]
        assert (await client.get(f"/api/{name}/docs")).status_code == 200

        assert_error(await client.get(f"/api/{name}/admin/parked-events"), 401, "token_missing")
        assert_error(await client.get(f"/api/{name}/no-such-thing"), 404, "not_found")

    # Migrations: the database is at the newest revision of the service's own migration tree.
    script = ScriptDirectory.from_config(alembic_config(REPO_ROOT / "services" / name, settings.sqlalchemy_url))
    conn = await asyncpg.connect(settings.sqlalchemy_url.replace("+asyncpg", ""))
    try:
        current = await conn.fetchval("SELECT version_num FROM alembic_version")
    finally:
        await conn.close()
    assert current == script.get_current_head()

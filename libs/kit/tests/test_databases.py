"""Each service has its own database and role; no role can read another service's database."""

from __future__ import annotations

import asyncpg
import pytest
from intervu_kit.devstack.config import DevSettings
from intervu_kit.settings import SERVICES


async def _connect(infra: DevSettings, role: str, database: str) -> asyncpg.Connection:
    return await asyncpg.connect(
        host="127.0.0.1",
        port=infra.pg_port,
        user=role,
        database=database,
        password=infra.db_password.get_secret_value(),
        timeout=5,
    )


@pytest.mark.parametrize("service", SERVICES)
async def test_a_service_role_reads_its_own_tables(infra: DevSettings, service: str) -> None:
    conn = await _connect(infra, f"intervu_{service}", f"intervu_{service}_test")
    try:
        assert await conn.fetchval("SELECT count(*) >= 0 FROM outbox") is True
    finally:
        await conn.close()


@pytest.mark.parametrize(
    ("role_of", "database_of"),
    [
        ("accounts", "media"),
        ("media", "accounts"),
        ("feedback", "transcription"),
        ("notifications", "interviews"),
    ],
)
async def test_a_service_role_cannot_reach_another_service_database(
    infra: DevSettings, role_of: str, database_of: str
) -> None:
    for suffix in ("", "_test"):
        with pytest.raises(asyncpg.InsufficientPrivilegeError, match="permission denied for database"):
            await _connect(infra, f"intervu_{role_of}", f"intervu_{database_of}{suffix}")


async def test_the_keycloak_database_is_closed_to_services(infra: DevSettings) -> None:
    with pytest.raises(asyncpg.InsufficientPrivilegeError):
        await _connect(infra, "intervu_accounts", "keycloak")

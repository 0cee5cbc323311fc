"""The FastAPI application every service is built from.

A service passes its settings, its routers and its event tables; the kit adds the request context, the
error shape, ``/healthz`` (alive) and ``/readyz`` (database, broker and storage reachable), the admin view of
parked events, and the lifespan that owns the database pool, the token verifier, storage and the broker
connection.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Annotated, Any, Literal

import sqlalchemy as sa
from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.responses import JSONResponse
from nats.aio.client import Client
from pydantic import BaseModel

from intervu_kit.auth import JwksCache, TokenVerifier, User, require_role
from intervu_kit.db import Database, SessionDep
from intervu_kit.errors import ErrorResponse, install_error_handlers
from intervu_kit.events.broker import connect_jetstream
from intervu_kit.events.tables import EventTables
from intervu_kit.guard import RequestGuardMiddleware
from intervu_kit.jobs import JobOut, jobs_needing_attention
from intervu_kit.logging import configure_logging
from intervu_kit.middleware import RequestContextMiddleware
from intervu_kit.settings import KitSettings
from intervu_kit.storage import Storage, storage_from_settings

log = logging.getLogger(__name__)

ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    status: {"model": ErrorResponse, "description": description}
    for status, description in (
        (400, "Bad request"),
        (401, "Missing or invalid access token"),
        (403, "Forbidden"),
        (404, "Not found"),
        (409, "Conflict with the current state"),
        (413, "Request body too large"),
        (422, "Validation error"),
        (429, "Too many requests"),
        (500, "Internal error"),
    )
}


@dataclass
class KitState:
    settings: KitSettings
    db: Database
    verifier: TokenVerifier
    storage: Storage
    tables: EventTables
    jobs: sa.Table | None = None
    nats: Client | None = None
    _tasks: list[asyncio.Task[Any]] = field(default_factory=list)


class Check(BaseModel):
    status: Literal["ok", "error"]
    error: str | None = None


class Readiness(BaseModel):
    status: Literal["ready", "not_ready"]
    service: str
    checks: dict[str, Check]


class Health(BaseModel):
    status: Literal["ok"]
    service: str


class ParkedEvent(BaseModel):
    id: int
    event_id: str | None
    consumer: str
    subject: str
    error: str
    attempts: int
    parked_at: datetime
    payload: str


async def _check(name: str, probe: Any, timeout_s: float = 2.0) -> tuple[str, Check]:
    try:
        await asyncio.wait_for(probe(), timeout=timeout_s)
        return name, Check(status="ok")
    except Exception as exc:
        return name, Check(status="error", error=f"{type(exc).__name__}: {exc}"[:300])


def _health_router(service: str) -> APIRouter:
    router = APIRouter(tags=["health"])

    @router.get("/healthz", response_model=Health)
    async def healthz() -> Health:
        """Alive: the process answers. Says nothing about dependencies (see ``/readyz``)."""
        return Health(status="ok", service=service)

    @router.get("/readyz", response_model=Readiness, responses={503: {"model": Readiness}})
    async def readyz(request: Request) -> JSONResponse:
        """Ready: the service's database, the broker and object storage are reachable."""
        kit: KitState = request.app.state.kit

        async def broker() -> None:
            if kit.nats is None or not kit.nats.is_connected:
                raise ConnectionError("not connected to NATS")
            await kit.nats.flush(timeout=1)

        checks = dict(
            await asyncio.gather(
                _check("database", kit.db.ping), _check("broker", broker), _check("storage", kit.storage.ping)
            )
        )
        ready = all(c.status == "ok" for c in checks.values())
        body = Readiness(status="ready" if ready else "not_ready", service=service, checks=checks)
        return JSONResponse(body.model_dump(mode="json"), status_code=200 if ready else 503)

    return router


def _admin_router() -> APIRouter:
    router = APIRouter(prefix="/admin", tags=["admin"], responses=ERROR_RESPONSES)

    @router.get("/parked-events", response_model=list[ParkedEvent])
    async def parked_events(
        request: Request, session: SessionDep, _: Annotated[User, Depends(require_role("admin"))]
    ) -> list[ParkedEvent]:
        """Events this service's consumers gave up on, newest first, with the error that stopped them."""
        parked = request.app.state.kit.tables.parked
        rows = (await session.execute(sa.select(parked).order_by(parked.c.id.desc()).limit(200))).all()
        return [
            ParkedEvent(
                id=r.id,
                event_id=str(r.event_id) if r.event_id else None,
                consumer=r.consumer,
                subject=r.subject,
                error=r.error,
                attempts=r.attempts,
                parked_at=r.parked_at,
                payload=r.payload,
            )
            for r in rows
        ]

    @router.get("/jobs", response_model=list[JobOut])
    async def jobs(
        request: Request, session: SessionDep, _: Annotated[User, Depends(require_role("admin"))]
    ) -> list[JobOut]:
        """This service's long jobs that were parked or failed at least once, newest first, with their last error
        (empty for a service without jobs)."""
        table = request.app.state.kit.jobs
        if table is None:
            return []
        return await jobs_needing_attention(session, table)

    return router


async def _keep_nats(state: KitState) -> None:
    """Connect to the broker in the background so a service starts (not ready) while NATS is down."""
    delay = 0.5
    while True:
        try:
            state.nats, _ = await connect_jetstream(state.settings.nats_url, name=f"{state.settings.service_name}-api")
            return
        except Exception as exc:
            log.warning("NATS not reachable yet (%s)", exc)
            await asyncio.sleep(delay)
            delay = min(delay * 2, 10.0)


def create_service_app(
    settings: KitSettings,
    *,
    tables: EventTables,
    jobs: sa.Table | None = None,
    routers: Sequence[APIRouter] = (),
    title: str,
    description: str = "",
) -> FastAPI:
    configure_logging(settings.service_name, level=settings.log_level, json=settings.log_json)
    prefix = settings.api_prefix

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        jwks = JwksCache(
            settings.jwks_url,
            ttl_s=settings.jwks_cache_ttl_s,
            min_refresh_interval_s=settings.jwks_min_refresh_interval_s,
            timeout_s=settings.http_timeout_s,
        )
        state = KitState(
            settings=settings,
            db=Database(settings.sqlalchemy_url, pool_size=settings.db_pool_size),
            verifier=TokenVerifier(
                issuer=settings.issuer,
                audience=settings.api_audience,
                jwks=jwks,
                minimum_age=settings.minimum_age,
                service_clients=[settings.service_client_id],
            ),
            storage=storage_from_settings(settings),
            tables=tables,
            jobs=jobs,
        )
        state._tasks.append(asyncio.create_task(_keep_nats(state)))
        try:
            # Also creates the development bucket on first start (S3Storage with create_bucket).
            await asyncio.wait_for(state.storage.ping(), timeout=10)
        except Exception as exc:
            log.warning("object storage not reachable at start-up (%s); /readyz will say so", exc)
        app.state.kit = state
        try:
            yield
        finally:
            for task in state._tasks:
                task.cancel()
            if state.nats is not None:
                with contextlib.suppress(Exception):
                    await state.nats.close()
            await jwks.aclose()
            await state.db.dispose()

    app = FastAPI(
        title=title,
        description=description,
        version="0.1.0",
        lifespan=lifespan,
        openapi_url=f"{prefix}/openapi.json",
        docs_url=f"{prefix}/docs",
        redoc_url=None,
    )
    # Added first, so it runs inside the request context (its refusals carry the request id).
    app.add_middleware(
        RequestGuardMiddleware,
        max_body_bytes=settings.max_body_bytes,
        rate_limit=settings.rate_limit or 0,
        rate_window_s=settings.rate_window_s,
    )
    app.add_middleware(RequestContextMiddleware)
    install_error_handlers(app)
    health = _health_router(settings.service_name)
    # Probes hit the bare paths; through the proxy the same checks sit under the service's prefix.
    app.include_router(health, include_in_schema=False)
    app.include_router(health, prefix=prefix)
    app.include_router(_admin_router(), prefix=prefix)
    for router in routers:
        app.include_router(router, prefix=prefix, responses=ERROR_RESPONSES)
    return app

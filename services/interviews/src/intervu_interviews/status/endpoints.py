from __future__ import annotations

import asyncio
import contextlib
import time
import uuid
from collections.abc import AsyncIterator

from fastapi import APIRouter, Request
from fastapi.responses import StreamingResponse
from intervu_kit.auth import CurrentUser
from intervu_kit.db import Database, SessionDep
from intervu_kit.errors import NotFound

from intervu_interviews.status.hub import hub_for
from intervu_interviews.status.repository import StatusRepository
from intervu_interviews.status.schemas import SessionStatusOut
from intervu_interviews.status.service import as_event, snapshot

router = APIRouter(prefix="/sessions", tags=["answer status"])

KEEPALIVE_S = 15.0  # a comment line this often keeps proxies from closing a quiet stream
STREAM_S = 600.0  # then the stream ends and the browser reconnects (a fresh token, a fresh snapshot)
FALLBACK_S = 5.0  # without LISTEN, a stream still looks this often


class SessionNotFound(NotFound):
    code = "session_not_found"
    message = "No such practice session."


@router.get("/{session_id}/status", response_model=SessionStatusOut)
async def session_status(session_id: uuid.UUID, user: CurrentUser, session: SessionDep) -> SessionStatusOut:
    """Every answer of the session on its way to feedback: awaiting_recording, uploading, checking, transcribing
    (with `share`), analysing, then ready, rejected or failed (with `reason`). The polling fallback of
    `GET /sessions/{id}/status/stream`."""
    if not await StatusRepository(session).owns_session(session_id, user.id):
        raise SessionNotFound()
    return await snapshot(session, session_id)


@router.get(
    "/{session_id}/status/stream",
    response_class=StreamingResponse,
    responses={200: {"content": {"text/event-stream": {}}, "description": "server-sent events"}},
)
async def session_status_stream(session_id: uuid.UUID, user: CurrentUser, request: Request) -> StreamingResponse:
    """The same status, pushed: a server-sent `status` event (the JSON of `GET /sessions/{id}/status`) at once and
    after every change, a comment every 15 s, and the end of the stream once every answer is final (or after 10
    minutes: reconnect)."""
    db: Database = request.app.state.kit.db
    async with db.transaction() as session:
        if not await StatusRepository(session).owns_session(session_id, user.id):
            raise SessionNotFound()
    hub = hub_for(request.app.state.kit.settings.listen_dsn)

    async def events() -> AsyncIterator[bytes]:
        ends = time.monotonic() + STREAM_S
        last: SessionStatusOut | None = None
        sent = time.monotonic()
        async with hub.subscribe(str(session_id)) as changed:
            while time.monotonic() < ends:
                changed.clear()
                # A short transaction per look: a stream never holds a connection or a snapshot while it waits.
                async with db.transaction() as session:
                    now = await snapshot(session, session_id)
                if now != last:
                    yield as_event(now)
                    last, sent = now, time.monotonic()
                if now.done:
                    return
                # Woken by a change; or, every few seconds, look anyway (a notification can be missed while the
                # LISTEN connection reconnects).
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(changed.wait(), timeout=FALLBACK_S)
                if time.monotonic() - sent >= KEEPALIVE_S:
                    yield b": keepalive\n\n"
                    sent = time.monotonic()

    headers = {"Cache-Control": "no-store", "X-Accel-Buffering": "no"}
    return StreamingResponse(events(), media_type="text/event-stream", headers=headers)

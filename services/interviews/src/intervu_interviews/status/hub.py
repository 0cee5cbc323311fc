"""Waking a session's status streams when its answers change: one LISTEN connection per API process, shared by
every open stream, instead of each stream asking the database every second.

The consumers that move an answer send ``pg_notify('intervu_answer_status', session_id)`` in their transaction, so a
stream wakes only after the change is committed and visible. If LISTEN is unavailable (the connection dropped), the
streams still look every ``fallback_s``: slower, never stuck.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator

import asyncpg

from intervu_interviews.status.repository import CHANNEL

log = logging.getLogger(__name__)


class StatusHub:
    def __init__(self, dsn: str) -> None:
        self.dsn = dsn
        self._conn: asyncpg.Connection | None = None
        self._waiters: dict[str, set[asyncio.Event]] = {}
        self._lock = asyncio.Lock()

    async def _listen(self) -> None:
        async with self._lock:
            if self._conn is not None and not self._conn.is_closed():
                return
            try:
                self._conn = await asyncpg.connect(self.dsn, timeout=3)
                await self._conn.add_listener(CHANNEL, self._notified)
            except (OSError, asyncpg.PostgresError, TimeoutError) as exc:
                log.warning("answer status: cannot LISTEN (%s); streams fall back to looking periodically", exc)
                self._conn = None

    def _notified(self, _conn: object, _pid: int, _channel: str, payload: str) -> None:
        for event in self._waiters.get(payload, ()):
            event.set()

    @contextlib.asynccontextmanager
    async def subscribe(self, session_id: str) -> AsyncIterator[asyncio.Event]:
        await self._listen()
        event = asyncio.Event()
        self._waiters.setdefault(session_id, set()).add(event)
        try:
            yield event
        finally:
            waiters = self._waiters.get(session_id, set())
            waiters.discard(event)
            if not waiters:
                self._waiters.pop(session_id, None)
            if not self._waiters:
                await self.close()  # nobody is watching: the LISTEN connection is not kept open for nothing

    async def close(self) -> None:
        async with self._lock:
            if self._conn is not None:
                with contextlib.suppress(Exception):
                    await self._conn.close()
            self._conn = None


_hubs: dict[tuple[str, int], StatusHub] = {}


def hub_for(dsn: str) -> StatusHub:
    """One hub per database and event loop (an asyncpg connection belongs to the loop that opened it)."""
    key = (dsn, id(asyncio.get_running_loop()))
    if key not in _hubs:
        _hubs[key] = StatusHub(dsn)
    return _hubs[key]

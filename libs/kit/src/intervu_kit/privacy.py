"""Every service's part of the privacy rights: export a person's data, and delete all of it.

Accounts coordinates (``accounts.user_export_requested.v1``, ``accounts.user_deletion_requested.v1``); each
service answers for its own database and objects, because no service reads another's tables. A service declares
where a person's data lives once (:class:`UserData`: the tables that hold it, the stored objects) and the kit
does the rest in its worker (:func:`privacy_registrar`): the export writes JSON per entity into storage next to
the person's files and reports them (``privacy.user_data_exported.v1``); the deletion removes rows and objects
and confirms with counts only (``privacy.user_data_deleted.v1``, no personal data in it).

Both are idempotent: accounts asks again (a new event) a service that did not answer, and a service that was
down reads every request it missed from its durable consumer when it starts.
"""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from intervu_contracts import (
    EventEnvelope,
    ExportFile,
    UserDataDeleted,
    UserDataExported,
    UserDeletionRequested,
    UserExportRequested,
)
from pydantic_core import to_jsonable_python
from sqlalchemy.ext.asyncio import AsyncSession

from intervu_kit.events import EventConsumer, publish
from intervu_kit.events.tables import EventTables
from intervu_kit.storage import Storage

log = logging.getLogger(__name__)

# Events a service must still publish after it deleted a person's data: accounts' own repeated deletion
# requests carry the user id (accounts removes them when the deletion completes).
_KEEP_UNPUBLISHED = (UserDeletionRequested.event_name,)
# Accounts gives up on an export after 3 days (its `export_give_up_s`); a request older than that is history.
EXPORT_REQUEST_TTL = timedelta(days=3)


def export_prefix(user_id: str, export_id: uuid.UUID) -> str:
    """Where one export lives: the services' parts (accounts zips them, then removes them) and the ZIP. Under the
    person's own prefix, so deleting the person removes every export too."""
    return f"exports/{user_id}/{export_id}"


@dataclass(frozen=True)
class Owned:
    """A table that holds a person's rows: directly (``user_column``) or through a parent that does
    (``through`` = (this table's column, the parent table, the parent's column))."""

    table: sa.Table
    user_column: str = "user_id"
    through: tuple[str, sa.Table, str] | None = None
    # Columns that are ours, not the person's (internal bookkeeping, secrets): left out of the export.
    private_columns: tuple[str, ...] = ()
    # Bookkeeping about the person rather than their data (leased jobs): deleted with them, not exported (an
    # export's own assembly job is created after the parts are written, so it could never be in the ZIP).
    exported: bool = True

    @property
    def name(self) -> str:
        return self.table.name

    def condition(self, user_id: str) -> sa.ColumnElement[bool]:
        if self.through is None:
            return self.table.c[self.user_column] == user_id
        column, parent, parent_column = self.through
        owned = sa.select(parent.c[parent_column]).where(parent.c[self.user_column] == user_id)
        return self.table.c[column].in_(owned.scalar_subquery())


# A service's stored files of a person for the export: (path inside the ZIP, storage key).
FilesOf = Callable[[AsyncSession, str], Awaitable[list[tuple[str, str]]]]
# What a service does beyond deleting rows and prefixes (abort multipart uploads...): returns objects removed.
BeforeDelete = Callable[[AsyncSession, Storage, str], Awaitable[int]]


async def _no_files(session: AsyncSession, user_id: str) -> list[tuple[str, str]]:
    return []


@dataclass(frozen=True)
class UserData:
    """Where one service keeps a person's data. ``tables`` in export order; deleted children first."""

    service: str
    tables: Sequence[Owned]
    # Storage prefixes holding only this person's objects (deleted whole).
    object_prefixes: Callable[[str], list[str]] = field(default=lambda user_id: [])
    files: FilesOf = _no_files
    before_delete: BeforeDelete | None = None
    # Tables with a person's id this part leaves alone on purpose, and why (checked by a test: a table holding a
    # person's rows is either declared above or explained here).
    kept: Mapping[str, str] = field(default_factory=dict)

    async def rows(self, session: AsyncSession, user_id: str) -> dict[str, list[dict[str, Any]]]:
        """Every row of the person, per table, as JSON-ready dicts (the export, and tests checking it)."""
        out: dict[str, list[dict[str, Any]]] = {}
        for owned in self.tables:
            if not owned.exported:
                continue
            columns = [c for c in owned.table.c if c.name not in owned.private_columns]
            order = list(owned.table.primary_key.columns)
            result = await session.execute(sa.select(*columns).where(owned.condition(user_id)).order_by(*order))
            out[owned.name] = [to_jsonable_python(dict(r._mapping)) for r in result]
        return out

    async def export(
        self, session: AsyncSession, storage: Storage, user_id: str, export_id: uuid.UUID
    ) -> UserDataExported:
        prefix = f"{export_prefix(user_id, export_id)}/parts/{self.service}"
        files: list[ExportFile] = []
        counts: dict[str, int] = {}
        for entity, rows in (await self.rows(session, user_id)).items():
            data = json.dumps(rows, ensure_ascii=False, indent=2).encode()
            info = await storage.put_bytes(f"{prefix}/{entity}.json", data, "application/json")
            files.append(ExportFile(path=f"{self.service}/{entity}.json", key=info.key, size=info.size))
            counts[entity] = len(rows)
        for path, key in await self.files(session, user_id):
            stat = await storage.stat(key)
            if stat is None:  # listed but gone (expired by retention meanwhile): nothing to copy
                log.warning("export %s: %s listed %s but storage has no such object", export_id, self.service, key)
                continue
            files.append(ExportFile(path=f"{self.service}/{path}", key=key, size=stat.size))
        counts["files"] = sum(1 for f in files if not f.path.endswith(".json"))
        return UserDataExported(export_id=export_id, service=self.service, files=files, counts=counts)

    async def delete(
        self, session: AsyncSession, storage: Storage, tables: EventTables, user_id: str
    ) -> tuple[int, int]:
        """Delete every row and object of the person; returns (rows, objects). Objects go first: should the
        transaction then fail, the request is delivered again and finds the rows still there to finish."""
        if not user_id.strip():  # an empty id would match every row of every person
            raise ValueError("refusing to delete the data of an empty user id")
        objects = await self.before_delete(session, storage, user_id) if self.before_delete else 0
        for prefix in self.object_prefixes(user_id):
            objects += await storage.delete_prefix(prefix)
        rows = 0
        for owned in reversed(self.tables):
            result = await session.execute(sa.delete(owned.table).where(owned.condition(user_id)))
            rows += result.rowcount  # type: ignore[attr-defined]
        rows += await purge_events(session, tables, user_id)
        return rows, objects


async def purge_events(session: AsyncSession, tables: EventTables, user_id: str) -> int:
    """Events about the person this service keeps: sent ones in the outbox, and parked ones (they carry ids and,
    for some events, answers' words). User ids are UUIDs: a substring match finds only theirs."""
    outbox, parked = tables.outbox, tables.parked
    # Anywhere in the event, not only its user_id: an export part names the person's storage prefix, for one.
    about = sa.func.strpos(sa.cast(outbox.c.envelope, sa.Text), user_id) > 0
    sent_or_obsolete = sa.or_(outbox.c.published_at.is_not(None), outbox.c.name.not_in(_KEEP_UNPUBLISHED))
    result = await session.execute(sa.delete(outbox).where(about, sent_or_obsolete))
    count: int = result.rowcount  # type: ignore[attr-defined]
    # Parked payloads are text (some were never JSON); user ids are UUIDs, so a substring match is exact enough.
    result = await session.execute(sa.delete(parked).where(parked.c.payload.contains(user_id, autoescape=True)))
    count += result.rowcount  # type: ignore[attr-defined]
    return count


def privacy_registrar(
    user_data: UserData, tables: EventTables, storage: Callable[[], Storage]
) -> Callable[[EventConsumer], None]:
    """The worker's handlers for export and deletion requests (every service's worker registers them)."""
    service = user_data.service
    _storage: list[Storage] = []

    def store() -> Storage:
        if not _storage:
            _storage.append(storage())
        return _storage[0]

    async def on_export(session: AsyncSession, event: UserExportRequested, envelope: EventEnvelope) -> None:
        if event.services is not None and service not in event.services:
            return
        if envelope.occurred_at < datetime.now(UTC) - EXPORT_REQUEST_TTL:
            # A new durable consumer (a service added or renamed) reads the stream's history: exports that long ago
            # finished or failed need no part, and writing one would leave files nobody removes.
            log.info("export %s: request from %s is stale; skipped", event.export_id, envelope.occurred_at)
            return
        part = await user_data.export(session, store(), event.user_id, event.export_id)
        await publish(session, tables.outbox, part, producer=service)
        log.info("export %s: %s wrote %s", event.export_id, service, part.counts)

    async def on_deletion(session: AsyncSession, event: UserDeletionRequested, envelope: EventEnvelope) -> None:
        if event.services is not None and service not in event.services:
            return
        rows, objects = await user_data.delete(session, store(), tables, event.user_id)
        confirmation = UserDataDeleted(
            deletion_id=event.deletion_id, service=service, rows=rows, objects=objects, deleted_at=datetime.now(UTC),
            sweep=event.sweep,
        )  # fmt: skip
        await publish(session, tables.outbox, confirmation, producer=service)
        log.info("deletion %s: %s deleted %d rows and %d objects", event.deletion_id, service, rows, objects)

    def register(consumer: EventConsumer) -> None:
        consumer.on(UserExportRequested)(on_export)
        consumer.on(UserDeletionRequested)(on_deletion)

    return register


def combine(*registrars: Callable[[EventConsumer], None] | None) -> Callable[[EventConsumer], None]:
    def register(consumer: EventConsumer) -> None:
        for r in registrars:
            if r is not None:
                r(consumer)

    return register

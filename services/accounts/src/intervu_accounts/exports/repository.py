"""All SQL of exports and their parts."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from intervu_accounts.models import Export, ExportPart


class ExportRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.db = session

    def add(self, export: Export) -> None:
        self.db.add(export)

    async def get_owned(self, export_id: uuid.UUID, user_id: str) -> Export | None:
        return await self.db.scalar(sa.select(Export).where(Export.id == export_id, Export.user_id == user_id))

    async def list_owned(self, user_id: str, limit: int = 20) -> Sequence[Export]:
        query = sa.select(Export).where(Export.user_id == user_id).order_by(Export.requested_at.desc()).limit(limit)
        return (await self.db.scalars(query)).all()

    async def collecting_of(self, user_id: str) -> Export | None:
        query = sa.select(Export).where(Export.user_id == user_id, Export.status == "collecting").with_for_update()
        return await self.db.scalar(query)

    async def lock_requests_of(self, user_id: str) -> None:
        """Serialise one person's export requests until the transaction ends: two at once could each find no export
        being collected and start two (each copies every recording)."""
        await self.db.execute(
            sa.select(sa.func.pg_advisory_xact_lock(sa.func.hashtextextended("accounts-export:" + user_id, 0)))
        )

    async def requested_since(self, user_id: str, since: datetime) -> list[datetime]:
        query = sa.select(Export.requested_at).where(Export.user_id == user_id, Export.requested_at >= since)
        return list((await self.db.scalars(query.order_by(Export.requested_at))).all())

    async def collecting(self) -> Sequence[Export]:
        query = sa.select(Export).where(Export.status == "collecting").order_by(Export.requested_at)
        return (await self.db.scalars(query.with_for_update(skip_locked=True))).all()

    async def lock_all_of(self, user_id: str) -> None:
        await self.db.execute(sa.select(Export.id).where(Export.user_id == user_id).with_for_update())

    async def expiring(self, now: datetime) -> Sequence[Export]:
        # Ready ZIPs past their time, and failed exports past it too (a late part may have written files there).
        query = sa.select(Export).where(Export.status.in_(("ready", "failed")), Export.expires_at <= now)
        return (await self.db.scalars(query.with_for_update(skip_locked=True))).all()

    async def parts(self, export_id: uuid.UUID) -> Sequence[ExportPart]:
        query = sa.select(ExportPart).where(ExportPart.export_id == export_id).order_by(ExportPart.service)
        return (await self.db.scalars(query)).all()

    async def answered(self, export_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, list[str]]:
        query = sa.select(ExportPart.export_id, ExportPart.service).where(ExportPart.export_id.in_(export_ids))
        out: dict[uuid.UUID, list[str]] = {}
        for export_id, service in (await self.db.execute(query)).all():
            out.setdefault(export_id, []).append(service)
        return out

    async def add_part(self, part: ExportPart) -> None:
        # The first answer stands (a service asked again may answer twice).
        await self.db.execute(
            insert(ExportPart)
            .values(export_id=part.export_id, service=part.service, files=part.files, counts=part.counts,
                    received_at=part.received_at)
            .on_conflict_do_nothing()
        )  # fmt: skip

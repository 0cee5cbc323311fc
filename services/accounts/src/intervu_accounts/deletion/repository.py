"""All SQL of deletion requests, their per-service confirmations and the receipts."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from intervu_accounts.models import DeletionConfirmation, DeletionReceipt, DeletionRequest, events

OPEN = ("awaiting_confirmation", "scheduled", "in_progress")


class DeletionRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.db = session

    def add(self, row: DeletionRequest | DeletionConfirmation | DeletionReceipt) -> None:
        self.db.add(row)

    async def open_of(self, user_id: str, *, lock: bool = False) -> DeletionRequest | None:
        query = sa.select(DeletionRequest).where(DeletionRequest.user_id == user_id, DeletionRequest.status.in_(OPEN))
        if lock:
            query = query.with_for_update()
        return await self.db.scalar(query)

    async def latest_of(self, user_id: str) -> DeletionRequest | None:
        return await self.db.scalar(
            sa.select(DeletionRequest)
            .where(DeletionRequest.user_id == user_id)
            .order_by(DeletionRequest.created_at.desc())
            .limit(1)
        )

    async def unconfirmed_before(self, now: datetime) -> Sequence[DeletionRequest]:
        query = sa.select(DeletionRequest).where(
            DeletionRequest.status == "awaiting_confirmation", DeletionRequest.confirm_before < now
        )
        return (await self.db.scalars(query.with_for_update(skip_locked=True))).all()

    async def due(self, now: datetime) -> Sequence[DeletionRequest]:
        query = sa.select(DeletionRequest).where(
            DeletionRequest.status == "scheduled", DeletionRequest.grace_ends_at <= now
        )
        return (await self.db.scalars(query.with_for_update(skip_locked=True))).all()

    async def in_progress(self) -> Sequence[DeletionRequest]:
        query = sa.select(DeletionRequest).where(DeletionRequest.status == "in_progress")
        return (
            await self.db.scalars(query.order_by(DeletionRequest.started_at).with_for_update(skip_locked=True))
        ).all()

    async def open_all(self) -> Sequence[DeletionRequest]:
        query = sa.select(DeletionRequest).where(DeletionRequest.status.in_(("scheduled", "in_progress")))
        return (await self.db.scalars(query.order_by(DeletionRequest.deadline_at))).all()

    async def get(self, deletion_id: uuid.UUID) -> DeletionRequest | None:
        return await self.db.get(DeletionRequest, deletion_id)

    async def confirmations(self, deletion_id: uuid.UUID) -> Sequence[DeletionConfirmation]:
        query = sa.select(DeletionConfirmation).where(DeletionConfirmation.deletion_id == deletion_id)
        return (await self.db.scalars(query.order_by(DeletionConfirmation.service))).all()

    async def confirmation(self, deletion_id: uuid.UUID, service: str) -> DeletionConfirmation | None:
        return await self.db.get(DeletionConfirmation, (deletion_id, service), with_for_update=True)

    async def receipt(self, deletion_id: uuid.UUID) -> DeletionReceipt | None:
        return await self.db.get(DeletionReceipt, deletion_id)

    async def forget(self, request: DeletionRequest) -> None:
        """The request is done: remove it (and any earlier one of the person), its confirmations, and the deletion
        events naming the person."""
        outbox = events.outbox
        await self.db.execute(
            sa.delete(outbox).where(outbox.c.envelope["data"]["deletion_id"].astext == str(request.id))
        )
        # Earlier cancelled or expired requests named the person too: none stays.
        await self.db.execute(sa.delete(DeletionRequest).where(DeletionRequest.user_id == request.user_id))

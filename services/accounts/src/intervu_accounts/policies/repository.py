"""All SQL of policy versions and acceptances."""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from intervu_accounts.models import PolicyAcceptance, PolicyVersion


class PolicyRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.db = session

    async def current(self) -> PolicyVersion | None:
        return await self.db.scalar(sa.select(PolicyVersion).order_by(PolicyVersion.version.desc()).limit(1))

    async def get(self, version: int) -> PolicyVersion | None:
        return await self.db.get(PolicyVersion, version)

    async def versions(self) -> Sequence[PolicyVersion]:
        return (await self.db.scalars(sa.select(PolicyVersion).order_by(PolicyVersion.version.desc()))).all()

    async def lock_versions(self) -> None:
        # Two operators publishing at once must not both become version N+1.
        await self.db.execute(sa.text("LOCK TABLE policy_versions IN SHARE ROW EXCLUSIVE MODE"))

    def add(self, row: PolicyVersion | PolicyAcceptance) -> None:
        self.db.add(row)

    async def acceptance(self, user_id: str, version: int) -> PolicyAcceptance | None:
        return await self.db.get(PolicyAcceptance, (user_id, version))

    async def latest_acceptance(self, user_id: str) -> PolicyAcceptance | None:
        return await self.db.scalar(
            sa.select(PolicyAcceptance)
            .where(PolicyAcceptance.user_id == user_id)
            .order_by(PolicyAcceptance.version.desc())
            .limit(1)
        )

    async def acceptances(self, user_id: str) -> Sequence[PolicyAcceptance]:
        query = sa.select(PolicyAcceptance).where(PolicyAcceptance.user_id == user_id)
        return (await self.db.scalars(query.order_by(PolicyAcceptance.accepted_at.desc()))).all()

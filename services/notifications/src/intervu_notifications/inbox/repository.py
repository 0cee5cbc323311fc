"""All SQL of notifications and preferences."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from intervu_notifications.models import (
    InterviewGoal,
    Notification,
    PracticeActivity,
    Preferences,
    PushSubscription,
    consents,
)


class InboxRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.db = session

    async def add(self, notice: Notification) -> bool:
        """Insert unless this person already has a notice with its dedupe key; True when inserted."""
        values = {c.name: getattr(notice, c.key) for c in Notification.__table__.columns}
        inserted = await self.db.execute(
            insert(Notification).values(**values).on_conflict_do_nothing().returning(Notification.id)
        )
        return inserted.first() is not None

    async def set_delivery(self, notice_id: uuid.UUID, **values: str | None) -> None:
        await self.db.execute(sa.update(Notification).where(Notification.id == notice_id).values(**values))

    async def inbox(self, user_id: str, limit: int, offset: int) -> Sequence[Notification]:
        query = sa.select(Notification).where(Notification.user_id == user_id)
        query = query.order_by(Notification.created_at.desc(), Notification.id).limit(limit).offset(offset)
        return (await self.db.scalars(query)).all()

    async def unread(self, user_id: str) -> int:
        query = sa.select(sa.func.count()).where(Notification.user_id == user_id, Notification.read_at.is_(None))
        return int(await self.db.scalar(query) or 0)

    async def mark_read(self, user_id: str, notice_id: uuid.UUID | None, now: datetime) -> int:
        query = sa.update(Notification).where(Notification.user_id == user_id, Notification.read_at.is_(None))
        if notice_id is not None:
            query = query.where(Notification.id == notice_id)
        result = await self.db.execute(query.values(read_at=now))
        return int(result.rowcount)  # type: ignore[attr-defined]

    async def owned(self, user_id: str, notice_id: uuid.UUID) -> Notification | None:
        query = sa.select(Notification).where(Notification.id == notice_id, Notification.user_id == user_id)
        return await self.db.scalar(query)

    async def preferences(self, user_id: str) -> Preferences | None:
        return await self.db.get(Preferences, user_id)

    def add_preferences(self, prefs: Preferences) -> None:
        self.db.add(prefs)

    async def subscriptions(self, user_id: str) -> Sequence[PushSubscription]:
        query = sa.select(PushSubscription).where(PushSubscription.user_id == user_id)
        return (await self.db.scalars(query.order_by(PushSubscription.created_at))).all()

    async def subscribe(self, sub: PushSubscription) -> PushSubscription | None:
        """Store a browser's subscription; the same endpoint again from its owner replaces its keys. None when
        the endpoint is another person's: it stays theirs (knowing an endpoint URL must not move its pushes)."""
        statement = insert(PushSubscription).values(
            id=sub.id, user_id=sub.user_id, endpoint=sub.endpoint, p256dh=sub.p256dh, auth=sub.auth,
            created_at=sub.created_at,
        )  # fmt: skip
        row = await self.db.execute(
            statement.on_conflict_do_update(
                index_elements=[PushSubscription.endpoint],
                set_={"p256dh": sub.p256dh, "auth": sub.auth, "created_at": sub.created_at},
                where=PushSubscription.user_id == statement.excluded.user_id,
            ).returning(PushSubscription.id)
        )
        subscription_id = row.scalar_one_or_none()
        if subscription_id is None:
            return None
        sub.id = subscription_id
        return sub

    async def unsubscribe(self, user_id: str, subscription_id: uuid.UUID) -> int:
        result = await self.db.execute(
            sa.delete(PushSubscription).where(
                PushSubscription.id == subscription_id, PushSubscription.user_id == user_id
            )
        )
        return int(result.rowcount)  # type: ignore[attr-defined]

    async def forget_subscription(self, subscription_id: uuid.UUID) -> None:
        await self.db.execute(sa.delete(PushSubscription).where(PushSubscription.id == subscription_id))

    async def practised(self, user_id: str, at: datetime) -> None:
        statement = insert(PracticeActivity).values(user_id=user_id, last_practised_at=at)
        await self.db.execute(
            statement.on_conflict_do_update(
                index_elements=[PracticeActivity.user_id],
                set_={"last_practised_at": sa.func.greatest(PracticeActivity.last_practised_at, at)},
            )
        )

    async def due_reminders(self, now: datetime, limit: int = 500) -> Sequence[tuple[PracticeActivity, int]]:
        """People who allowed notifications, have not practised for their chosen number of days, and were not
        reminded since they last practised."""
        days = sa.func.coalesce(Preferences.remind_after_days, sa.literal(3))  # no preferences yet: the default
        reminders_on = sa.or_(Preferences.user_id.is_(None), Preferences.remind_after_days > 0)
        query = (
            sa.select(PracticeActivity, days)
            .join(Preferences, Preferences.user_id == PracticeActivity.user_id, isouter=True)
            .join(consents, sa.and_(consents.c.user_id == PracticeActivity.user_id,
                                    consents.c.purpose == "notifications", consents.c.granted.is_(True)))
            .where(
                reminders_on,
                PracticeActivity.last_practised_at < sa.literal(now) - sa.func.make_interval(0, 0, 0, days),
                sa.or_(PracticeActivity.reminded_at.is_(None),
                       PracticeActivity.reminded_at < PracticeActivity.last_practised_at),
            )
            .limit(limit)
            .with_for_update(of=PracticeActivity, skip_locked=True)
        )  # fmt: skip
        return [(row[0], int(row[1])) for row in (await self.db.execute(query)).all()]

    async def goal(self, user_id: str) -> InterviewGoal | None:
        return await self.db.get(InterviewGoal, user_id)

    async def save_goal(self, user_id: str, role_label: str | None, interview_date: date | None, at: datetime) -> None:
        """Newest first: a redelivered older change never overwrites a newer one."""
        values = {"role_label": role_label, "interview_date": interview_date, "changed_at": at}
        await self.db.execute(
            insert(InterviewGoal)
            .values(user_id=user_id, **values)
            .on_conflict_do_update(
                index_elements=[InterviewGoal.user_id], set_=values, where=InterviewGoal.changed_at < at
            )
        )

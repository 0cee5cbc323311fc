"""The avatar worker's handler: a new session's script is planned (clips rendered by the render loop)."""

from __future__ import annotations

from collections.abc import Callable

from intervu_contracts import EventEnvelope, FollowUpAsked, InterviewSessionCreated
from intervu_kit.events import EventConsumer
from intervu_kit.storage import Storage
from sqlalchemy.ext.asyncio import AsyncSession

from intervu_avatar.clips.service import on_follow_up_asked, on_session_created
from intervu_avatar.providers.base import AvatarProvider


def registrar(provider: AvatarProvider, storage: Storage | None = None) -> Callable[[EventConsumer], None]:
    async def session_created(session: AsyncSession, event: InterviewSessionCreated, envelope: EventEnvelope) -> None:
        await on_session_created(session, provider, event, envelope, storage)

    async def follow_up_asked(session: AsyncSession, event: FollowUpAsked, envelope: EventEnvelope) -> None:
        await on_follow_up_asked(session, provider, event, envelope, storage)

    def register(consumer: EventConsumer) -> None:
        consumer.on(InterviewSessionCreated)(session_created)
        consumer.on(FollowUpAsked)(follow_up_asked)

    return register

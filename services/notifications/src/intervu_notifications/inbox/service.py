"""Telling people: every notice goes to the person's inbox in the app; it is also emailed only when they allow
notifications (their consent, copied from accounts), want email, and want this kind.

Addresses are read from Keycloak when a mail is sent (Intervu keeps no copy). A mail that fails is recorded on
the notice (`email = failed`, with the error); the inbox still has it.
"""

from __future__ import annotations

import logging
import uuid
from datetime import UTC, datetime

from intervu_contracts import EventEnvelope, ExportReady, FeedbackCompleted, PolicyPublished
from intervu_kit.consents import granted
from intervu_kit.keycloak_users import KeycloakUsers
from sqlalchemy.ext.asyncio import AsyncSession

from intervu_notifications.inbox.mail import Mailer
from intervu_notifications.inbox.repository import InboxRepository
from intervu_notifications.models import Notification, consents

log = logging.getLogger(__name__)


class Notifier:
    def __init__(self, mailer: Mailer, users: KeycloakUsers, app_url: str) -> None:
        self.mailer = mailer
        self.users = users
        self.app_url = app_url.rstrip("/")

    async def notify(
        self, session: AsyncSession, user_id: str, kind: str, dedupe_key: str, title: str, body: str, link: str | None
    ) -> None:
        repo = InboxRepository(session)
        notice = Notification(
            id=uuid.uuid4(), user_id=user_id, kind=kind, dedupe_key=dedupe_key, title=title, body=body, link=link,
            created_at=datetime.now(UTC), read_at=None, email="pending", email_error=None,
        )  # fmt: skip
        if not await repo.add(notice):
            return  # told already (a redelivered event)
        status, error = await self._email(session, repo, notice)
        await repo.set_email(notice.id, status, error)

    async def _email(
        self, session: AsyncSession, repo: InboxRepository, notice: Notification
    ) -> tuple[str, str | None]:
        if not await granted(session, consents, notice.user_id, "notifications"):
            return "no_consent", None
        prefs = await repo.preferences(notice.user_id)
        if prefs is not None and not prefs.email:
            return "email_off", None
        if prefs is not None and not getattr(prefs, notice.kind, True):
            return "kind_off", None
        if not self.mailer.configured:
            return "not_configured", None
        try:
            address = (await self.users.get(notice.user_id)).get("email")
            if not address:
                return "no_address", None
            link = f"\n\n{self.app_url}{notice.link}" if notice.link else ""
            await self.mailer.send(address, notice.title, f"{notice.body}{link}\n\n— Intervu")
            return "sent", None
        except Exception as exc:  # the inbox still has it; the error is kept for the operator
            log.warning("email of notice %s failed: %r", notice.id, exc)
            return "failed", f"{type(exc).__name__}: {exc}"[:500]

    async def feedback_ready(self, session: AsyncSession, event: FeedbackCompleted, _: EventEnvelope) -> None:
        await self.notify(
            session, event.user_id, "feedback_ready", f"feedback:{event.feedback_id}",
            "Your feedback is ready",
            f"Your answer scored {event.overall_score:.0f}/100. See what went well and what to practise next.",
            f"/results/{event.answer_id}",
        )  # fmt: skip

    async def export_ready(self, session: AsyncSession, event: ExportReady, _: EventEnvelope) -> None:
        await self.notify(
            session, event.user_id, "export_ready", f"export:{event.export_id}",
            "Your data export is ready",
            f"The copy of your data you asked for is ready to download until {event.expires_at:%d %B %Y}.",
            f"/settings/privacy/exports/{event.export_id}",
        )  # fmt: skip

    async def policy_published(self, session: AsyncSession, event: PolicyPublished, _: EventEnvelope) -> None:
        """Everyone with an account is told (Keycloak lists them), once per version."""
        first, told = 0, 0
        while page := await self.users.page(first):
            for user in page:
                await self.notify(
                    session, str(user["id"]), "policy_changed", f"policy:{event.version}",
                    "Our privacy policy changed",
                    (event.summary or "A new version of the privacy policy was published.")
                    + " Please read it and accept it to keep using Intervu.",
                    "/privacy",
                )  # fmt: skip
                told += 1
            first += len(page)
        log.info("policy version %d: %d people told", event.version, told)

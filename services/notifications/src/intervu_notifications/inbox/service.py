"""Telling people: every notice goes to the person's inbox in the app; it is also emailed and pushed to their
browsers only when they allow notifications (their consent, copied from accounts), want that channel, and want
this kind.

Addresses are read from Keycloak when a mail is sent (Intervu keeps no copy). A mail that fails is recorded on
the notice (`email = failed`, with the error); the inbox still has it.
"""

from __future__ import annotations

import logging
import uuid
from datetime import UTC, date, datetime

from intervu_contracts import (
    FOLLOW_UP_QUESTION_TYPE,
    EventEnvelope,
    ExportReady,
    FeedbackCompleted,
    GoalChanged,
    PolicyPublished,
)
from intervu_kit.consents import granted
from intervu_kit.keycloak_users import KeycloakUsers
from sqlalchemy.ext.asyncio import AsyncSession

from intervu_notifications.inbox.mail import Mailer
from intervu_notifications.inbox.push import Pusher
from intervu_notifications.inbox.repository import InboxRepository
from intervu_notifications.models import Notification, consents

log = logging.getLogger(__name__)


class Notifier:
    def __init__(self, mailer: Mailer, users: KeycloakUsers, app_url: str, pusher: Pusher | None = None) -> None:
        self.mailer = mailer
        self.users = users
        self.app_url = app_url.rstrip("/")
        self.pusher = pusher

    async def notify(
        self, session: AsyncSession, user_id: str, kind: str, dedupe_key: str, title: str, body: str, link: str | None
    ) -> None:
        repo = InboxRepository(session)
        notice = Notification(
            id=uuid.uuid4(), user_id=user_id, kind=kind, dedupe_key=dedupe_key, title=title, body=body, link=link,
            created_at=datetime.now(UTC), read_at=None, email="pending", email_error=None, push="pending",
            push_error=None,
        )  # fmt: skip
        if not await repo.add(notice):
            return  # told already (a redelivered event)
        refusal = await self._refusal(session, repo, notice)
        email, email_error = (refusal, None) if refusal else await self._email(repo, notice)
        push, push_error = (refusal, None) if refusal else await self._push(repo, notice)
        await repo.set_delivery(notice.id, email=email, email_error=email_error, push=push, push_error=push_error)

    async def _refusal(self, session: AsyncSession, repo: InboxRepository, notice: Notification) -> str | None:
        """Why nothing leaves the app for this notice, if so (the same for every channel)."""
        if not await granted(session, consents, notice.user_id, "notifications"):
            return "no_consent"
        prefs = await repo.preferences(notice.user_id)
        if prefs is not None and not getattr(prefs, notice.kind, True):
            return "kind_off"
        return None

    async def _push(self, repo: InboxRepository, notice: Notification) -> tuple[str, str | None]:
        prefs = await repo.preferences(notice.user_id)
        if prefs is not None and not prefs.push:
            return "push_off", None
        if self.pusher is None or not self.pusher.configured:
            return "not_configured", None
        subscriptions = await repo.subscriptions(notice.user_id)
        if not subscriptions:
            return "no_subscription", None
        payload = {"id": str(notice.id), "kind": notice.kind, "title": notice.title, "body": notice.body,
                   "link": notice.link}  # fmt: skip
        sent, errors = 0, []
        for sub in subscriptions:
            result = await self.pusher.send(sub.endpoint, sub.p256dh, sub.auth, payload)
            if result.status == "sent":
                sent += 1
            elif result.status == "gone":
                await repo.forget_subscription(sub.id)
            elif result.error:
                errors.append(result.error)
        if sent:
            return "sent", "; ".join(errors) or None
        return ("failed", "; ".join(errors)) if errors else ("no_subscription", None)

    async def _email(self, repo: InboxRepository, notice: Notification) -> tuple[str, str | None]:
        prefs = await repo.preferences(notice.user_id)
        if prefs is not None and not prefs.email:
            return "email_off", None
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

    async def feedback_ready(self, session: AsyncSession, event: FeedbackCompleted, envelope: EventEnvelope) -> None:
        await InboxRepository(session).practised(event.user_id, event.completed_at or envelope.occurred_at)
        if event.question_type == FOLLOW_UP_QUESTION_TYPE:
            # Its feedback sits in the thread of its main question, whose notice already leads there: a notice per
            # follow-up would turn one interview into a stack of notices.
            return
        await self.notify(
            session, event.user_id, "feedback_ready", f"feedback:{event.feedback_id}",
            "Your feedback is ready",
            f"Your answer scored {event.overall_score:.0f}/100. See what went well and what to practise next.",
            f"/answers/{event.answer_id}",
        )  # fmt: skip

    async def export_ready(self, session: AsyncSession, event: ExportReady, _: EventEnvelope) -> None:
        await self.notify(
            session, event.user_id, "export_ready", f"export:{event.export_id}",
            "Your data export is ready",
            f"The copy of your data you asked for is ready to download until {event.expires_at:%d %B %Y}.",
            f"/settings?export={event.export_id}",
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
                    "/policy",
                )  # fmt: skip
                told += 1
            first += len(page)
        log.info("policy version %d: %d people told", event.version, told)

    async def goal_changed(self, session: AsyncSession, event: GoalChanged, _: EventEnvelope) -> None:
        await InboxRepository(session).save_goal(event.user_id, event.role_label, event.interview_date,
                                                 event.changed_at)  # fmt: skip

    async def remind(self, session: AsyncSession, now: datetime) -> int:
        """One pass: remind everyone whose practice is due (their chosen number of days without practice), counting
        down to their interview when they said when it is."""
        repo = InboxRepository(session)
        due = await repo.due_reminders(now)
        for activity, days in due:
            goal = await repo.goal(activity.user_id)
            await self.notify(
                session, activity.user_id, "practice_due", f"practice:{activity.last_practised_at.isoformat()}",
                "Time to practise",
                reminder_text(days, goal.role_label if goal else None, goal.interview_date if goal else None,
                              now.date()),
                "/practice",
            )  # fmt: skip
            activity.reminded_at = now
        return len(due)


def reminder_text(days: int, role: str | None, interview: date | None, today: date) -> str:
    """The reminder's words: the days without practice, and the days left when the interview is ahead."""
    since = f"It has been {days} days since your last practice answer."
    if interview is None or interview < today:
        return f"{since} A short session keeps the progress going."
    left = (interview - today).days
    what = f"Your {role} interview" if role else "Your interview"
    when = "is today" if left == 0 else "is tomorrow" if left == 1 else f"is in {left} days"
    return f"{since} {what} {when}: a short session now keeps you sharp for it."

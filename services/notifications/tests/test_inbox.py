"""Telling people: every notice reaches the person's inbox; it is emailed (to a real SMTP server here, aiosmtpd)
only with their consent to notifications and their email preferences; a policy change reaches everyone."""

from __future__ import annotations

import asyncio
import email
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from email.message import Message
from typing import Any

import httpx
import pytest
from aiosmtpd.controller import Controller
from intervu_contracts import (
    FOLLOW_UP_QUESTION_TYPE,
    ConsentChanged,
    EventEnvelope,
    ExportReady,
    FeedbackCompleted,
    GoalChanged,
    PolicyPublished,
)
from intervu_kit.consents import copy_consent
from intervu_kit.db import Database
from intervu_kit.devstack.config import DevSettings
from intervu_kit.keycloak_users import KeycloakUsers
from intervu_kit.testing.asserts import assert_error
from intervu_kit.testing.plugin import SignedIn, running_app
from intervu_kit.testing.servers import free_port
from intervu_notifications.config import Settings
from intervu_notifications.inbox.mail import Mailer
from intervu_notifications.inbox.service import Notifier, reminder_text
from intervu_notifications.main import app
from intervu_notifications.models import consents

SignIn = Callable[..., Awaitable[SignedIn]]
API = "/api/notifications"


class Mailbox:
    """aiosmtpd handler: keeps every message it receives."""

    def __init__(self) -> None:
        self.messages: list[Message] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append(email.message_from_bytes(envelope.content))
        return "250 OK"

    def to(self, address: str) -> list[Message]:
        return [m for m in self.messages if m["To"] == address]


@pytest.fixture
def smtp() -> Iterator[tuple[Mailbox, int]]:
    mailbox, port = Mailbox(), free_port()
    controller = Controller(mailbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield mailbox, port
    finally:
        controller.stop()


@pytest.fixture
async def notifier(infra: DevSettings, smtp: tuple[Mailbox, int]) -> AsyncIterator[tuple[Notifier, Database]]:
    settings = Settings(smtp_host="127.0.0.1", smtp_port=smtp[1], smtp_starttls=False, app_url="https://intervu.test")
    users = KeycloakUsers(settings)
    db = Database(settings.sqlalchemy_url, pool_size=2)
    try:
        yield Notifier(Mailer(settings), users, settings.app_url), db
    finally:
        await users.aclose()
        await db.dispose()


@pytest.fixture
async def client(infra: DevSettings) -> AsyncIterator[httpx.AsyncClient]:
    async with running_app(app) as c:
        yield c


async def _handle(db: Database, handler: Callable[..., Awaitable[None]], event: Any) -> None:
    async with db.transaction() as session:
        await handler(session, event, EventEnvelope.wrap(event, "test"))


async def _allow(db: Database, user_id: str, granted: bool) -> None:
    event = ConsentChanged(user_id=user_id, purpose="notifications", granted=granted, changed_at=datetime.now(UTC))
    async with db.transaction() as session:
        await copy_consent(session, consents, event)


def _feedback(user_id: str, score: float = 72.0) -> FeedbackCompleted:
    return FeedbackCompleted(feedback_id=uuid.uuid4(), answer_id=uuid.uuid4(), user_id=user_id, overall_score=score,
                             source="text")  # fmt: skip


async def test_notices_reach_the_inbox_and_are_emailed_only_with_permission(
    notifier: tuple[Notifier, Database], smtp: tuple[Mailbox, int], client: httpx.AsyncClient, sign_in: SignIn
) -> None:
    n, db = notifier
    mailbox = smtp[0]
    allowed, silent = await sign_in(), await sign_in()
    await _allow(db, allowed.id, True)

    first = _feedback(allowed.id)
    await _handle(db, n.feedback_ready, first)
    await _handle(db, n.feedback_ready, first)  # delivered twice: told once
    await _handle(db, n.feedback_ready, _feedback(silent.id))
    # An answer to a follow-up: its feedback is in its main question's thread, which the first notice opens.
    follow_up = _feedback(allowed.id).model_copy(update={"question_type": FOLLOW_UP_QUESTION_TYPE})
    await _handle(db, n.feedback_ready, follow_up)
    [mail] = mailbox.to(allowed.user.email or "")
    assert mail["Subject"] == "Your feedback is ready" and "72/100" in mail.get_payload()
    assert f"https://intervu.test/answers/{first.answer_id}" in mail.get_payload()
    assert mailbox.to(silent.user.email or "") == []  # never allowed notifications: nothing mailed

    mine = (await client.get(f"{API}/inbox", headers=allowed.headers)).json()
    assert [(i["kind"], i["email"]) for i in mine["items"]] == [("feedback_ready", "sent")] and mine["unread"] == 1
    theirs = (await client.get(f"{API}/inbox", headers=silent.headers)).json()
    far = await client.get(f"{API}/inbox", params={"offset": 10**20}, headers=silent.headers)
    assert_error(far, 422, "validation_error")  # was a bigint overflow in PostgreSQL: a 500
    assert [(i["kind"], i["email"]) for i in theirs["items"]] == [("feedback_ready", "no_consent")]

    # Preferences: no more feedback mails; exports still mailed; then email off altogether.
    changed = await client.put(f"{API}/preferences", json={"feedback_ready": False}, headers=allowed.headers)
    assert changed.json() == {"email": True, "push": True, "feedback_ready": False, "export_ready": True,
                              "remind_after_days": 3}  # fmt: skip
    await _handle(db, n.feedback_ready, _feedback(allowed.id, 80))
    export = ExportReady(user_id=allowed.id, export_id=uuid.uuid4(), size=1234,
                         expires_at=datetime.now(UTC) + timedelta(days=7))  # fmt: skip
    await _handle(db, n.export_ready, export)
    assert [m["Subject"] for m in mailbox.to(allowed.user.email or "")] == [
        "Your feedback is ready", "Your data export is ready",
    ]  # fmt: skip
    await client.put(f"{API}/preferences", json={"email": False}, headers=allowed.headers)
    await _handle(db, n.feedback_ready, _feedback(allowed.id, 90))
    assert len(mailbox.to(allowed.user.email or "")) == 2
    statuses = [i["email"] for i in (await client.get(f"{API}/inbox", headers=allowed.headers)).json()["items"]]
    assert statuses == ["kind_off", "sent", "kind_off", "sent"]  # the kind is off before email is

    # Withdrawn consent: nothing mailed whatever the preferences say.
    await client.put(f"{API}/preferences", json={"email": True, "feedback_ready": True}, headers=allowed.headers)
    await asyncio.sleep(0.01)
    await _allow(db, allowed.id, False)
    await _handle(db, n.feedback_ready, _feedback(allowed.id, 60))
    assert len(mailbox.to(allowed.user.email or "")) == 2

    # Reading: mine only.
    notice = (await client.get(f"{API}/inbox", headers=allowed.headers)).json()["items"][0]
    assert_error(await client.post(f"{API}/inbox/{notice['id']}/read", headers=silent.headers), 404,
                 "notification_not_found")  # fmt: skip
    read = await client.post(f"{API}/inbox/{notice['id']}/read", headers=allowed.headers)
    assert read.status_code == 200 and read.json()["read_at"] is not None
    assert (await client.post(f"{API}/inbox/read-all", headers=allowed.headers)).json()["unread"] == 0
    assert (await client.get(f"{API}/inbox", headers=silent.headers)).json()["unread"] == 1


async def test_a_new_policy_version_reaches_everyone_once(
    notifier: tuple[Notifier, Database], smtp: tuple[Mailbox, int], client: httpx.AsyncClient, sign_in: SignIn
) -> None:
    n, db = notifier
    allowed, silent = await sign_in(), await sign_in()
    await _allow(db, allowed.id, True)
    event = PolicyPublished(version=10_000 + int(uuid.uuid4().int % 1_000_000), summary="Retention is now 20 days.",
                            published_at=datetime.now(UTC))  # fmt: skip
    await _handle(db, n.policy_published, event)
    await _handle(db, n.policy_published, event)  # again: nobody told twice
    for who in (allowed, silent):
        items = (await client.get(f"{API}/inbox", headers=who.headers)).json()["items"]
        assert [i["kind"] for i in items] == ["policy_changed"] and "Retention is now 20 days." in items[0]["body"]
    assert [m["Subject"] for m in smtp[0].to(allowed.user.email or "")] == ["Our privacy policy changed"]
    assert smtp[0].to(silent.user.email or "") == []


async def test_practice_is_due_after_the_days_a_person_chose(
    notifier: tuple[Notifier, Database], smtp: tuple[Mailbox, int], client: httpx.AsyncClient, sign_in: SignIn
) -> None:
    n, db = notifier
    keen, quiet, never_asked = await sign_in(), await sign_in(), await sign_in()
    for who in (keen, quiet):
        await _allow(db, who.id, True)
    assert (await client.put(f"{API}/preferences", json={"remind_after_days": 5}, headers=keen.headers)).json()[
        "remind_after_days"] == 5  # fmt: skip
    assert (await client.put(f"{API}/preferences", json={"no_reminders": True}, headers=quiet.headers)).json()[
        "remind_after_days"] is None  # fmt: skip
    practised = datetime.now(UTC)
    # Keen said when the interview is (onboarding): the reminder counts down to it.
    goal = GoalChanged(user_id=keen.id, role="software-engineer", role_label="Software engineer", difficulty=None,
                       interview_date=(practised + timedelta(days=9)).date(), changed_at=practised)  # fmt: skip
    await _handle(db, n.goal_changed, goal)
    older = goal.model_copy(update={"interview_date": None, "changed_at": practised - timedelta(hours=1)})
    await _handle(db, n.goal_changed, older)  # delivered late: the newer goal stands
    for who in (keen, quiet, never_asked):  # never_asked: practises but never allowed notifications
        event = _feedback(who.id)
        await _handle(db, n.feedback_ready, event.model_copy(update={"completed_at": practised}))

    async def remind(at: datetime) -> None:
        async with db.transaction() as session:
            await n.remind(session, at)

    def reminders(who: SignedIn) -> Awaitable[list[dict[str, Any]]]:
        async def read() -> list[dict[str, Any]]:
            items = (await client.get(f"{API}/inbox", headers=who.headers)).json()["items"]
            return [i for i in items if i["kind"] == "practice_due"]

        return read()

    await remind(practised + timedelta(days=4))
    assert await reminders(keen) == []  # not yet: five days
    await remind(practised + timedelta(days=5, minutes=1))
    await remind(practised + timedelta(days=6))  # once per absence, not every pass
    [reminder] = await reminders(keen)
    assert reminder["title"] == "Time to practise" and "5 days" in reminder["body"] and reminder["email"] == "sent"
    assert "Your Software engineer interview is in 4 days" in reminder["body"], reminder["body"]
    assert await reminders(quiet) == [] and await reminders(never_asked) == []
    assert [m["Subject"] for m in smtp[0].to(keen.user.email or "")][-1] == "Time to practise"
    # Practising again starts a new count.
    await _handle(
        db, n.feedback_ready, _feedback(keen.id).model_copy(update={"completed_at": practised + timedelta(days=7)})
    )
    await remind(practised + timedelta(days=12, minutes=1))
    assert len(await reminders(keen)) == 2


@pytest.mark.parametrize(
    ("role", "days_left", "says"),
    [
        ("Nurse", 5, "Your Nurse interview is in 5 days"),
        (None, 1, "Your interview is tomorrow"),
        ("Nurse", 0, "Your Nurse interview is today"),
        ("Nurse", -2, "A short session keeps the progress going."),  # past: no countdown
        ("Nurse", None, "A short session keeps the progress going."),
    ],
)
def test_a_reminder_counts_down_to_the_interview(role: str | None, days_left: int | None, says: str) -> None:
    today = date(2026, 12, 7)
    interview = today + timedelta(days=days_left) if days_left is not None else None
    text = reminder_text(3, role, interview, today)
    assert text.startswith("It has been 3 days since your last practice answer.") and says in text, text

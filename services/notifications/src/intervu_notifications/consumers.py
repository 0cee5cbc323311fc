"""The notifications worker's handlers: what happened elsewhere that a person should hear about."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from datetime import UTC, datetime

from intervu_contracts import ExportReady, FeedbackCompleted, GoalChanged, PolicyPublished
from intervu_kit.consents import consent_registrar
from intervu_kit.db import Database
from intervu_kit.events import EventConsumer
from intervu_kit.keycloak_users import KeycloakUsers
from intervu_kit.worker import Job

from intervu_notifications.config import Settings
from intervu_notifications.inbox.mail import Mailer
from intervu_notifications.inbox.push import Pusher
from intervu_notifications.inbox.service import Notifier
from intervu_notifications.models import consents

log = logging.getLogger(__name__)


def registrar(notifier: Notifier) -> Callable[[EventConsumer], None]:
    consent = consent_registrar(consents)

    def register(consumer: EventConsumer) -> None:
        consumer.on(FeedbackCompleted)(notifier.feedback_ready)
        consumer.on(ExportReady)(notifier.export_ready)
        consumer.on(PolicyPublished)(notifier.policy_published)
        consumer.on(GoalChanged)(notifier.goal_changed)
        consent(consumer)

    return register


def notifier_from_settings(settings: Settings) -> Notifier:
    return Notifier(Mailer(settings), KeycloakUsers(settings), settings.app_url, Pusher(settings))


def reminders(notifier: Notifier, every_s: float = 3600) -> Job:
    """The worker's periodic pass over practice reminders."""

    async def run(db: Database, stop: asyncio.Event) -> None:
        while not stop.is_set():
            try:
                async with db.transaction() as session:
                    if count := await notifier.remind(session, datetime.now(UTC)):
                        log.info("reminded %d people to practise", count)
            except Exception:
                log.exception("practice reminders failed; next pass in %.0f s", every_s)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=every_s)

    return run

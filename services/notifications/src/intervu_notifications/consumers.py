"""The notifications worker's handlers: what happened elsewhere that a person should hear about."""

from __future__ import annotations

from collections.abc import Callable

from intervu_contracts import ExportReady, FeedbackCompleted, PolicyPublished
from intervu_kit.consents import consent_registrar
from intervu_kit.events import EventConsumer
from intervu_kit.keycloak_users import KeycloakUsers

from intervu_notifications.config import Settings
from intervu_notifications.inbox.mail import Mailer
from intervu_notifications.inbox.service import Notifier
from intervu_notifications.models import consents


def registrar(notifier: Notifier) -> Callable[[EventConsumer], None]:
    consent = consent_registrar(consents)

    def register(consumer: EventConsumer) -> None:
        consumer.on(FeedbackCompleted)(notifier.feedback_ready)
        consumer.on(ExportReady)(notifier.export_ready)
        consumer.on(PolicyPublished)(notifier.policy_published)
        consent(consumer)

    return register


def notifier_from_settings(settings: Settings) -> Notifier:
    return Notifier(Mailer(settings), KeycloakUsers(settings), settings.app_url)

"""The notifications worker: `python -m intervu_notifications.worker` (outbox relay + telling people)."""

from intervu_kit.worker import main

from intervu_notifications.config import get_settings
from intervu_notifications.consumers import notifier_from_settings, registrar
from intervu_notifications.models import events

if __name__ == "__main__":
    settings = get_settings()
    main(settings, events, registrar(notifier_from_settings(settings)))

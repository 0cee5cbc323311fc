"""The notifications worker: `python -m intervu_notifications.worker` (relay, telling people, practice reminders)."""

from intervu_kit.worker import main

from intervu_notifications.config import get_settings
from intervu_notifications.consumers import notifier_from_settings, registrar, reminders
from intervu_notifications.models import events

if __name__ == "__main__":
    settings = get_settings()
    notifier = notifier_from_settings(settings)
    main(settings, events, registrar(notifier), jobs=[reminders(notifier)])

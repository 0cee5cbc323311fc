"""The notifications worker: `python -m intervu_notifications.worker` (outbox relay + event consumers)."""

from intervu_kit.worker import main

from intervu_notifications.config import get_settings
from intervu_notifications.models import events

if __name__ == "__main__":
    main(get_settings(), events)

"""The analytics worker: `python -m intervu_analytics.worker` (outbox relay + answer results from feedback)."""

from intervu_kit.worker import main

from intervu_analytics.config import get_settings
from intervu_analytics.consumers import register
from intervu_analytics.models import events

if __name__ == "__main__":
    main(get_settings(), events, register)

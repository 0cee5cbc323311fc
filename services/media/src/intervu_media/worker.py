"""The media worker: `python -m intervu_media.worker` (outbox relay + event consumers)."""

from intervu_kit.worker import main

from intervu_media.config import get_settings
from intervu_media.models import events

if __name__ == "__main__":
    main(get_settings(), events)

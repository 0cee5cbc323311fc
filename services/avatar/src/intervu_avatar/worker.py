"""The avatar worker: `python -m intervu_avatar.worker` (outbox relay + event consumers)."""

from intervu_kit.worker import main

from intervu_avatar.config import get_settings
from intervu_avatar.models import events

if __name__ == "__main__":
    main(get_settings(), events)

"""The interviews worker: `python -m intervu_interviews.worker` (outbox relay + event consumers)."""

from intervu_kit.worker import main

from intervu_interviews.config import get_settings
from intervu_interviews.consumers import register
from intervu_interviews.models import events

if __name__ == "__main__":
    main(get_settings(), events, register)

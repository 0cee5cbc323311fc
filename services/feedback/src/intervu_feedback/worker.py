"""The feedback worker: `python -m intervu_feedback.worker` (outbox relay + event consumers)."""

from intervu_kit.worker import main

from intervu_feedback.config import get_settings
from intervu_feedback.models import events

if __name__ == "__main__":
    main(get_settings(), events)

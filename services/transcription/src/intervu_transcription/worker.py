"""The transcription worker: `python -m intervu_transcription.worker` (outbox relay + event consumers)."""

from intervu_kit.worker import main

from intervu_transcription.config import get_settings
from intervu_transcription.models import events

if __name__ == "__main__":
    main(get_settings(), events)

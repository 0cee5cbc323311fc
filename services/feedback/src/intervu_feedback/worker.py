"""The feedback worker: `python -m intervu_feedback.worker` (relay + analysis of answers)."""

from intervu_kit.worker import main

from intervu_feedback.coaching.providers import analyser_from_settings
from intervu_feedback.config import get_settings
from intervu_feedback.consumers import registrar
from intervu_feedback.models import events

if __name__ == "__main__":
    settings = get_settings()
    main(settings, events, registrar(analyser_from_settings(settings)))

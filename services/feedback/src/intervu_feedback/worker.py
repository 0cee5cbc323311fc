"""The feedback worker: `python -m intervu_feedback.worker` (relay, handlers, analysis as leased jobs)."""

from intervu_kit.worker import main

from intervu_feedback.answers.service import analysis_runner
from intervu_feedback.coaching.providers import analyser_from_settings
from intervu_feedback.config import get_settings
from intervu_feedback.consumers import registrar
from intervu_feedback.models import events

if __name__ == "__main__":
    settings = get_settings()
    main(settings, events, registrar(), jobs=[analysis_runner(analyser_from_settings(settings), settings)])

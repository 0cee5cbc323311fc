"""The analytics worker's handler: every finished feedback becomes a point of progress."""

from __future__ import annotations

from intervu_contracts import FeedbackCompleted
from intervu_kit.events import EventConsumer

from intervu_analytics.progress.service import on_feedback_completed


def register(consumer: EventConsumer) -> None:
    consumer.on(FeedbackCompleted)(on_feedback_completed)

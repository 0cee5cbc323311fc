"""The feedback worker's handlers: an answer (interviews) and its transcript (transcription) meet here."""

from __future__ import annotations

from collections.abc import Callable

from intervu_contracts import AnswerSubmitted, EventEnvelope, TranscriptionCompleted
from intervu_kit.consents import consent_registrar
from intervu_kit.events import EventConsumer
from sqlalchemy.ext.asyncio import AsyncSession

from intervu_feedback.answers.service import on_answer_submitted, on_transcription_completed
from intervu_feedback.models import consents


def registrar() -> Callable[[EventConsumer], None]:
    """The handlers record each half of an answer; the analysis itself is a leased job (``analysis_runner``)."""

    async def answer(session: AsyncSession, event: AnswerSubmitted, envelope: EventEnvelope) -> None:
        await on_answer_submitted(session, event, envelope)

    async def transcript(session: AsyncSession, event: TranscriptionCompleted, envelope: EventEnvelope) -> None:
        await on_transcription_completed(session, event, envelope)

    consent = consent_registrar(consents)

    def register(consumer: EventConsumer) -> None:
        consumer.on(AnswerSubmitted)(answer)
        consumer.on(TranscriptionCompleted)(transcript)
        consent(consumer)

    return register

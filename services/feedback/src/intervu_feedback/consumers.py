"""The feedback worker's handlers: an answer (interviews) and its transcript (transcription) meet here."""

from __future__ import annotations

from collections.abc import Callable

from intervu_contracts import AnswerSubmitted, EventEnvelope, TranscriptionCompleted
from intervu_kit.consents import consent_registrar
from intervu_kit.events import EventConsumer
from sqlalchemy.ext.asyncio import AsyncSession

from intervu_feedback.answers.service import Analyser, on_answer_submitted, on_transcription_completed
from intervu_feedback.models import consents


def registrar(analyser: Analyser) -> Callable[[EventConsumer], None]:
    async def answer(session: AsyncSession, event: AnswerSubmitted, envelope: EventEnvelope) -> None:
        await on_answer_submitted(session, analyser, event, envelope)

    async def transcript(session: AsyncSession, event: TranscriptionCompleted, envelope: EventEnvelope) -> None:
        await on_transcription_completed(session, analyser, event, envelope)

    consent = consent_registrar(consents)

    def register(consumer: EventConsumer) -> None:
        consumer.on(AnswerSubmitted)(answer)
        consumer.on(TranscriptionCompleted)(transcript)
        consent(consumer)

    return register

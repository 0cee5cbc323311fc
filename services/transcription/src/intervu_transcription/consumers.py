"""The transcription worker's handlers."""

from __future__ import annotations

from collections.abc import Callable

from intervu_contracts import EventEnvelope, RecordingUploaded
from intervu_kit.consents import consent_registrar
from intervu_kit.events import EventConsumer
from sqlalchemy.ext.asyncio import AsyncSession

from intervu_transcription.config import Settings
from intervu_transcription.models import consents
from intervu_transcription.providers.base import SpeechToText
from intervu_transcription.providers.cloud import AssemblyAISTT, DeepgramSTT, OpenAICompatibleSTT
from intervu_transcription.providers.local import LocalWhisper
from intervu_transcription.transcripts.service import enqueue_transcription


def provider_from_settings(settings: Settings) -> SpeechToText:
    key = settings.stt_api_key.get_secret_value()
    if settings.stt_provider == "openai":
        return OpenAICompatibleSTT(settings.stt_base_url, settings.stt_model, key)
    if settings.stt_provider == "deepgram":
        return DeepgramSTT(key, settings.stt_model if settings.stt_model != "whisper-1" else "nova-3")
    if settings.stt_provider == "assemblyai":
        return AssemblyAISTT(key)
    return local_from_settings(settings)


def local_from_settings(settings: Settings) -> SpeechToText:
    return LocalWhisper(settings.stt_model_dir, settings.stt_threads, settings.stt_beam_size)


def registrar() -> Callable[[EventConsumer], None]:
    """The handlers: a recording to transcribe becomes a leased job (``transcription_runner`` works it); consents
    are copied."""

    async def on_recording_uploaded(session: AsyncSession, event: RecordingUploaded, envelope: EventEnvelope) -> None:
        await enqueue_transcription(session, event)

    consent = consent_registrar(consents)

    def register(consumer: EventConsumer) -> None:
        consumer.on(RecordingUploaded)(on_recording_uploaded)
        consent(consumer)

    return register

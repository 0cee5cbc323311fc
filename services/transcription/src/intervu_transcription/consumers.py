"""The transcription worker's handlers."""

from __future__ import annotations

from collections.abc import Callable

from intervu_contracts import EventEnvelope, RecordingUploaded
from intervu_kit.events import EventConsumer
from intervu_kit.storage import Storage
from sqlalchemy.ext.asyncio import AsyncSession

from intervu_transcription.config import Settings
from intervu_transcription.providers.base import SpeechToText
from intervu_transcription.providers.local import LocalWhisper
from intervu_transcription.transcripts.service import transcribe_recording


def provider_from_settings(settings: Settings) -> SpeechToText:
    if settings.stt_provider != "local":
        raise ValueError(f"unknown speech-to-text provider {settings.stt_provider!r} (available: local)")
    return LocalWhisper(settings.stt_model_dir, settings.stt_threads, settings.stt_beam_size)


def registrar(storage: Storage, stt: SpeechToText) -> Callable[[EventConsumer], None]:
    async def on_recording_uploaded(session: AsyncSession, event: RecordingUploaded, envelope: EventEnvelope) -> None:
        await transcribe_recording(session, storage, stt, event, envelope)

    def register(consumer: EventConsumer) -> None:
        consumer.on(RecordingUploaded)(on_recording_uploaded)

    return register

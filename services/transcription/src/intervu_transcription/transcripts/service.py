"""Transcribing a recording the media service accepted, once, and telling the others."""

from __future__ import annotations

import logging
import tempfile
import uuid
from pathlib import Path

import sqlalchemy as sa
from intervu_contracts import (
    EventEnvelope,
    RecordingUploaded,
    TranscriptionCompleted,
    TranscriptionFailed,
    TranscriptWord,
)
from intervu_kit.events import publish
from intervu_kit.storage import ObjectNotFound, Storage, download_to_file
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from intervu_transcription.models import TranscriptionProgress, TranscriptRow, events
from intervu_transcription.providers.base import SpeechToText, TranscriptionError
from intervu_transcription.transcripts.progress import ProgressWriter

log = logging.getLogger(__name__)

NO_CONSENT = (
    "Speech-to-text here is done by a third-party provider, which you have not allowed to process your answers, and no "
    "local provider is configured. Allow third-party AI in your consents, or type your answer."
)


async def transcribe_recording(
    session: AsyncSession,
    storage: Storage,
    stt: SpeechToText | None,
    event: RecordingUploaded,
    _: EventEnvelope,
    progress: ProgressWriter | None = None,
) -> TranscriptRow:
    existing = await session.scalar(sa.select(TranscriptRow).where(TranscriptRow.recording_id == event.recording_id))
    if existing is not None:
        return existing  # already done (the inbox makes this rare; a unique key makes it impossible to double)
    row = TranscriptRow(
        id=uuid.uuid4(),
        recording_id=event.recording_id,
        user_id=event.user_id,
        answer_id=event.answer_id,
        provider=stt.name if stt else "none",
    )
    with tempfile.TemporaryDirectory(prefix="stt-") as tmp:
        audio = Path(tmp) / "audio.wav"
        try:
            await download_to_file(storage, event.audio_key, audio)
            reporter = None
            if progress is not None:
                await progress.set(event.recording_id, event.user_id, "transcribing", 0.0)
                reporter = progress.reporter(event.recording_id, event.user_id)
            if stt is None:
                raise TranscriptionError(NO_CONSENT)
            transcript = await stt.transcribe(audio, reporter)
        except (TranscriptionError, ObjectNotFound) as exc:
            log.warning("transcription of %s failed: %s", event.recording_id, exc)
            row.status, row.error, row.text = "failed", str(exc)[:2000], ""
            session.add(row)
            await _finish(session, event, "failed")
            await publish(
                session,
                events.outbox,
                TranscriptionFailed(recording_id=event.recording_id, user_id=event.user_id, reason=str(exc)[:500]),
                producer="transcription",
            )
            return row
    row.status = "completed"
    row.language = transcript.language
    row.text = transcript.text
    row.words = [
        {"text": w.text, "start": w.start, "end": w.end, "probability": w.probability} for w in transcript.words
    ]
    row.speech = [[a, b] for a, b in transcript.speech]
    row.duration_s = transcript.duration_s
    session.add(row)
    await _finish(session, event, "completed")
    await session.flush()
    await publish(
        session,
        events.outbox,
        TranscriptionCompleted(
            transcript_id=row.id,
            recording_id=event.recording_id,
            user_id=event.user_id,
            answer_id=event.answer_id,
            provider=row.provider,
            language=transcript.language,
            words=[
                TranscriptWord(text=w.text, start=w.start, end=w.end, probability=w.probability)
                for w in transcript.words
            ],
            speech=list(transcript.speech),
            duration_s=transcript.duration_s,
            audio_key=event.audio_key,
            storage_key=event.storage_key,
            has_video=event.has_video,
        ),
        producer="transcription",
    )
    return row


async def _finish(session: AsyncSession, event: RecordingUploaded, status: str) -> None:
    """The final progress state commits with the transcript itself: never "completed" without one."""
    await session.execute(
        insert(TranscriptionProgress)
        .values(recording_id=event.recording_id, user_id=event.user_id, status=status, share=1.0)
        .on_conflict_do_update(index_elements=["recording_id"], set_={"status": status, "share": 1.0})
    )


async def progress_of(session: AsyncSession, user_id: str, recording_id: uuid.UUID) -> TranscriptionProgress | None:
    return await session.scalar(
        sa.select(TranscriptionProgress).where(
            TranscriptionProgress.recording_id == recording_id, TranscriptionProgress.user_id == user_id
        )
    )

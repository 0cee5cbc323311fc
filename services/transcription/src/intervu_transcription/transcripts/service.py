"""Transcribing a recording the media service accepted, once, and telling the others.

The handler of ``media.recording_uploaded.v1`` only enqueues a leased job (``intervu_kit.jobs``); the job runs
Whisper (or a provider) with no transaction open, and stores the transcript and its event in one short
transaction while it holds the lease. A worker killed mid-job loses its lease and another takes the job over.
"""

from __future__ import annotations

import asyncio
import logging
import tempfile
import uuid
from pathlib import Path

import sqlalchemy as sa
from intervu_contracts import (
    RecordingUploaded,
    TranscriptionCompleted,
    TranscriptionFailed,
    TranscriptWord,
)
from intervu_kit.consents import granted
from intervu_kit.db import Database
from intervu_kit.events import publish
from intervu_kit.jobs import Job, JobContext, JobRunner, enqueue
from intervu_kit.storage import ObjectNotFound, Storage, download_to_file
from intervu_kit.worker import Job as WorkerJob
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from intervu_transcription.config import Settings
from intervu_transcription.models import TRANSCRIBE_KIND, TranscriptionProgress, TranscriptRow, consents, events, jobs
from intervu_transcription.providers.base import SpeechToText, Transcript, TranscriptionError
from intervu_transcription.transcripts.progress import ProgressWriter

log = logging.getLogger(__name__)

NO_CONSENT = (
    "Speech-to-text here is done by a third-party provider, which you have not allowed to process your answers, and no "
    "local provider is configured. Allow third-party AI in your consents, or type your answer."
)


async def enqueue_transcription(session: AsyncSession, event: RecordingUploaded) -> None:
    """In the event handler's short transaction: the recording is transcribed by a leased job, not in the handler
    (Whisper on a long answer used to hold the inbox transaction and a 900 s ack wait)."""
    payload = event.model_dump(mode="json")
    await enqueue(session, jobs, TRANSCRIBE_KIND, str(event.recording_id), payload, user_id=event.user_id)


async def transcribe(
    storage: Storage, stt: SpeechToText | None, event: RecordingUploaded, progress: ProgressWriter | None = None
) -> Transcript | TranscriptionError | ObjectNotFound:
    """The slow part, with no transaction open. A failure that retrying cannot mend (no consent, the audio gone,
    the provider refusing this audio) is returned to be stored; anything else raises, and the job is retried."""
    with tempfile.TemporaryDirectory(prefix="stt-") as tmp:
        audio = Path(tmp) / "audio.wav"
        try:
            await download_to_file(storage, event.audio_key, audio)
            reporter = None
            if progress is not None:
                await progress.set(event.recording_id, event.user_id, "transcribing", 0.0, event.answer_id)
                reporter = progress.reporter(event.recording_id, event.user_id, event.answer_id)
            if stt is None:
                raise TranscriptionError(NO_CONSENT)
            return await stt.transcribe(audio, reporter)
        except (TranscriptionError, ObjectNotFound) as exc:
            log.warning("transcription of %s failed: %s", event.recording_id, exc)
            return exc


async def store_transcript(
    session: AsyncSession,
    event: RecordingUploaded,
    provider: str,
    outcome: Transcript | TranscriptionError | ObjectNotFound,
) -> TranscriptRow:
    """The result and its event, in the one short transaction that finishes the job (once per recording)."""
    existing = await session.scalar(sa.select(TranscriptRow).where(TranscriptRow.recording_id == event.recording_id))
    if existing is not None:
        return existing  # a job taken over after its first runner stored the result: nothing to add
    row = TranscriptRow(
        id=uuid.uuid4(),
        recording_id=event.recording_id,
        user_id=event.user_id,
        answer_id=event.answer_id,
        provider=provider,
    )
    if not isinstance(outcome, Transcript):
        row.status, row.error, row.text = "failed", str(outcome)[:2000], ""
        session.add(row)
        await _finish(session, event, "failed")
        await publish(
            session,
            events.outbox,
            TranscriptionFailed(
                recording_id=event.recording_id,
                user_id=event.user_id,
                reason=str(outcome)[:500],
                answer_id=event.answer_id,
            ),
            producer="transcription",
        )
        return row
    transcript = outcome
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


async def transcribe_job(
    job: Job,
    ctx: JobContext,
    storage: Storage,
    stt: SpeechToText,
    local: SpeechToText | None,
    progress: ProgressWriter | None,
) -> None:
    event = RecordingUploaded.model_validate(job.payload)
    async with ctx.db.transaction() as session:
        done = await session.scalar(sa.select(TranscriptRow.id).where(TranscriptRow.recording_id == event.recording_id))
        chosen: SpeechToText | None = stt
        # Decided when the work starts, not when the event came: a consent withdrawn meanwhile is honoured.
        if stt.third_party and not await granted(session, consents, event.user_id, "third_party_ai"):
            chosen = local  # the person's voice stays on our machines
    if done is not None:
        async with ctx.finishing():
            return
    outcome = await transcribe(storage, chosen, event, progress)
    async with ctx.finishing() as session:
        await store_transcript(session, event, chosen.name if chosen else "none", outcome)


def transcription_runner(
    storage: Storage,
    stt: SpeechToText,
    local: SpeechToText | None,
    progress: ProgressWriter | None,
    settings: Settings,
) -> WorkerJob:
    async def handle(job: Job, ctx: JobContext) -> None:
        await transcribe_job(job, ctx, storage, stt, local, progress)

    async def on_parked(session: AsyncSession, job: Job, error: str) -> None:
        # Retried until parked (a provider down for long, a bug): the answer is told, not left "transcribing".
        event = RecordingUploaded.model_validate(job.payload)
        failure = TranscriptionError("We could not transcribe this recording. Record it again, or type your answer.")
        await store_transcript(session, event, stt.name, failure)

    async def run(db: Database, stop: asyncio.Event) -> None:
        runner = JobRunner(
            db,
            jobs,
            {TRANSCRIBE_KIND: handle},
            lease_s=settings.transcription_job_lease_s,
            max_attempts=settings.job_max_attempts,
            concurrency=settings.transcription_job_concurrency,
            listen_dsn=settings.listen_dsn,
            on_parked={TRANSCRIBE_KIND: on_parked},
        )
        await runner.run(stop)

    return run


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

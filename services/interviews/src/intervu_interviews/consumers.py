"""What the interviews service does with other services' events."""

from __future__ import annotations

import logging
import uuid

from intervu_contracts import (
    ConsentChanged,
    EventEnvelope,
    FeedbackCompleted,
    FollowUpDecided,
    RecordingProcessing,
    RecordingRejected,
    RecordingUploaded,
    TranscriptionCompleted,
    TranscriptionFailed,
    TranscriptionProgressed,
    UploadStarted,
)
from intervu_kit.consents import copy_consent, granted
from intervu_kit.events import EventConsumer
from sqlalchemy.ext.asyncio import AsyncSession

from intervu_interviews.followups.service import on_follow_up_decided
from intervu_interviews.models import Answer, AnswerKind, AnswerStage, AnswerStatus, consents
from intervu_interviews.sessions.repository import SessionRepository
from intervu_interviews.status.repository import StatusRepository
from intervu_interviews.status.service import move

log = logging.getLogger(__name__)


async def on_recording_uploaded(session: AsyncSession, event: RecordingUploaded, _: EventEnvelope) -> None:
    if event.answer_id is None:
        return
    # The answer must belong to the uploader: metadata comes from the client and is not trusted.
    answer = await SessionRepository(session).get_answer_owned(event.answer_id, event.user_id)
    if answer is None or answer.kind != AnswerKind.RECORDING.value:
        log.warning(
            "recording %s names answer %s, which the uploader does not own", event.recording_id, event.answer_id
        )
        return
    answer.recording_id = event.recording_id
    answer.status = AnswerStatus.RECORDED.value
    answer.rejection_code = answer.rejection_reason = None
    await move(session, answer, AnswerStage.TRANSCRIBING, 0.0)


async def on_recording_rejected(session: AsyncSession, event: RecordingRejected, _: EventEnvelope) -> None:
    if event.answer_id is None:
        return
    answer = await SessionRepository(session).get_answer_owned(event.answer_id, event.user_id)
    if answer is None or answer.status == AnswerStatus.RECORDED.value:
        return  # a later, valid upload for the same answer wins
    answer.status = AnswerStatus.REJECTED.value
    answer.rejection_code = event.code
    answer.rejection_reason = event.reason
    await move(session, answer, AnswerStage.REJECTED, reason=event.reason)


# --- the answer's one status: each service's event moves it along (forward only; see status/core.py) -----------


async def _owned(session: AsyncSession, answer_id: uuid.UUID | None, user_id: str) -> Answer | None:
    if answer_id is None:
        return None
    return await StatusRepository(session).answer_owned(answer_id, user_id)


async def on_upload_started(session: AsyncSession, event: UploadStarted, _: EventEnvelope) -> None:
    answer = await _owned(session, event.answer_id, event.user_id)
    if answer is not None and answer.kind == AnswerKind.RECORDING.value:
        await move(session, answer, AnswerStage.UPLOADING)


async def on_recording_processing(session: AsyncSession, event: RecordingProcessing, _: EventEnvelope) -> None:
    answer = await _owned(session, event.answer_id, event.user_id)
    if answer is not None and answer.kind == AnswerKind.RECORDING.value:
        await move(session, answer, AnswerStage.CHECKING)


async def on_transcription_progressed(session: AsyncSession, event: TranscriptionProgressed, _: EventEnvelope) -> None:
    answer = await _owned(session, event.answer_id, event.user_id)
    if answer is not None and answer.recording_id == event.recording_id:
        await move(session, answer, AnswerStage.TRANSCRIBING, event.share)


async def on_transcription_completed(session: AsyncSession, event: TranscriptionCompleted, _: EventEnvelope) -> None:
    answer = await _owned(session, event.answer_id, event.user_id)
    if answer is not None and answer.recording_id == event.recording_id:
        await move(session, answer, AnswerStage.ANALYSING)


async def on_transcription_failed(session: AsyncSession, event: TranscriptionFailed, _: EventEnvelope) -> None:
    repo = StatusRepository(session)
    answer = await (
        repo.answer_owned(event.answer_id, event.user_id)
        if event.answer_id is not None
        else repo.answer_of_recording(event.recording_id, event.user_id)
    )
    if answer is not None and answer.recording_id == event.recording_id:
        await move(session, answer, AnswerStage.FAILED, reason=event.reason)


async def on_feedback_completed(session: AsyncSession, event: FeedbackCompleted, _: EventEnvelope) -> None:
    answer = await _owned(session, event.answer_id, event.user_id)
    if answer is not None:
        await move(session, answer, AnswerStage.READY)


async def on_consent_changed(session: AsyncSession, event: ConsentChanged, _: EventEnvelope) -> None:
    await copy_consent(session, consents, event)
    # Withdrawn: the device information already kept goes too (the newest answer decides, whatever the order).
    if event.purpose == "device_info" and not await granted(session, consents, event.user_id, "device_info"):
        await SessionRepository(session).forget_devices(event.user_id)


def register(consumer: EventConsumer) -> None:
    consumer.on(RecordingUploaded)(on_recording_uploaded)
    consumer.on(RecordingRejected)(on_recording_rejected)
    consumer.on(UploadStarted)(on_upload_started)
    consumer.on(RecordingProcessing)(on_recording_processing)
    consumer.on(TranscriptionProgressed)(on_transcription_progressed)
    consumer.on(TranscriptionCompleted)(on_transcription_completed)
    consumer.on(TranscriptionFailed)(on_transcription_failed)
    consumer.on(FeedbackCompleted)(on_feedback_completed)
    consumer.on(FollowUpDecided)(on_follow_up_decided)
    consumer.on(ConsentChanged)(on_consent_changed)

"""What the interviews service does with other services' events."""

from __future__ import annotations

import logging

from intervu_contracts import ConsentChanged, EventEnvelope, RecordingRejected, RecordingUploaded
from intervu_kit.consents import copy_consent, granted
from intervu_kit.events import EventConsumer
from sqlalchemy.ext.asyncio import AsyncSession

from intervu_interviews.models import AnswerKind, AnswerStatus, consents
from intervu_interviews.sessions.repository import SessionRepository

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


async def on_recording_rejected(session: AsyncSession, event: RecordingRejected, _: EventEnvelope) -> None:
    if event.answer_id is None:
        return
    answer = await SessionRepository(session).get_answer_owned(event.answer_id, event.user_id)
    if answer is None or answer.status == AnswerStatus.RECORDED.value:
        return  # a later, valid upload for the same answer wins
    answer.status = AnswerStatus.REJECTED.value
    answer.rejection_code = event.code
    answer.rejection_reason = event.reason


async def on_consent_changed(session: AsyncSession, event: ConsentChanged, _: EventEnvelope) -> None:
    await copy_consent(session, consents, event)
    # Withdrawn: the device information already kept goes too (the newest answer decides, whatever the order).
    if event.purpose == "device_info" and not await granted(session, consents, event.user_id, "device_info"):
        await SessionRepository(session).forget_devices(event.user_id)


def register(consumer: EventConsumer) -> None:
    consumer.on(RecordingUploaded)(on_recording_uploaded)
    consumer.on(RecordingRejected)(on_recording_rejected)
    consumer.on(ConsentChanged)(on_consent_changed)

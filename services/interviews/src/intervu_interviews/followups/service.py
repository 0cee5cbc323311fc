"""The interviewer listens: what an answer's event tells feedback about the interview, and asking the follow-up
feedback proposes (``feedback.follow_up_decided.v1``) as a new session question under the main one."""

from __future__ import annotations

import logging
import uuid
from datetime import UTC, datetime

from intervu_contracts import EventEnvelope, FollowUpAsked, FollowUpContext, FollowUpDecided
from intervu_kit.events import publish
from sqlalchemy.ext.asyncio import AsyncSession

from intervu_interviews.config import get_settings
from intervu_interviews.followups.core import acknowledgement, follow_ups_left
from intervu_interviews.models import Answer, FollowUpState, PracticeSession, SessionQuestion, SessionStatus, events
from intervu_interviews.sessions.repository import SessionRepository
from intervu_interviews.status.repository import StatusRepository

log = logging.getLogger(__name__)


def main_of(practice: PracticeSession, slot: SessionQuestion) -> SessionQuestion:
    if slot.parent_id is None:
        return slot
    return next(sq for sq in practice.questions if sq.id == slot.parent_id)


def thread(practice: PracticeSession, main: SessionQuestion) -> list[SessionQuestion]:
    return [sq for sq in practice.questions if sq.parent_id == main.id]


def asked_in(practice: PracticeSession) -> list[str]:
    """Everything the interviewer asked in this session so far (a follow-up never repeats one)."""
    return [sq.prompt or sq.question.text for sq in practice.questions]


def allowance(practice: PracticeSession, main: SessionQuestion) -> int:
    """Follow-ups this main question may still get. None once the session is completed or abandoned: the
    interviewer has said goodbye (a completed session still takes new attempts, as practice, without follow-ups)."""
    if practice.status in (SessionStatus.COMPLETED.value, SessionStatus.ABANDONED.value):
        return 0
    settings = get_settings()
    return follow_ups_left(
        practice.interviewer,
        settings.follow_ups_per_question,
        len(thread(practice, main)),
        practice.started_at,
        datetime.now(UTC),
        settings.interview_budget_s,
    )


def context_of(practice: PracticeSession, slot: SessionQuestion) -> FollowUpContext | None:
    if slot.parent_id is None:
        return None
    main = main_of(practice, slot)
    return FollowUpContext(parent_session_question_id=main.id, depth=slot.depth, main_type=main.question.type)


async def on_follow_up_decided(session: AsyncSession, event: FollowUpDecided, _: EventEnvelope) -> None:
    repo = SessionRepository(session)
    answer = await repo.get_answer_owned(event.answer_id, event.user_id)
    if answer is None or answer.follow_up != FollowUpState.PENDING.value:
        return  # not an interview answer, or decided already (a retried analysis publishes again)
    practice = await repo.session_of_answer(answer, lock=True)
    if practice is None:
        return
    slot = next(sq for sq in practice.questions if sq.id == answer.session_question_id)
    main = main_of(practice, slot)
    proposed = event.follow_up
    # Checked again here: the session may have been completed or abandoned, or another attempt used this question's
    # follow-ups, since the answer was sent; and never the same question twice in one session.
    newest = max(slot.answers, key=lambda a: a.attempt).id == answer.id
    if proposed is None or not newest or allowance(practice, main) <= 0 or proposed.text in asked_in(practice):
        await _decided(session, practice, answer, FollowUpState.NONE)
        return
    earlier = [sq for sq in practice.questions if sq.parent_id is not None]
    spoken = f"{acknowledgement(practice.interviewer, len(earlier))} {proposed.text}"
    follow_up = SessionQuestion(
        id=uuid.uuid4(),
        question_id=main.question_id,
        question=main.question,
        position=main.position,
        depth=max([sq.depth for sq in thread(practice, main)], default=0) + 1,
        matched_terms=[],
        answers=[],
        parent_id=main.id,
        prompt=proposed.text,
        spoken=spoken,
        probe=proposed.probe,
        reason=proposed.reason,
        evidence={"first": proposed.evidence_first, "last": proposed.evidence_last, "text": proposed.quote},
        from_answer_id=answer.id,
        decided_by=proposed.provider,
    )
    practice.questions.append(follow_up)
    await session.flush()
    await publish(
        session,
        events.outbox,
        FollowUpAsked(
            session_id=practice.id,
            user_id=practice.user_id,
            session_question_id=follow_up.id,
            parent_session_question_id=main.id,
            text=proposed.text,
            spoken=spoken,
            interviewer=practice.interviewer,
        ),
        producer="interviews",
    )
    await _decided(session, practice, answer, FollowUpState.ASKED)


async def _decided(session: AsyncSession, practice: PracticeSession, answer: Answer, state: FollowUpState) -> None:
    answer.follow_up = state.value
    await StatusRepository(session).notify(practice.id)  # the page waiting for it hears at once

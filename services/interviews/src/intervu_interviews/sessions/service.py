"""Practice sessions: picking questions, the lifecycle, answers and attempts.

Lifecycle: created -> in_progress -> completed | abandoned. The first answer starts a session. A completed
session still takes new attempts (re-answering a question is how people practise); an abandoned one does not.
"""

from __future__ import annotations

import random
import uuid
from datetime import UTC, datetime

import anyio
from intervu_contracts import (
    FOLLOW_UP_QUESTION_TYPE,
    AnswerSubmitted,
    InterviewSessionCreated,
    QuestionContext,
    SessionQuestionText,
)
from intervu_kit.consents import granted
from intervu_kit.errors import Conflict, IntervuError, NotFound
from intervu_kit.events import publish
from sqlalchemy.ext.asyncio import AsyncSession

from intervu_interviews.followups.service import allowance, asked_in, context_of, main_of, thread
from intervu_interviews.models import (
    Answer,
    AnswerKind,
    AnswerStage,
    AnswerStatus,
    FollowUpState,
    PracticeSession,
    Question,
    SessionQuestion,
    SessionStatus,
    consents,
    events,
)
from intervu_interviews.questions.repository import QuestionRepository
from intervu_interviews.ranking import (
    CLASSIC_KEYS,
    OPENER_KEY,
    infer_role,
    inferred_skills,
    pick_diverse,
    prefer_role,
    rank_for_job_description,
    split_opener,
)
from intervu_interviews.sessions.device import describe_device
from intervu_interviews.sessions.repository import SessionRepository
from intervu_interviews.sessions.schemas import AnswerCreate, SessionCreate

# How feedback judges an answer to a follow-up: a question type of its own (no STAR: the story is the main answer's)
# and a short suggested length.
FOLLOW_UP_SECONDS = 20  # "a sentence or two": 50-125% is 10-25 s spoken


class SessionNotFound(NotFound):
    code = "session_not_found"
    message = "No such practice session."


class NotEnoughQuestions(IntervuError):
    status = 422
    code = "not_enough_questions"
    message = "There are not enough questions for this choice; pick another type or difficulty."


class InvalidTransition(Conflict):
    code = "invalid_transition"


_TRANSITIONS = {
    SessionStatus.CREATED: {SessionStatus.IN_PROGRESS, SessionStatus.ABANDONED},
    SessionStatus.IN_PROGRESS: {SessionStatus.COMPLETED, SessionStatus.ABANDONED},
    SessionStatus.COMPLETED: set(),
    SessionStatus.ABANDONED: set(),
}


class SessionService:
    def __init__(self, session: AsyncSession) -> None:
        self.db = session
        self.repo = SessionRepository(session)
        self.questions = QuestionRepository(session)

    async def create(self, user_id: str, data: SessionCreate, user_agent: str | None = None) -> PracticeSession:
        device = None
        if await granted(self.db, consents, user_id, "device_info", hold=True):
            info = describe_device(user_agent)
            device = info.model_dump() if info else None
        practice = PracticeSession(
            id=uuid.uuid4(),
            user_id=user_id,
            status=SessionStatus.CREATED.value,
            role=data.role,
            type=data.type.value if data.type else None,
            difficulty=data.difficulty.value if data.difficulty else None,
            job_description=data.job_description,
            interviewer=data.interviewer,
            device=device,
        )
        type_ = data.type.value if data.type else None
        difficulty = data.difficulty.value if data.difficulty else None
        # The classic questions belong to every role; they open the session only when nothing was filtered out.
        classics = await self.questions.active(keys=CLASSIC_KEYS, type_=type_, difficulty=difficulty)
        unfiltered = type_ is None and difficulty is None
        if data.job_description:
            # With a role, stay within it (plus the general questions); without, the description decides.
            roles = [data.role, "general"] if data.role else None
            pool = await self.questions.active(roles=roles, type_=type_, difficulty=difficulty, with_embeddings=True)
            # The encoder is CPU work: off the event loop, so other requests keep flowing meanwhile.
            ranked = await anyio.to_thread.run_sync(rank_for_job_description, data.job_description, pool)
            inference = (
                await anyio.to_thread.run_sync(infer_role, ranked, data.job_description) if data.role is None else None
            )
            if inference is not None:
                # A description is about one job: its questions first, so the session feels like that interview.
                # What it was read as is kept and shown, so a wrong reading can be corrected (choose the role).
                practice.role = inference.role
                ranked = prefer_role(ranked, inference.role)
                practice.inferred = {
                    "role": inference.role,
                    "alternatives": inference.alternatives,
                    "skills": await anyio.to_thread.run_sync(
                        inferred_skills, ranked, data.job_description, inference.role
                    ),
                }
            opener, _ = split_opener(classics, data.question_count) if unfiltered else (None, [])
            opening = [r for r in ranked if opener is not None and r.question.key == OPENER_KEY]
            rest = [r for r in ranked if r not in opening]
            chosen = opening[:1] + pick_diverse(rest, data.question_count - len(opening[:1]))
            picks: list[tuple[Question, float | None, list[str]]] = [
                (r.question, round(r.score, 4), r.matched_terms) for r in chosen
            ]
        else:
            pool = list(
                await self.questions.active(
                    roles=[data.role] if data.role else None, type_=type_, difficulty=difficulty
                )
            )
            pool += [q for q in classics if q.role != data.role]
            opener, others = split_opener(pool, data.question_count) if unfiltered else (None, pool)
            # A fresh mix each time: practising the same five questions forever teaches little.
            sample = random.sample(others, k=min(data.question_count - (opener is not None), len(others)))
            picks = [(q, None, []) for q in ([opener] if opener else []) + sample]
        if len(picks) < data.question_count:
            raise NotEnoughQuestions(details={"available": len(picks), "requested": data.question_count})
        practice.questions = [
            SessionQuestion(
                id=uuid.uuid4(),
                question_id=q.id,
                question=q,
                position=i + 1,
                relevance=score,
                matched_terms=terms,
                answers=[],
            )
            for i, (q, score, terms) in enumerate(picks)
        ]
        self.repo.add(practice)
        await self.db.flush()
        await publish(
            self.db,
            events.outbox,
            InterviewSessionCreated(
                session_id=practice.id,
                user_id=user_id,
                question_ids=[sq.question_id for sq in practice.questions],
                questions=[
                    SessionQuestionText(question_id=sq.question_id, position=sq.position, text=sq.question.text)
                    for sq in practice.questions
                ],
                interviewer=practice.interviewer,
            ),
            producer="interviews",
        )
        return practice

    async def get(self, user_id: str, session_id: uuid.UUID, *, lock: bool = False) -> PracticeSession:
        practice = await self.repo.get_owned(session_id, user_id, lock=lock)
        if practice is None:
            raise SessionNotFound()  # another user's session is indistinguishable from a missing one
        return practice

    async def transition(self, user_id: str, session_id: uuid.UUID, target: SessionStatus) -> PracticeSession:
        practice = await self.get(user_id, session_id, lock=True)
        current = SessionStatus(practice.status)
        if target not in _TRANSITIONS[current]:
            raise InvalidTransition(
                f"A session that is {current.value} cannot become {target.value}.",
                details={"from": current.value, "to": target.value},
            )
        if target is SessionStatus.COMPLETED and not any(sq.answers for sq in practice.questions):
            raise InvalidTransition(
                "Answer at least one question before completing the session.", code="nothing_answered"
            )
        now = datetime.now(UTC)
        if target is SessionStatus.IN_PROGRESS:
            practice.started_at = now
        else:
            practice.ended_at = now
        practice.status = target.value
        return practice

    async def answer(
        self, user_id: str, session_id: uuid.UUID, session_question_id: uuid.UUID, data: AnswerCreate
    ) -> Answer:
        practice = await self.get(user_id, session_id, lock=True)  # the lock serialises attempt numbers
        if practice.status == SessionStatus.ABANDONED.value:
            raise Conflict("This session was abandoned; start a new one.", code="session_abandoned")
        slot = next((sq for sq in practice.questions if sq.id == session_question_id), None)
        if slot is None:
            raise NotFound("This question is not part of the session.", code="session_question_not_found")
        if practice.status == SessionStatus.CREATED.value:
            practice.status = SessionStatus.IN_PROGRESS.value
            practice.started_at = datetime.now(UTC)
        answer = Answer(
            id=uuid.uuid4(),
            session_question_id=slot.id,
            user_id=user_id,
            attempt=await self.repo.next_attempt(slot.id),
            kind=data.kind,
            status=AnswerStatus.SUBMITTED.value
            if data.kind == AnswerKind.TEXT.value
            else AnswerStatus.AWAITING_RECORDING.value,
            # A typed answer goes straight to analysis; a recording waits for its upload.
            stage=AnswerStage.ANALYSING.value
            if data.kind == AnswerKind.TEXT.value
            else AnswerStage.AWAITING_RECORDING.value,
            stage_share=0.0,
            text=data.text,
        )
        main = main_of(practice, slot)
        left = allowance(practice, main)
        # An answer given in the interview waits for the interviewer's decision (a follow-up or none), which feedback
        # makes from its analysis; with no follow-up allowed it is decided at once.
        answer.follow_up = (FollowUpState.PENDING if left > 0 else FollowUpState.NONE).value
        slot.answers.append(answer)
        await self.db.flush()
        question = slot.question
        await publish(
            self.db,
            events.outbox,
            AnswerSubmitted(
                answer_id=answer.id,
                user_id=user_id,
                session_id=practice.id,
                question_id=question.id,
                attempt=answer.attempt,
                kind="text" if data.kind == AnswerKind.TEXT.value else "recording",
                text=data.text,
                question=QuestionContext(
                    # A follow-up is judged as the short question it is: its own words, no STAR, no key points.
                    text=slot.prompt or question.text,
                    type=FOLLOW_UP_QUESTION_TYPE if slot.parent_id else question.type,
                    difficulty=question.difficulty,
                    competencies=list(question.competencies),
                    key_points=[] if slot.parent_id else list(question.key_points),
                    suggested_seconds=FOLLOW_UP_SECONDS if slot.parent_id else question.suggested_seconds,
                ),
                session_question_id=slot.id,
                interviewer=practice.interviewer,
                follow_up=context_of(practice, slot),
                follow_ups_left=left,
                asked=asked_in(practice),
                asked_probes=[sq.probe for sq in thread(practice, main) if sq.probe],
            ),
            producer="interviews",
        )
        return answer

    async def get_answer(self, user_id: str, answer_id: uuid.UUID) -> Answer:
        answer = await self.repo.get_answer_owned(answer_id, user_id)
        if answer is None:
            raise NotFound("No such answer.", code="answer_not_found")
        return answer

    async def get_answer_where(self, user_id: str, answer_id: uuid.UUID) -> tuple[Answer, uuid.UUID]:
        """The answer and the id of its session."""
        answer = await self.get_answer(user_id, answer_id)
        practice = await self.repo.session_of_answer(answer)
        if practice is None:  # its question's session is gone (deleted meanwhile)
            raise NotFound("No such answer.", code="answer_not_found")
        return answer, practice.id

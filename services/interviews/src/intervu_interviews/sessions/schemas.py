from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Literal

from intervu_contracts import Interviewer
from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from intervu_interviews.models import Difficulty, QuestionType, SessionStatus
from intervu_interviews.questions.schemas import QuestionOut, Slug
from intervu_interviews.sessions.device import DeviceInfo

JobDescription = Annotated[str, StringConstraints(strip_whitespace=True, min_length=40, max_length=20000)]


class SessionCreate(BaseModel):
    """Either a role (with optional type and difficulty) or a pasted job description picks the questions."""

    model_config = ConfigDict(extra="forbid")
    role: Slug | None = None
    type: QuestionType | None = None
    difficulty: Difficulty | None = None
    job_description: (
        Annotated[str, StringConstraints(strip_whitespace=True, min_length=40, max_length=20000)] | None
    ) = None
    question_count: Annotated[int, Field(ge=1, le=20)] = 5
    # Who asks the questions (the avatar service's personas); none: the avatar service's default.
    interviewer: Interviewer | None = None

    @model_validator(mode="after")
    def _role_or_description(self) -> SessionCreate:
        if self.role is None and self.job_description is None:
            raise ValueError("give a role or a job description")
        return self


class AnswerCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    kind: Literal["recording", "text"]
    text: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=20000)] | None = None

    @model_validator(mode="after")
    def _text_for_text(self) -> AnswerCreate:
        if (self.kind == "text") != (self.text is not None):
            raise ValueError("a typed answer has text; a recorded answer has none")
        return self


class AnswerOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: uuid.UUID
    session_question_id: uuid.UUID
    attempt: int
    kind: str
    status: str
    text: str | None
    recording_id: uuid.UUID | None
    rejection_code: str | None
    rejection_reason: str | None
    # Where it is on its way to feedback (pushed live by GET /sessions/{id}/status/stream).
    stage: str
    stage_share: float
    # The interviewer's decision after this answer: pending, asked (a follow-up joined the session) or none.
    follow_up: str | None = None
    created_at: datetime
    # Only on GET /answers/{id}: which session it belongs to (a notice's link opens the answer in its results).
    session_id: uuid.UUID | None = None


class FollowUpEvidence(BaseModel):
    first: int  # the words of the answer it comes from (indexes into that answer's transcript; -1: none)
    last: int
    text: str


class SessionQuestionOut(BaseModel):
    """A main question of the session, or a follow-up the interviewer asked after an answer (``parent_id`` set: it
    shares its main question's position, ``depth`` 1, 2...; ``prompt`` is what was asked, ``question`` the main
    question it follows)."""

    model_config = ConfigDict(from_attributes=True)
    id: uuid.UUID
    position: int
    relevance: float | None
    matched_terms: list[str]
    question: QuestionOut
    answers: list[AnswerOut]
    parent_id: uuid.UUID | None = None
    depth: int = 0
    prompt: str | None = None
    probe: str | None = None  # what it probes: result, action, own_part, measure, key_point, depth_scale...
    reason: str | None = None  # why the interviewer asked it
    evidence: FollowUpEvidence | None = None
    from_answer_id: uuid.UUID | None = None  # the answer it follows up
    decided_by: str | None = None  # "local" (the offline rules) or an LLM provider


class InferredRole(BaseModel):
    """What a pasted job description was read as. Not right? Create the session again with ``role`` set (and the
    same description): the questions then come from that role."""

    role: str
    label: str
    alternatives: list[str]  # the next most likely roles, best first
    skills: list[str]  # what the posting asks for, in its words


class SessionSummary(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: uuid.UUID
    status: SessionStatus
    role: str | None
    type: str | None
    difficulty: str | None
    from_job_description: bool
    interviewer: str | None
    device: DeviceInfo | None = None  # only with your consent to device information
    question_count: int
    answered_count: int
    created_at: datetime
    started_at: datetime | None
    ended_at: datetime | None


class SessionOut(SessionSummary):
    job_description: str | None
    inferred: InferredRole | None = None  # only when a job description chose the role
    questions: list[SessionQuestionOut]


class SessionPage(BaseModel):
    items: list[SessionSummary]
    total: int
    page: int
    page_size: int

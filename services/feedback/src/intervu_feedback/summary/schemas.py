from __future__ import annotations

import uuid

from pydantic import BaseModel


class CompetencyScore(BaseModel):
    competency: str
    score: float  # the mean overall score of the answers whose question asks for it
    answers: list[uuid.UUID]  # the answers it comes from


class Moment(BaseModel):
    """A strength to keep, or a thing to work on, with the words it rests on (in that answer's transcript)."""

    answer_id: uuid.UUID
    question: str
    code: str  # the remark's stable code (star_complete, filler_cluster, ...)
    message: str
    quote: str | None
    first: int | None  # word indexes into that answer's transcript (None: the answer as a whole)
    last: int | None
    start_s: float | None  # where it is in the recording (typed answers have no times)


class InterviewComparison(BaseModel):
    this_interview: float  # the mean overall score of its answers
    earlier: float | None  # the mean of the person's earlier interviews (None: this is the first)
    earlier_interviews: int
    delta: float | None


class InterviewSummary(BaseModel):
    session_id: uuid.UUID
    answers: int  # answers with feedback (the newest attempt at each question and follow-up)
    follow_ups: int  # of which answers to the interviewer's follow-ups
    overall: float
    competencies: list[CompetencyScore]
    strengths: list[Moment]  # the three strongest moments
    work_on: list[Moment]  # the three things to work on first
    compared: InterviewComparison

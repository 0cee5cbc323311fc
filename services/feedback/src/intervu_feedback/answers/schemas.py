from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel


class EvidenceOut(BaseModel):
    first: int
    last: int
    text: str
    start_s: float | None
    end_s: float | None


class ScoreOut(BaseModel):
    name: str
    label: str
    value: int
    weight: float
    explanation: str
    evidence: list[EvidenceOut]


class RemarkOut(BaseModel):
    code: str
    message: str
    tone: Literal["strength", "improve"]
    evidence: list[EvidenceOut]


class WordOut(BaseModel):
    text: str
    start: float | None
    end: float | None


class ImprovementOut(BaseModel):
    point: str
    suggestion: str


class CoachingOut(BaseModel):
    summary: str
    strengths: list[str]
    improvements: list[ImprovementOut]
    next_step: str


class FeedbackOut(BaseModel):
    """An answer's feedback. ``status`` is "pending" while the recording is still being transcribed or analysed."""

    answer_id: uuid.UUID
    status: Literal["pending", "ready"]
    feedback_id: uuid.UUID | None = None
    question_id: uuid.UUID | None = None
    attempt: int | None = None
    source: Literal["recording", "text"] | None = None
    overall_score: float | None = None
    scores: list[ScoreOut] = []
    remarks: list[RemarkOut] = []
    words: list[WordOut] = []  # the transcript (or the typed text), indexed by the evidence
    filler_indexes: list[int] = []
    metrics: dict[str, Any] = {}  # delivery, content, voice and video figures
    coaching: CoachingOut | None = None
    coaching_provider: str | None = None
    created_at: datetime | None = None


class FeedbackSummary(BaseModel):
    answer_id: uuid.UUID
    feedback_id: uuid.UUID
    question_id: uuid.UUID | None
    session_id: uuid.UUID | None
    attempt: int | None
    source: str
    overall_score: float
    created_at: datetime


class ScoreChange(BaseModel):
    name: str
    label: str
    before: int
    after: int
    delta: int
    # The change this score makes between two recordings of the same answer (measured, noise.py): a smaller delta
    # is "same".
    noise: int
    verdict: Literal["improved", "worse", "same"]


class MetricChange(BaseModel):
    name: str
    before: float
    after: float
    delta: float


class AttemptRef(BaseModel):
    answer_id: uuid.UUID
    attempt: int | None
    overall: float


class Comparison(BaseModel):
    before: AttemptRef
    after: AttemptRef
    overall_delta: float
    overall_noise: int
    scores: list[ScoreChange]
    metrics: list[MetricChange]
    summary: str

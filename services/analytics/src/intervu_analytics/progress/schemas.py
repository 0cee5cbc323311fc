from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel


class Point(BaseModel):
    at: datetime
    value: float


class Day(BaseModel):
    day: date
    answers: int
    overall: float  # the day's average


class Trend(BaseModel):
    """A measure over the period: its average, the latest value, and its change per week (least squares; None
    with fewer than three points or all on one day)."""

    name: str
    average: float | None
    latest: float | None
    per_week: float | None
    points: list[Point]


class Progress(BaseModel):
    """Your progress over the period: answers and sessions practised, the overall score day by day, each skill's
    score over time, and how your delivery (pace, fillers, pauses) changed."""

    since: datetime
    answers: int
    sessions: int
    overall: Trend
    days: list[Day]
    skills: list[Trend]
    pace_wpm: Trend
    fillers_per_minute: Trend
    longest_pause_s: Trend
    by_question_type: dict[str, float]

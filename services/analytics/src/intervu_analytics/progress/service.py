"""Progress over time from answer results: what the progress page draws."""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Sequence
from datetime import UTC, datetime

from intervu_contracts import EventEnvelope, FeedbackCompleted
from sqlalchemy.ext.asyncio import AsyncSession

from intervu_analytics.models import AnswerResult
from intervu_analytics.progress.repository import ResultRepository
from intervu_analytics.progress.schemas import Day, Point, Progress, Trend

WEEK_S = 7 * 24 * 3600
# Skills in the order the page shows them (the names feedback gives its scores).
SKILLS = ("relevance", "coverage", "structure", "quantified", "length", "pace", "fillers", "pauses", "intonation",
          "presence")  # fmt: skip


async def on_feedback_completed(session: AsyncSession, event: FeedbackCompleted, envelope: EventEnvelope) -> None:
    d = event.delivery
    await ResultRepository(session).upsert(
        {
            "answer_id": event.answer_id,
            "user_id": event.user_id,
            "feedback_id": event.feedback_id,
            "session_id": event.session_id,
            "question_id": event.question_id,
            "attempt": event.attempt,
            "question_type": event.question_type,
            "difficulty": event.difficulty,
            "source": event.source,
            "overall": event.overall_score,
            "scores": event.scores,
            "wpm": d.wpm if d else None,
            "fillers_per_minute": d.fillers_per_minute if d else None,
            "fillers_per_100_words": d.fillers_per_100_words if d else None,
            "longest_pause_s": d.longest_pause_s if d else None,
            "duration_s": d.duration_s if d else None,
            "completed_at": event.completed_at or envelope.occurred_at,
        }
    )


def slope_per_week(points: Sequence[Point]) -> float | None:
    """Least-squares change per week; None with fewer than three points or no spread in time."""
    if len(points) < 3:
        return None
    xs = [p.at.timestamp() / WEEK_S for p in points]
    if max(xs) - min(xs) < 1 / 7:  # all within a day: no trend to speak of
        return None
    ys = [p.value for p in points]
    mx, my = statistics.fmean(xs), statistics.fmean(ys)
    den = sum((x - mx) ** 2 for x in xs)
    return round(sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / den, 2) if den else None


def trend(name: str, points: list[Point]) -> Trend:
    return Trend(
        name=name,
        average=round(statistics.fmean(p.value for p in points), 1) if points else None,
        latest=points[-1].value if points else None,
        per_week=slope_per_week(points),
        points=points,
    )


def _series(rows: Sequence[AnswerResult], value: str) -> list[Point]:
    return [Point(at=r.completed_at, value=round(v, 2)) for r in rows if (v := getattr(r, value)) is not None]


def progress_of(rows: Sequence[AnswerResult], since: datetime) -> Progress:
    by_day: dict[object, list[float]] = defaultdict(list)
    by_type: dict[str, list[float]] = defaultdict(list)
    for r in rows:
        by_day[r.completed_at.astimezone(UTC).date()].append(r.overall)
        if r.question_type:
            by_type[r.question_type].append(r.overall)
    skills = []
    for name in SKILLS:
        points = [Point(at=r.completed_at, value=r.scores[name]) for r in rows if name in r.scores]
        if points:
            skills.append(trend(name, points))
    return Progress(
        since=since,
        answers=len(rows),
        sessions=len({r.session_id for r in rows if r.session_id}),
        overall=trend("overall", _series(rows, "overall")),
        days=[Day(day=d, answers=len(v), overall=round(statistics.fmean(v), 1)) for d, v in sorted(by_day.items())],
        skills=skills,
        pace_wpm=trend("pace_wpm", _series(rows, "wpm")),
        fillers_per_minute=trend("fillers_per_minute", _series(rows, "fillers_per_minute")),
        longest_pause_s=trend("longest_pause_s", _series(rows, "longest_pause_s")),
        by_question_type={t: round(statistics.fmean(v), 1) for t, v in sorted(by_type.items())},
    )

"""The whole interview in one view: per-competency scores across its answers, the three strongest moments, the
three things to work on first (each with its evidence), and how it compares with the person's earlier interviews.

A pure core over the stored feedback: the newest attempt at each question (and at each follow-up) counts.
Strengths are ranked by how good the answer they come from is, things to work on by how weak; one per kind of
remark, so the three are three different lessons.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from intervu_contracts import FOLLOW_UP_QUESTION_TYPE
from intervu_kit.errors import NotFound

from intervu_feedback.models import AnswerInput, Feedback
from intervu_feedback.summary.schemas import CompetencyScore, InterviewComparison, InterviewSummary, Moment


class SummaryNotFound(NotFound):
    code = "summary_not_found"
    message = "No feedback in this session yet (or it is not yours)."


def newest(rows: Sequence[tuple[Feedback, AnswerInput | None]]) -> list[tuple[Feedback, AnswerInput | None]]:
    """The newest attempt per session question (a follow-up is a question of its own)."""
    best: dict[str, tuple[Feedback, AnswerInput | None]] = {}
    for feedback, data in rows:
        slot = str(((data.interview if data else None) or {}).get("session_question_id") or feedback.question_id)
        if slot not in best or (feedback.attempt or 0) > (best[slot][0].attempt or 0):
            best[slot] = (feedback, data)
    return sorted(best.values(), key=lambda fd: fd[0].created_at)


def _moment(feedback: Feedback, data: AnswerInput | None, remark: dict[str, Any]) -> Moment:
    evidence = (remark.get("evidence") or [{}])[0]
    whole = evidence.get("text") == "(the whole answer)"
    return Moment(
        answer_id=feedback.answer_id,
        question=str(((data.question if data else None) or {}).get("text", "")),
        code=remark["code"],
        message=remark["message"],
        quote=None if whole else evidence.get("text"),
        first=None if whole else evidence.get("first"),
        last=None if whole else evidence.get("last"),
        start_s=evidence.get("start_s"),
    )


def _pick(
    answers: Sequence[tuple[Feedback, AnswerInput | None]], tone: str, best_first: bool, count: int = 3
) -> list[Moment]:
    ranked = sorted(answers, key=lambda fd: fd[0].overall_score, reverse=best_first)
    out: list[Moment] = []
    codes: set[str] = set()
    # Round by round: each answer's first unused remark of this tone, so the moments spread over the interview.
    queues = [[r for r in f.report.get("remarks", []) if r.get("tone") == tone] for f, _ in ranked]
    while len(out) < count and any(queues):
        for (feedback, data), queue in zip(ranked, queues, strict=True):
            while queue and queue[0]["code"] in codes:
                queue.pop(0)
            if queue and len(out) < count:
                remark = queue.pop(0)
                codes.add(remark["code"])
                out.append(_moment(feedback, data, remark))
    return out


def summarise(
    session_id: uuid.UUID,
    rows: Sequence[tuple[Feedback, AnswerInput | None]],
    earlier: Sequence[tuple[uuid.UUID, float]],
) -> InterviewSummary:
    """``earlier``: the person's other sessions before this one, as (session id, mean overall score)."""
    answers = newest(rows)
    if not answers:
        raise SummaryNotFound()
    by_competency: dict[str, list[Feedback]] = defaultdict(list)
    for feedback, data in answers:
        for competency in ((data.question if data else None) or {}).get("competencies", []):
            by_competency[str(competency)].append(feedback)
    overall = round(sum(f.overall_score for f, _ in answers) / len(answers), 1)
    before = [score for _, score in earlier]
    earlier_mean = round(sum(before) / len(before), 1) if before else None
    return InterviewSummary(
        session_id=session_id,
        answers=len(answers),
        follow_ups=sum(
            1 for _, d in answers if ((d.question if d else None) or {}).get("type") == FOLLOW_UP_QUESTION_TYPE
        ),
        overall=overall,
        competencies=sorted(
            (
                CompetencyScore(
                    competency=name,
                    score=round(sum(f.overall_score for f in fs) / len(fs), 1),
                    answers=[f.answer_id for f in fs],
                )
                for name, fs in by_competency.items()
            ),
            key=lambda c: (-c.score, c.competency),
        ),
        strengths=_pick(answers, "strength", best_first=True),
        work_on=_pick(answers, "improve", best_first=False),
        compared=InterviewComparison(
            this_interview=overall,
            earlier=earlier_mean,
            earlier_interviews=len(before),
            delta=round(overall - earlier_mean, 1) if earlier_mean is not None else None,
        ),
    )

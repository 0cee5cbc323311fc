"""The interviewer's next move after an answer: a follow-up or none, published as soon as the analysis is done.

The decision is a port like coaching: the offline rules (``probe.decide``) are the default and the fallback.
What the interview allows (follow-ups left on this main question, what was asked already) comes from interviews
with the answer (``AnswerSubmitted``); interviews checks it again when it asks.
"""

from __future__ import annotations

import uuid
from typing import Any

from intervu_contracts import FollowUpDecided, ProposedFollowUp, interviewer_style
from intervu_kit.events import publish
from sqlalchemy.ext.asyncio import AsyncSession

from intervu_feedback.interviewer.probe import decide
from intervu_feedback.models import AnswerInput, events

LOCAL = "local"


def proposal(data: AnswerInput, report_json: dict[str, Any]) -> ProposedFollowUp | None:
    """The offline interviewer's follow-up on this answer, within what the interview allows."""
    interview = data.interview or {}
    if int(interview.get("follow_ups_left", 0)) <= 0:
        return None
    question = dict(data.question or {})
    follow_up = interview.get("follow_up")
    if follow_up:
        question["type"] = follow_up["main_type"]
    chosen = decide(
        report_json,
        question,
        interviewer_style(interview.get("interviewer")),
        asked=interview.get("asked", []),
        asked_probes=interview.get("asked_probes", []),
        after_follow_up=bool(follow_up),
    )
    if chosen is None:
        return None
    return ProposedFollowUp(
        probe=chosen.probe,
        text=chosen.text,
        reason=chosen.reason,
        evidence_first=chosen.first,
        evidence_last=chosen.last,
        quote=chosen.quote[:1000],
        provider=LOCAL,
    )


def in_interview(data: AnswerInput) -> bool:
    """Answers given in a session's interview get a decision (none included: the interview then moves on)."""
    return bool((data.interview or {}).get("session_question_id"))


async def publish_decision(session: AsyncSession, data: AnswerInput, follow_up: ProposedFollowUp | None) -> None:
    interview = data.interview or {}
    await publish(
        session,
        events.outbox,
        FollowUpDecided(
            answer_id=data.answer_id,
            user_id=data.user_id,
            session_id=data.session_id,
            session_question_id=uuid.UUID(str(interview["session_question_id"])),
            follow_up=follow_up,
        ),
        producer="feedback",
    )

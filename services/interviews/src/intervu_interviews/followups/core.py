"""The interview's rules for follow-ups (a pure core): how many a main question may get, and the short
acknowledgement the interviewer says before one.

Acknowledgements are never evaluative mid-interview ("Great answer!" would be feedback before the feedback) and
never the same sentence twice in a row: the n-th follow-up of a session takes the n-th line of the persona's list.
"""

from __future__ import annotations

from datetime import datetime

from intervu_contracts import InterviewerStyle, interviewer_style

# Acknowledgements by the persona's style.
ACKNOWLEDGEMENTS: dict[InterviewerStyle, tuple[str, ...]] = {
    "friendly": ("Thank you.", "I see, thanks.", "Okay, thanks for that.", "Right, thank you.", "Mm, I see."),
    "neutral": ("Okay.", "I see.", "Thanks.", "Right.", "Understood."),
    "tough": ("Okay.", "Right.", "Noted.", "Hm.", "Mm-hm."),
}
# The friendly interviewer asks at most one follow-up per main question, whatever the setting allows.
STYLE_CAP: dict[InterviewerStyle, int] = {"friendly": 1}


def acknowledgement(persona: str | None, follow_ups_so_far: int) -> str:
    lines = ACKNOWLEDGEMENTS[interviewer_style(persona)]
    return lines[follow_ups_so_far % len(lines)]


def follow_ups_left(
    persona: str | None,
    setting: int,
    asked_on_this_question: int,
    started_at: datetime | None,
    now: datetime,
    budget_s: int,
) -> int:
    """How many more follow-ups a main question may get now (0 once the interview's time budget is spent)."""
    if started_at is not None and (now - started_at).total_seconds() > budget_s:
        return 0
    cap = min(setting, STYLE_CAP.get(interviewer_style(persona), setting))
    return max(0, cap - asked_on_this_question)

"""What a person prepares for: kept here (the practice setup starts from it) and announced (reminders use it)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from intervu_contracts import GoalChanged
from intervu_kit.errors import IntervuError
from intervu_kit.events import publish
from sqlalchemy.ext.asyncio import AsyncSession

from intervu_interviews.goals.repository import GoalRepository
from intervu_interviews.goals.schemas import GoalIn, GoalOut
from intervu_interviews.models import events
from intervu_interviews.questions.service import QuestionService

# A date a little in the past is a time zone, not a mistake (today in Sydney is yesterday in UTC); two years ahead
# is the furthest anyone books an interview.
PAST_GRACE = timedelta(days=1)
FURTHEST = timedelta(days=730)


class UnknownRole(IntervuError):
    status = 422
    code = "unknown_role"
    message = "There are no questions for this role: choose one of GET /roles."


class InvalidInterviewDate(IntervuError):
    status = 422
    code = "invalid_interview_date"
    message = "The interview date must be from today to two years ahead."


def goal_out(role: str | None, label: str | None, difficulty: str | None, when: date | None, at: datetime | None,
             today: date) -> GoalOut:  # fmt: skip
    days = (when - today).days if when else None
    return GoalOut(role=role, role_label=label, difficulty=difficulty, interview_date=when, days_until=days,
                   updated_at=at)  # fmt: skip


async def _labels(session: AsyncSession) -> dict[str, str]:
    return {role: label for role, label, _ in await QuestionService(session).roles()}


async def get_goal(session: AsyncSession, user_id: str) -> GoalOut:
    goal = await GoalRepository(session).get(user_id)
    today = datetime.now(UTC).date()
    if goal is None:
        return goal_out(None, None, None, None, None, today)
    label = (await _labels(session)).get(goal.role) if goal.role else None
    return goal_out(goal.role, label, goal.difficulty, goal.interview_date, goal.updated_at, today)


async def set_goal(session: AsyncSession, user_id: str, data: GoalIn) -> GoalOut:
    now = datetime.now(UTC)
    labels = await _labels(session)
    if data.role is not None and data.role not in labels:
        raise UnknownRole(details={"role": data.role})
    if data.interview_date is not None and not (
        now.date() - PAST_GRACE <= data.interview_date <= now.date() + FURTHEST
    ):
        raise InvalidInterviewDate(details={"interview_date": data.interview_date.isoformat()})
    difficulty = data.difficulty.value if data.difficulty else None
    await GoalRepository(session).save(user_id, data.role, difficulty, data.interview_date, now)
    label = labels.get(data.role) if data.role else None
    await publish(
        session,
        events.outbox,
        GoalChanged(
            user_id=user_id,
            role=data.role,
            role_label=label,
            difficulty=difficulty,
            interview_date=data.interview_date,
            changed_at=now,
        ),
        producer="interviews",
    )
    return goal_out(data.role, label, difficulty, data.interview_date, now, now.date())

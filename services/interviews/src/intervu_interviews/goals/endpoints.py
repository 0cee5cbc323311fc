from __future__ import annotations

from fastapi import APIRouter
from intervu_kit.auth import CurrentUser
from intervu_kit.db import SessionDep
from intervu_kit.policy_gate import PolicyAccepted

from intervu_interviews.goals.schemas import GoalIn, GoalOut
from intervu_interviews.goals.service import get_goal, set_goal

router = APIRouter(prefix="/goal", tags=["practice goal"])


@router.get("", response_model=GoalOut)
async def read_goal(user: CurrentUser, session: SessionDep) -> GoalOut:
    """What you are preparing for (all null until you say), with the days left until the interview."""
    return await get_goal(session, user.id)


@router.put("", response_model=GoalOut)
async def write_goal(data: GoalIn, user: PolicyAccepted, session: SessionDep) -> GoalOut:
    """Say (or change) what you are preparing for: a role of `GET /roles`, a level, the date of the interview. New
    sessions start from it, and practice reminders count down to the date."""
    return await set_goal(session, user.id, data)

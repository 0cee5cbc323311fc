from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Annotated

from fastapi import APIRouter, Query
from intervu_kit.auth import CurrentUser
from intervu_kit.db import SessionDep

from intervu_analytics.progress.repository import ResultRepository
from intervu_analytics.progress.schemas import Progress
from intervu_analytics.progress.service import progress_of

router = APIRouter(tags=["progress"])


@router.get("/progress", response_model=Progress)
async def progress(user: CurrentUser, session: SessionDep, days: Annotated[int, Query(ge=1, le=3650)] = 90) -> Progress:
    """Your progress over the last `days` days: scores over time and per skill, pace and filler trends."""
    since = datetime.now(UTC) - timedelta(days=days)
    return progress_of(await ResultRepository(session).since(user.id, since), since)

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Literal

from pydantic import BaseModel

ExportStatus = Literal["collecting", "ready", "expired", "failed"]


class ExportOut(BaseModel):
    """An export of your data. While `collecting`, `answered` of `total` services have sent their part; when
    `ready`, `download_url` works for a few minutes (ask again for a new one) until `expires_at`."""

    id: uuid.UUID
    status: ExportStatus
    requested_at: datetime
    answered: int
    total: int
    waiting_for: list[str]
    ready_at: datetime | None
    expires_at: datetime | None
    size: int | None
    download_url: str | None
    error: str | None


class ExportReport(BaseModel):
    """What one pass of the export scheduler did."""

    assembled: list[uuid.UUID] = []
    queued: list[uuid.UUID] = []  # every part in: its ZIP is being made by a leased job
    asked_again: dict[str, list[str]] = {}
    failed: list[uuid.UUID] = []
    expired: list[uuid.UUID] = []

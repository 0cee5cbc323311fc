from __future__ import annotations

from datetime import datetime
from typing import Annotated

from intervu_contracts import ConsentPurpose
from pydantic import BaseModel, ConfigDict, Field

PURPOSES: tuple[ConsentPurpose, ...] = ("third_party_ai", "keep_recordings", "device_info", "notifications")
DESCRIPTIONS: dict[str, str] = {
    "third_party_ai": "Let third-party AI providers (speech-to-text, feedback, video) process my answers. "
    "Withdrawn: only Intervu's own local models touch my data, or the feature says it is off.",
    "keep_recordings": "Keep my recordings. Withdrawn: recordings are deleted after the retention period; "
    "transcripts, feedback and scores stay.",
    "device_info": "Record my device type, operating system and browser with each practice session.",
    "notifications": "Send me notifications (feedback ready, practice reminders).",
}


class ConsentOut(BaseModel):
    purpose: ConsentPurpose
    description: str
    granted: bool
    retention_days: int | None
    changed_at: datetime | None  # None: never answered (the default applies)


class ConsentUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    granted: bool
    # keep_recordings only: how long recordings are kept when it is withdrawn (1-365 days; default 30).
    retention_days: Annotated[int, Field(ge=1, le=365)] | None = None


class ConsentChangeOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    purpose: str
    granted: bool
    retention_days: int | None
    changed_at: datetime

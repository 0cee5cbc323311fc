from __future__ import annotations

from datetime import datetime
from typing import Annotated

from intervu_contracts import ConsentPurpose
from pydantic import BaseModel, ConfigDict, Field

PURPOSES: tuple[ConsentPurpose, ...] = ("third_party_ai", "keep_recordings", "device_info", "notifications")
# What each switch means, said once: the page shows its title beside it ("Keep my recordings"), so these explain
# rather than repeat it (a person read "Keep my recordings. Keep my recordings.").
DESCRIPTIONS: dict[str, str] = {
    "third_party_ai": "Outside providers (speech-to-text, feedback, interviewer video) may process your answers. "
    "Off: only Intervu's own models touch them, or the feature says it is off.",
    "keep_recordings": "Your answer videos stay until you delete them. Off: they are deleted after the period you "
    "choose; transcripts, feedback and scores stay.",
    "device_info": "Your device type, operating system and browser, stored with each practice session.",
    "notifications": "Notices by e-mail and push (feedback ready, export ready, practice reminders). Off: they "
    "only appear in your inbox here.",
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

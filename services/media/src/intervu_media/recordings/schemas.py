from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import BaseModel, ConfigDict


class RecordingOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: uuid.UUID
    status: str
    answer_id: uuid.UUID | None
    session_id: uuid.UUID | None
    filename: str | None
    upload_length: int | None
    upload_offset: int
    container: str | None
    audio_codec: str | None
    video_codec: str | None
    duration_s: float | None
    media_type: str | None
    media_size: int | None
    rejection_code: str | None
    rejection_reason: str | None
    created_at: datetime
    ready_at: datetime | None


class Playback(BaseModel):
    url: str
    audio_url: str
    expires_at: datetime
    content_type: str

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Literal

from pydantic import BaseModel


class PreviewOut(BaseModel):
    text: str
    status: Literal["pending", "rendering", "ready", "text_only"]
    media: Literal["video", "audio"] | None
    duration_s: float | None
    webm_url: str | None = None
    mp4_url: str | None = None
    audio_webm_url: str | None = None
    audio_m4a_url: str | None = None
    captions_url: str | None = None


class PersonaOut(BaseModel):
    id: str
    name: str
    title: str
    style: Literal["friendly", "neutral", "tough"]
    description: str
    default: bool
    preview: PreviewOut | None = None


class ClipOut(BaseModel):
    """One thing the interviewer says. ``status``: ``pending`` / ``rendering`` (show the text and a progress
    indicator; a clip rendered again after a degraded result keeps its old URLs meanwhile), ``ready`` (``media``
    says whether there is a video or only the voice), ``text_only`` (show the words: every renderer failed)."""

    position: int
    kind: Literal["intro", "question", "transition", "closing", "follow_up"]
    question_id: uuid.UUID | None
    session_question_id: uuid.UUID | None = None  # a follow-up's session question (interviews' id)
    text: str
    status: Literal["pending", "rendering", "ready", "text_only"]
    media: Literal["video", "audio"] | None
    rendered_by: str | None
    degraded: bool
    duration_s: float | None
    webm_url: str | None = None
    mp4_url: str | None = None
    audio_webm_url: str | None = None
    audio_m4a_url: str | None = None
    captions_url: str | None = None


class SessionVideos(BaseModel):
    session_id: uuid.UUID
    persona: PersonaOut | None  # None while nothing is planned yet (total 0)
    ready: int  # clips done (ready or text only): a progress bar's numerator
    total: int
    expires_at: datetime  # the signed URLs stop working then: ask again
    clips: list[ClipOut]

"""Event payloads, grouped by the service that publishes them.

Payloads carry identifiers and the facts a consumer needs, never media bytes, and never more personal
data than the consumer needs (the privacy policy's "minimum data necessary").
"""

from __future__ import annotations

import uuid
from datetime import date
from typing import Literal

from intervu_contracts.base import Event

# --- accounts -------------------------------------------------------------------------------------


class UserDeletionRequested(Event):
    """The grace period of a deletion request ended: every service deletes all of the user's data."""

    event_name = "accounts.user_deletion_requested.v1"
    user_id: str  # Keycloak subject
    deletion_id: uuid.UUID
    requested_on: date


# --- interviews -----------------------------------------------------------------------------------


class InterviewSessionCreated(Event):
    event_name = "interviews.session_created.v1"
    session_id: uuid.UUID
    user_id: str
    question_ids: list[uuid.UUID]


# --- media ----------------------------------------------------------------------------------------


class RecordingUploaded(Event):
    """A recording passed validation and is stored; ``audio_key`` is the 16 kHz mono track for STT."""

    event_name = "media.recording_uploaded.v1"
    recording_id: uuid.UUID
    user_id: str
    session_id: uuid.UUID | None = None
    answer_id: uuid.UUID | None = None
    storage_key: str
    audio_key: str
    duration_s: float
    has_video: bool


class UploadCompleted(Event):
    """All bytes of a tus upload arrived; the media worker validates and processes them next."""

    event_name = "media.upload_completed.v1"
    recording_id: uuid.UUID
    user_id: str


class RecordingRejected(Event):
    """A recording failed validation; its bytes are already deleted."""

    event_name = "media.recording_rejected.v1"
    recording_id: uuid.UUID
    user_id: str
    answer_id: uuid.UUID | None = None
    code: str
    reason: str


# --- transcription --------------------------------------------------------------------------------


class TranscriptionCompleted(Event):
    event_name = "transcription.completed.v1"
    transcript_id: uuid.UUID
    recording_id: uuid.UUID
    user_id: str
    answer_id: uuid.UUID | None = None
    provider: str
    language: str


class TranscriptionFailed(Event):
    event_name = "transcription.failed.v1"
    recording_id: uuid.UUID
    user_id: str
    reason: str


# --- feedback -------------------------------------------------------------------------------------


class FeedbackCompleted(Event):
    event_name = "feedback.completed.v1"
    feedback_id: uuid.UUID
    answer_id: uuid.UUID
    user_id: str
    overall_score: float
    source: Literal["recording", "text"]

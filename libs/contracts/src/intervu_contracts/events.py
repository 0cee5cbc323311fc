"""Event payloads, grouped by the service that publishes them.

Payloads carry identifiers and the facts a consumer needs, never media bytes, and never more personal
data than the consumer needs (the privacy policy's "minimum data necessary").
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Literal

from intervu_contracts.base import Event

# --- accounts -------------------------------------------------------------------------------------


class UserDeletionRequested(Event):
    """The grace period of a deletion request ended: every service deletes all of the user's data and confirms
    with ``privacy.user_data_deleted.v1``. Accounts sends it again to the services that have not confirmed
    (``services`` names them; None: every service)."""

    event_name = "accounts.user_deletion_requested.v1"
    user_id: str  # Keycloak subject
    deletion_id: uuid.UUID
    requested_on: date
    services: list[str] | None = None
    # The second round, an hour after every service confirmed: deletes what arrived late (events retried or held
    # back while a service was down, writes made with a token issued before the account was disabled).
    sweep: bool = False


class UserExportRequested(Event):
    """A person asked for a copy of their data: every service writes its part and answers with
    ``privacy.user_data_exported.v1`` (``services``: only those, when accounts asks again)."""

    event_name = "accounts.user_export_requested.v1"
    user_id: str
    export_id: uuid.UUID
    services: list[str] | None = None


class ExportReady(Event):
    """A person's export is ready to download (notifications tells them)."""

    event_name = "accounts.export_ready.v1"
    user_id: str
    export_id: uuid.UUID
    size: int
    expires_at: datetime


class PolicyPublished(Event):
    """A new version of the privacy policy is current: everyone is asked to read and accept it (notifications
    tells them)."""

    event_name = "accounts.policy_published.v1"
    version: int
    summary: str | None = None
    published_at: datetime


# --- every service: its part of a privacy request -------------------------------------------------


class UserDataDeleted(Event):
    """A service deleted every row and stored object of a person. Holds no personal data: the deletion id
    and counts only (accounts keeps them in the deletion receipt)."""

    event_name = "privacy.user_data_deleted.v1"
    deletion_id: uuid.UUID
    service: str
    rows: int
    objects: int
    deleted_at: datetime
    sweep: bool = False  # answers the sweep (the second round)


class ExportFile(Event):
    """One file of a service's export part (a part, not an event): where it goes in the ZIP and where it is
    stored now."""

    path: str
    key: str
    size: int


class UserDataExported(Event):
    """A service wrote its part of an export (JSON per entity, plus the person's stored files)."""

    event_name = "privacy.user_data_exported.v1"
    export_id: uuid.UUID
    service: str
    files: list[ExportFile]
    counts: dict[str, int]


# The purposes a person consents to, each separately and withdrawable at any time.
ConsentPurpose = Literal["third_party_ai", "keep_recordings", "device_info", "notifications"]


class ConsentChanged(Event):
    """A person granted or withdrew one consent. Services that act on it keep their own copy of the latest state
    (the third-party gate in transcription, feedback and avatar; retention in media; notifications)."""

    event_name = "accounts.consent_changed.v1"
    user_id: str
    purpose: str  # a ConsentPurpose (a string on the wire: a purpose added later must not break consumers)
    granted: bool
    # keep_recordings: withdrawn means recordings are deleted this many days after upload (transcripts and
    # metrics stay); None: the default retention.
    retention_days: int | None = None
    changed_at: datetime


# --- interviews -----------------------------------------------------------------------------------


# The interviewer personas a session may ask for (the avatar service owns their looks and voices). A string on the
# wire, so a persona added later does not break older consumers.
Interviewer = Literal["maya", "daniel", "sam"]
DEFAULT_INTERVIEWER = "daniel"
# How each persona interviews (interviews caps its follow-ups by it, feedback's rules probe by it; the avatar
# service's personas carry the same style, checked by its tests).
InterviewerStyle = Literal["friendly", "neutral", "tough"]
INTERVIEWER_STYLES: dict[str, InterviewerStyle] = {"maya": "friendly", "daniel": "neutral", "sam": "tough"}
# The question type an answer to a follow-up travels with (no STAR: the story belongs to the main answer).
FOLLOW_UP_QUESTION_TYPE = "follow-up"


def interviewer_style(persona: str | None) -> InterviewerStyle:
    """The persona's style; an unknown or no persona is the default interviewer's."""
    return INTERVIEWER_STYLES.get(persona or DEFAULT_INTERVIEWER, INTERVIEWER_STYLES[DEFAULT_INTERVIEWER])


class SessionQuestionText(Event):
    """A question of a new session as the interviewer asks it (a part, not an event)."""

    question_id: uuid.UUID
    position: int
    text: str


class GoalChanged(Event):
    """What a person is preparing for changed (onboarding, settings): the role, the level and the date of the real
    interview, each optional. Notifications words its practice reminders with it ("your interview is in 5 days")."""

    event_name = "interviews.goal_changed.v1"
    user_id: str
    role: str | None
    role_label: str | None
    difficulty: str | None
    interview_date: date | None
    changed_at: datetime


class InterviewSessionCreated(Event):
    """A practice session was created; the avatar service renders its interviewer's videos from this."""

    event_name = "interviews.session_created.v1"
    session_id: uuid.UUID
    user_id: str
    question_ids: list[uuid.UUID]
    # Added later (optional, so older events still parse): what the interviewer will say, and who says it.
    questions: list[SessionQuestionText] = []
    interviewer: str | None = None


class QuestionContext(Event):
    """What feedback needs to know about the question an answer answers (no event name: a part, not an event)."""

    text: str
    type: str
    difficulty: str
    competencies: list[str] = []
    key_points: list[str] = []
    suggested_seconds: int = 120


class FollowUpContext(Event):
    """Which main question a follow-up belongs to, and how deep in its thread it is (1 = the first follow-up)."""

    parent_session_question_id: uuid.UUID
    depth: int
    main_type: str  # the main question's type (technical answers are probed deeper, STAR belongs to the main answer)


class AnswerSubmitted(Event):
    """An answer was started: typed (``text`` holds it) or recorded (the recording and transcript follow)."""

    event_name = "interviews.answer_submitted.v1"
    answer_id: uuid.UUID
    user_id: str
    session_id: uuid.UUID
    question_id: uuid.UUID
    attempt: int
    kind: Literal["recording", "text"]
    text: str | None = None
    question: QuestionContext
    # The interview around the answer (added for the interviewer's follow-ups; optional, so older events parse):
    session_question_id: uuid.UUID | None = None
    interviewer: str | None = None  # the persona (how hard the follow-ups probe)
    follow_up: FollowUpContext | None = None  # set when this answers a follow-up
    follow_ups_left: int = 0  # how many more follow-ups this main question may get (0: decide none)
    asked: list[str] = []  # what the interviewer asked in this session so far (never asked twice)
    asked_probes: list[str] = []  # the probe kinds already used on this main question


class FollowUpAsked(Event):
    """The interviewer asks a follow-up in a session: the avatar service renders ``spoken`` (an acknowledgement and
    the question) at once, ahead of everything else it renders."""

    event_name = "interviews.follow_up_asked.v1"
    session_id: uuid.UUID
    user_id: str
    session_question_id: uuid.UUID
    parent_session_question_id: uuid.UUID
    text: str  # the question alone (shown as the question)
    spoken: str  # what the interviewer says: a short acknowledgement, then the question
    interviewer: str | None = None


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


class UploadStarted(Event):
    """A person started uploading a recording (tus creation): the answer it names shows "uploading"."""

    event_name = "media.upload_started.v1"
    recording_id: uuid.UUID
    user_id: str
    answer_id: uuid.UUID | None = None


class RecordingProcessing(Event):
    """Every byte of a recording arrived; media checks and prepares it next (the answer shows "checking")."""

    event_name = "media.recording_processing.v1"
    recording_id: uuid.UUID
    user_id: str
    answer_id: uuid.UUID | None = None


class RecordingRejected(Event):
    """A recording failed validation; its bytes are already deleted."""

    event_name = "media.recording_rejected.v1"
    recording_id: uuid.UUID
    user_id: str
    answer_id: uuid.UUID | None = None
    code: str
    reason: str


# --- transcription --------------------------------------------------------------------------------


class TranscriptWord(Event):
    text: str
    start: float
    end: float
    probability: float = 1.0


class TranscriptionCompleted(Event):
    """A transcript is ready. It carries the words (feedback needs every one, with its timing) and where the
    recording's media lives, so the feedback service needs no call back to transcription or media."""

    event_name = "transcription.completed.v1"
    transcript_id: uuid.UUID
    recording_id: uuid.UUID
    user_id: str
    answer_id: uuid.UUID | None = None
    provider: str
    language: str
    words: list[TranscriptWord] = []
    speech: list[tuple[float, float]] = []  # speech regions from voice activity detection
    duration_s: float | None = None
    audio_key: str | None = None  # the 16 kHz mono track
    storage_key: str | None = None  # the recording as uploaded (remuxed)
    has_video: bool = False


class TranscriptionProgressed(Event):
    """How far the transcription of a recording is (``share`` of 0..1; sent every few percent)."""

    event_name = "transcription.progressed.v1"
    recording_id: uuid.UUID
    user_id: str
    answer_id: uuid.UUID | None = None
    share: float


class TranscriptionFailed(Event):
    event_name = "transcription.failed.v1"
    recording_id: uuid.UUID
    user_id: str
    reason: str
    answer_id: uuid.UUID | None = None  # added later: optional, so older events still parse


# --- feedback -------------------------------------------------------------------------------------


class DeliveryFigures(Event):
    """How an answer was delivered (a part, not an event): what progress analytics draws over time."""

    words: int
    duration_s: float | None = None
    wpm: float | None = None  # while speaking
    fillers_per_minute: float | None = None
    fillers_per_100_words: float = 0.0
    longest_pause_s: float = 0.0


class FeedbackCompleted(Event):
    event_name = "feedback.completed.v1"
    feedback_id: uuid.UUID
    answer_id: uuid.UUID
    user_id: str
    overall_score: float
    source: Literal["recording", "text"]
    # Added later (optional, so older events still parse): the answer's place and its figures, for analytics.
    session_id: uuid.UUID | None = None
    question_id: uuid.UUID | None = None
    attempt: int | None = None
    question_type: str | None = None
    difficulty: str | None = None
    scores: dict[str, int] = {}  # score name (pace, fillers, structure...) -> 0..100
    delivery: DeliveryFigures | None = None
    completed_at: datetime | None = None


class ProposedFollowUp(Event):
    probe: str  # result, action, situation, task, own_part, measure, key_point, concise, off_topic, story, depth_*
    text: str
    reason: str
    evidence_first: int  # the answer's words it comes from (indexes into its transcript; -1: the whole answer)
    evidence_last: int
    quote: str
    provider: str  # who decided: "local" (the rules) or an LLM provider


class FollowUpDecided(Event):
    """After analysing an answer, what the interviewer would ask next about it: a follow-up, or none (the
    interview moves on). Published before the coaching, so the interview does not wait for it."""

    event_name = "feedback.follow_up_decided.v1"
    answer_id: uuid.UUID
    user_id: str
    session_id: uuid.UUID | None = None
    session_question_id: uuid.UUID | None = None
    follow_up: ProposedFollowUp | None = None

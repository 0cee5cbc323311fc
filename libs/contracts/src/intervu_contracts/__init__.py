"""Versioned event schemas shared by every Intervu service.

An event name is ``<producer>.<what_happened_in_past_tense>.v<N>``. A schema never changes
incompatibly once published: a breaking change is a new ``vN+1`` event, published beside the old
one until every consumer has moved.
"""

from intervu_contracts.base import Event, EventEnvelope, event_class, registered_events
from intervu_contracts.events import (
    AnswerSubmitted,
    ConsentChanged,
    ConsentPurpose,
    DeliveryFigures,
    ExportFile,
    ExportReady,
    FeedbackCompleted,
    Interviewer,
    InterviewSessionCreated,
    PolicyPublished,
    QuestionContext,
    RecordingProcessing,
    RecordingRejected,
    RecordingUploaded,
    SessionQuestionText,
    TranscriptionCompleted,
    TranscriptionFailed,
    TranscriptionProgressed,
    TranscriptWord,
    UploadStarted,
    UserDataDeleted,
    UserDataExported,
    UserDeletionRequested,
    UserExportRequested,
)

__all__ = [
    "AnswerSubmitted",
    "ConsentChanged",
    "ConsentPurpose",
    "DeliveryFigures",
    "Event",
    "EventEnvelope",
    "ExportFile",
    "ExportReady",
    "FeedbackCompleted",
    "InterviewSessionCreated",
    "Interviewer",
    "PolicyPublished",
    "QuestionContext",
    "RecordingProcessing",
    "RecordingRejected",
    "RecordingUploaded",
    "SessionQuestionText",
    "TranscriptWord",
    "TranscriptionCompleted",
    "TranscriptionFailed",
    "TranscriptionProgressed",
    "UploadStarted",
    "UserDataDeleted",
    "UserDataExported",
    "UserDeletionRequested",
    "UserExportRequested",
    "event_class",
    "registered_events",
]

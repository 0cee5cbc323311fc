"""Where the feedback service keeps a person's data: what it was told about each answer, the feedback, and its copy
of their consent to third-party AI."""

from intervu_kit.privacy import Owned, UserData

from intervu_feedback.models import AnswerInput, Feedback, consents, jobs

USER_DATA = UserData(
    service="feedback",
    tables=[
        Owned(AnswerInput.__table__),  # type: ignore[arg-type]
        Owned(Feedback.__table__),  # type: ignore[arg-type]
        Owned(consents),
        Owned(jobs, exported=False),
    ],
)

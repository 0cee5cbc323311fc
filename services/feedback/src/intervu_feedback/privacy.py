"""Where the feedback service keeps a person's data: what it was told about each answer, and the feedback."""

from intervu_kit.privacy import Owned, UserData

from intervu_feedback.models import AnswerInput, Feedback

USER_DATA = UserData(
    service="feedback",
    tables=[Owned(AnswerInput.__table__), Owned(Feedback.__table__)],  # type: ignore[arg-type]
)

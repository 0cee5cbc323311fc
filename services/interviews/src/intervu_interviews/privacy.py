"""Where the interviews service keeps a person's data: their sessions, the questions asked in them, their answers
(the export and deletion themselves are the kit's, see ``intervu_kit.privacy``)."""

from intervu_kit.privacy import Owned, UserData

from intervu_interviews.models import Answer, PracticeGoal, PracticeSession, SessionQuestion, consents

_sessions = PracticeSession.__table__
USER_DATA = UserData(
    service="interviews",
    tables=[
        Owned(_sessions),  # type: ignore[arg-type]
        Owned(SessionQuestion.__table__, through=("session_id", _sessions, "id")),  # type: ignore[arg-type]
        Owned(Answer.__table__),  # type: ignore[arg-type]
        Owned(PracticeGoal.__table__),  # type: ignore[arg-type]
        Owned(consents),
    ],
)

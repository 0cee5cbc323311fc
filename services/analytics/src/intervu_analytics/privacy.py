"""Where the analytics service keeps a person's data: the results of their answers (scores and delivery figures
over time)."""

from intervu_kit.privacy import Owned, UserData

from intervu_analytics.models import AnswerResult

USER_DATA = UserData(service="analytics", tables=[Owned(AnswerResult.__table__)])  # type: ignore[arg-type]

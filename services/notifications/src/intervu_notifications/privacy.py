"""Where the notifications service keeps a person's data: their notices, their preferences, their browsers'
push subscriptions and its copy of their consent to notifications."""

from intervu_kit.privacy import Owned, UserData

from intervu_notifications.models import (
    InterviewGoal,
    Notification,
    PracticeActivity,
    Preferences,
    PushSubscription,
    consents,
)

USER_DATA = UserData(
    service="notifications",
    tables=[
        Owned(Notification.__table__, private_columns=("dedupe_key",)),  # type: ignore[arg-type]
        Owned(Preferences.__table__),  # type: ignore[arg-type]
        # The browser's keys are for encrypting to it, not information about the person: not exported.
        Owned(PushSubscription.__table__, private_columns=("p256dh", "auth")),  # type: ignore[arg-type]
        Owned(PracticeActivity.__table__),  # type: ignore[arg-type]
        Owned(InterviewGoal.__table__),  # type: ignore[arg-type]
        Owned(consents),
    ],
)

"""Where the notifications service keeps a person's data: their notices, their email preferences and its copy of
their consent to notifications."""

from intervu_kit.privacy import Owned, UserData

from intervu_notifications.models import Notification, Preferences, consents

USER_DATA = UserData(
    service="notifications",
    tables=[
        Owned(Notification.__table__, private_columns=("dedupe_key",)),  # type: ignore[arg-type]
        Owned(Preferences.__table__),  # type: ignore[arg-type]
        Owned(consents),
    ],
)

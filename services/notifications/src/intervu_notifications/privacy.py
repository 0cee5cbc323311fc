"""Where the notifications service keeps a person's data: nowhere yet but the events it handled (purged on deletion).
Declare every table that holds a person's rows here (a test fails when a table with a `user_id` is left out)."""

from intervu_kit.privacy import UserData

USER_DATA = UserData(service="notifications", tables=[])

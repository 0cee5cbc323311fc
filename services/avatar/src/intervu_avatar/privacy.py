"""Where the avatar service keeps a person's data: which interviewer clips their sessions play. The clips
themselves hold only the interviewer's words (shared by everyone who was asked the same question): not the
person's data, kept."""

from intervu_kit.privacy import Owned, UserData

from intervu_avatar.models import SessionVideo

USER_DATA = UserData(service="avatar", tables=[Owned(SessionVideo.__table__)])  # type: ignore[arg-type]

"""Where the transcription service keeps a person's data: transcripts (words with timings) and the progress of
those being made."""

from intervu_kit.privacy import Owned, UserData

from intervu_transcription.models import TranscriptionProgress, TranscriptRow

USER_DATA = UserData(
    service="transcription",
    tables=[Owned(TranscriptRow.__table__), Owned(TranscriptionProgress.__table__)],  # type: ignore[arg-type]
)

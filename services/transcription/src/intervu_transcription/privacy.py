"""Where the transcription service keeps a person's data: transcripts (words with timings) and the progress of
those being made, and its copy of their consent to third-party AI."""

from intervu_kit.privacy import Owned, UserData

from intervu_transcription.models import TranscriptionProgress, TranscriptRow, consents

USER_DATA = UserData(
    service="transcription",
    tables=[Owned(TranscriptRow.__table__), Owned(TranscriptionProgress.__table__), Owned(consents)],  # type: ignore[arg-type]
)

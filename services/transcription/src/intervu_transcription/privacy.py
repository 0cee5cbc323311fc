"""Where the transcription service keeps a person's data: transcripts (words with timings) and the progress of
those being made, and its copy of their consent to third-party AI."""

from intervu_kit.privacy import Owned, UserData

from intervu_transcription.models import TranscriptionProgress, TranscriptRow, consents, jobs

USER_DATA = UserData(
    service="transcription",
    tables=[
        Owned(TranscriptRow.__table__),  # type: ignore[arg-type]
        Owned(TranscriptionProgress.__table__),  # type: ignore[arg-type]
        Owned(consents),
        Owned(jobs, exported=False),
    ],
)

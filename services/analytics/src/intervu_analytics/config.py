from functools import lru_cache

from intervu_kit.settings import KitSettings


class Settings(KitSettings):
    service_name: str = "analytics"


@lru_cache
def get_settings() -> Settings:
    return Settings()

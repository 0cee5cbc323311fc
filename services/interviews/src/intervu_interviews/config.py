from functools import lru_cache

from intervu_kit.settings import KitSettings


class Settings(KitSettings):
    service_name: str = "interviews"
    # The interviewer's follow-ups: at most this many per main question (the friendly persona asks at most one),
    # and none once the interview has run this long (its time budget).
    follow_ups_per_question: int = 2
    interview_budget_s: int = 45 * 60


@lru_cache
def get_settings() -> Settings:
    return Settings()

from functools import lru_cache
from typing import Literal

from intervu_kit.settings import KitSettings
from pydantic import SecretStr


class Settings(KitSettings):
    service_name: str = "feedback"
    # Who writes the narrative coaching: "local" (offline, from the metrics; the default), "openai" (any
    # OpenAI-compatible server: OpenAI, Ollama, vLLM, llama.cpp) or "anthropic".
    coach_provider: Literal["local", "openai", "anthropic"] = "local"
    coach_base_url: str = "https://api.openai.com/v1"
    coach_model: str = "gpt-4o-mini"
    coach_api_key: SecretStr = SecretStr("")
    coach_timeout_s: float = 60.0
    # "json_schema" (OpenAI, vLLM, Ollama) or "json_object" (llama.cpp's server: JSON mode with a schema).
    coach_response_format: Literal["json_schema", "json_object"] = "json_schema"
    # Answers one worker analyses at once, and how long a job's lease lasts without a heartbeat before another
    # worker takes it over (coaching may wait up to 2 x 60 s on an LLM; the heartbeat runs meanwhile).
    feedback_job_concurrency: int = 2
    feedback_job_lease_s: float = 60.0


@lru_cache
def get_settings() -> Settings:
    return Settings()

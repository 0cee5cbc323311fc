from functools import lru_cache
from typing import Literal, Self

from intervu_kit.settings import DEV_SECRETS, Environment, KitSettings
from pydantic import SecretStr, field_validator, model_validator


class Settings(KitSettings):
    service_name: str = "avatar"
    # Who renders the interviewer: "local" (Piper + the rendered talking head; offline, the default) or "did"
    # (a D-ID style cloud API: create a talk, webhook or poll, fetch the video). A failing cloud render degrades to
    # local, then to audio + text.
    avatar_provider: Literal["local", "did"] = "local"
    avatar_base_url: str = "https://api.d-id.com"
    avatar_api_key: SecretStr = SecretStr("")
    # Where the provider can reach our webhook (the public origin, e.g. https://intervu.example); empty: poll only.
    avatar_public_url: str = ""
    avatar_poll_s: float = 3.0
    avatar_timeout_s: float = 300.0
    # Signs the per-job webhook tokens. Derived tokens: a leaked one opens nothing but its own job.
    avatar_webhook_secret: SecretStr = SecretStr(DEV_SECRETS["avatar_webhook_secret"])
    # Videos are watched during the session, which may run long: an hour, then the owner asks again.
    avatar_video_url_ttl_s: int = 3600
    avatar_width: int = 640
    avatar_height: int = 360
    avatar_fps: int = 25
    # A rendering clip's lease: another worker takes it over if the first died without finishing.
    avatar_lease_s: float = 600.0
    avatar_max_attempts: int = 3

    @field_validator("avatar_width", "avatar_height")
    @classmethod
    def _even(cls, value: int) -> int:
        # H.264 and VP9 in 4:2:0 need even sizes: an odd one would turn every clip into audio only.
        if value < 64 or value % 2:
            raise ValueError("must be an even number of pixels, at least 64")
        return value

    @model_validator(mode="after")
    def _cloud_needs_secrets(self) -> Self:
        weak = not self.avatar_api_key.get_secret_value() or len(self.avatar_webhook_secret.get_secret_value()) < 16
        if self.avatar_provider != "local" and self.environment is Environment.PRODUCTION and weak:
            raise ValueError("a cloud avatar provider needs INTERVU_AVATAR_API_KEY and a webhook secret")
        return self


@lru_cache
def get_settings() -> Settings:
    return Settings()

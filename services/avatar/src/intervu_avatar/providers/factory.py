"""The provider the settings ask for."""

from __future__ import annotations

from intervu_avatar.config import Settings
from intervu_avatar.providers.base import AvatarProvider, JobBook
from intervu_avatar.providers.did import DIDAvatar
from intervu_avatar.providers.local import LocalAvatar


def local_from_settings(settings: Settings) -> LocalAvatar:
    return LocalAvatar(settings.avatar_width, settings.avatar_height, settings.avatar_fps)


def provider_from_settings(settings: Settings, jobs: JobBook | None = None) -> AvatarProvider:
    if settings.avatar_provider == "did":
        return DIDAvatar(
            settings.avatar_api_key.get_secret_value(),
            base_url=settings.avatar_base_url,
            jobs=jobs,
            public_url=settings.avatar_public_url,
            webhook_secret=settings.avatar_webhook_secret.get_secret_value().encode(),
            poll_s=settings.avatar_poll_s,
            timeout_s=settings.avatar_timeout_s,
            width=settings.avatar_width,
            height=settings.avatar_height,
            fps=settings.avatar_fps,
        )
    return local_from_settings(settings)

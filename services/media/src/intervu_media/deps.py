from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from intervu_kit.storage.serving import StorageDep

from intervu_media.config import Settings


def _settings(request: Request) -> Settings:
    # The app's own settings (tests build apps with other limits or another storage backend).
    settings: Settings = request.app.state.kit.settings
    return settings


__all__ = ["SettingsDep", "StorageDep"]

SettingsDep = Annotated[Settings, Depends(_settings)]

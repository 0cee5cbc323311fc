from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from intervu_kit.storage.serving import StorageDep

from intervu_avatar.config import Settings


def _settings(request: Request) -> Settings:
    settings: Settings = request.app.state.kit.settings
    return settings


__all__ = ["SettingsDep", "StorageDep"]

SettingsDep = Annotated[Settings, Depends(_settings)]

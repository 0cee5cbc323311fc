from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from intervu_kit.storage import Storage

from intervu_media.config import Settings


def _storage(request: Request) -> Storage:
    storage: Storage = request.app.state.kit.storage
    return storage


def _settings(request: Request) -> Settings:
    # The app's own settings (tests build apps with other limits or another storage backend).
    settings: Settings = request.app.state.kit.settings
    return settings


StorageDep = Annotated[Storage, Depends(_storage)]
SettingsDep = Annotated[Settings, Depends(_settings)]

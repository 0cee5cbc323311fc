"""Dependencies the accounts endpoints share."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from intervu_kit.keycloak_users import KeycloakUsers

from intervu_accounts.config import Settings


def _users(request: Request) -> KeycloakUsers:
    # One admin-API client per app (it caches its service token); made on first use.
    users: KeycloakUsers | None = getattr(request.app.state, "keycloak_users", None)
    if users is None:
        users = KeycloakUsers(request.app.state.kit.settings)
        request.app.state.keycloak_users = users
    return users


UsersDep = Annotated[KeycloakUsers, Depends(_users)]


def _settings(request: Request) -> Settings:
    # The app's own settings (tests may build an app with other values).
    settings: Settings = request.app.state.kit.settings
    return settings


SettingsDep = Annotated[Settings, Depends(_settings)]

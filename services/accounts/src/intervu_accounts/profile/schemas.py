from __future__ import annotations

from datetime import date
from typing import Annotated

from pydantic import BaseModel, ConfigDict, StringConstraints

Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=255)]
# The shape only; Keycloak's user profile decides (its email validator, uniqueness in the realm).
Email = Annotated[str, StringConstraints(strip_whitespace=True, max_length=255, pattern=r"^[^@\s]+@[^@\s]+$")]


class Profile(BaseModel):
    id: str
    email: str | None
    email_verified: bool
    first_name: str | None
    last_name: str | None
    birthdate: date | None


class ProfileUpdate(BaseModel):
    """A correction: only the fields given change."""

    model_config = ConfigDict(extra="forbid")
    first_name: Name | None = None
    last_name: Name | None = None
    email: Email | None = None
    birthdate: date | None = None

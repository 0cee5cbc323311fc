from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field


class PolicyOut(BaseModel):
    """A version of the privacy policy (Markdown)."""

    model_config = ConfigDict(from_attributes=True)

    version: int
    markdown: str
    summary: str | None
    published_at: datetime
    sha256: str
    # Where to write about privacy (questions, the rights, a report about a child): the operator's address,
    # configured as INTERVU_PRIVACY_CONTACT; null when none is configured.
    contact: str | None = None


class PolicyStatus(BaseModel):
    """Where you stand with the current policy: `needs_acceptance` when a version you have not accepted is current
    (a new version asks again)."""

    current: PolicyOut
    accepted_version: int | None
    accepted_at: datetime | None
    needs_acceptance: bool


class Acceptance(BaseModel):
    model_config = ConfigDict(extra="forbid")
    version: int = Field(ge=1, description="The version you read and accept (must be the current one).")


class AcceptanceOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    version: int
    accepted_at: datetime


class PolicyPublish(BaseModel):
    model_config = ConfigDict(extra="forbid")
    markdown: str = Field(min_length=200, max_length=200_000)
    summary: str | None = Field(default=None, max_length=2000, description="What changed, in a few sentences.")

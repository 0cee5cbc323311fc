from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, StringConstraints

DeletionStatus = Literal["awaiting_confirmation", "scheduled", "in_progress", "cancelled", "expired"]


class DeletionOut(BaseModel):
    """Your deletion request: confirm it before ``confirm_before``; it runs at ``grace_ends_at`` unless you cancel it
    first, and everything is gone by ``deadline_at``."""

    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    status: DeletionStatus
    created_at: datetime
    confirm_before: datetime
    confirmed_at: datetime | None
    grace_ends_at: datetime | None
    deadline_at: datetime | None
    started_at: datetime | None
    ended_at: datetime | None
    started_by: Literal["person", "operator"] = "person"
    operator_reason: str | None = None


class ServiceProgress(BaseModel):
    service: str
    requests_sent: int
    last_sent_at: datetime | None
    confirmed_at: datetime | None
    rows: int | None
    objects: int | None


class DeletionProgress(BaseModel):
    """An open deletion as operators see it (no personal data beyond the account id it is about)."""

    id: uuid.UUID
    user_id: str
    status: DeletionStatus
    confirmed_at: datetime | None
    grace_ends_at: datetime | None
    started_at: datetime | None
    deadline_at: datetime | None
    overdue: bool
    overdue_reported_at: datetime | None
    swept_at: datetime | None
    keycloak_error: str | None
    services: list[ServiceProgress]


class OperatorDeletion(BaseModel):
    """An operator's erasure of a person's data on a report (``under_age``: the policy's promise for children under
    17; ``report``: any other report the operator acts on). ``note``: what was reported, for the audit trail."""

    model_config = ConfigDict(extra="forbid")

    user_id: Annotated[str, StringConstraints(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9-]+$")]
    reason: Literal["under_age", "report"]
    note: Annotated[str, StringConstraints(max_length=500)] | None = None


class ReceiptOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    deletion_id: uuid.UUID
    confirmed_at: datetime
    started_at: datetime
    completed_at: datetime
    deadline_at: datetime
    services: dict[str, dict[str, object]]
    identity_deleted: bool
    swept_at: datetime | None
    started_by: str
    operator_id: str | None
    operator_reason: str | None


class AdvanceReport(BaseModel):
    """What one pass of the deletion scheduler did (the worker logs it; tests read it)."""

    expired: int = 0
    started: list[uuid.UUID] = []
    swept: list[uuid.UUID] = []
    asked_again: dict[str, list[str]] = {}
    completed: list[uuid.UUID] = []
    overdue: list[uuid.UUID] = []

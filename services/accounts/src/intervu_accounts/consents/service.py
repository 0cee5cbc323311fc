"""Consent rules: privacy by default (nothing granted until the person says so), every change kept and announced."""

from __future__ import annotations

from datetime import UTC, datetime

from intervu_contracts import ConsentChanged, ConsentPurpose
from intervu_kit.errors import IntervuError
from intervu_kit.events import publish
from sqlalchemy.ext.asyncio import AsyncSession

from intervu_accounts.consents.repository import ConsentRepository
from intervu_accounts.consents.schemas import DESCRIPTIONS, PURPOSES, ConsentOut, ConsentUpdate
from intervu_accounts.models import Consent, ConsentChange, events

DEFAULT_RETENTION_DAYS = 30
# Before a person answers: nothing optional is granted (privacy by default), and recordings are kept while the
# account lives, as the policy says (section 5), until the person chooses a retention period.
DEFAULTS: dict[str, bool] = {"third_party_ai": False, "keep_recordings": True, "device_info": False,
                             "notifications": False}  # fmt: skip


class RetentionNotApplicable(IntervuError):
    status = 422
    code = "retention_not_applicable"
    message = "Only keep_recordings has a retention period."


async def consents_of(session: AsyncSession, user_id: str) -> list[ConsentOut]:
    given = {c.purpose: c for c in await ConsentRepository(session).current(user_id)}
    out = []
    for purpose in PURPOSES:
        row = given.get(purpose)
        out.append(
            ConsentOut(
                purpose=purpose,
                description=DESCRIPTIONS[purpose],
                granted=row.granted if row else DEFAULTS[purpose],
                retention_days=row.retention_days if row else None,
                changed_at=row.changed_at if row else None,
            )
        )
    return out


async def set_consent(
    session: AsyncSession, user_id: str, purpose: ConsentPurpose, update: ConsentUpdate
) -> ConsentOut:
    if update.retention_days is not None and purpose != "keep_recordings":
        raise RetentionNotApplicable(details={"purpose": purpose})
    retention = None
    if purpose == "keep_recordings" and not update.granted:
        retention = update.retention_days or DEFAULT_RETENTION_DAYS
    repo = ConsentRepository(session)
    current = next((c for c in await repo.current(user_id) if c.purpose == purpose), None)
    unchanged = current is not None and (current.granted, current.retention_days) == (update.granted, retention)
    as_default = current is None and update.granted == DEFAULTS[purpose] and retention is None
    if not unchanged and not as_default:
        now = datetime.now(UTC)
        await repo.set(Consent(user_id=user_id, purpose=purpose, granted=update.granted, retention_days=retention,
                               changed_at=now))  # fmt: skip
        repo.record(ConsentChange(user_id=user_id, purpose=purpose, granted=update.granted, retention_days=retention,
                                  changed_at=now))  # fmt: skip
        await publish(
            session,
            events.outbox,
            ConsentChanged(
                user_id=user_id, purpose=purpose, granted=update.granted, retention_days=retention, changed_at=now
            ),
            producer="accounts",
        )
    return next(c for c in await consents_of(session, user_id) if c.purpose == purpose)

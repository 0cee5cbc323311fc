"""The privacy policy as versioned Markdown: the operator publishes versions, people accept them.

Version 1 ships with Intervu (`published/1.md`, loaded after migrations by `intervu_accounts.seed`); an operator
publishes their own through the admin API. Each new version is announced (`accounts.policy_published.v1`, for
notifications) and makes everyone's status ask again until they accept it; every acceptance is kept.
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from pathlib import Path

from intervu_contracts import PolicyPublished
from intervu_kit.errors import Conflict, NotFound
from intervu_kit.events import publish
from sqlalchemy.ext.asyncio import AsyncSession

from intervu_accounts.models import PolicyAcceptance, PolicyVersion, events
from intervu_accounts.policies.repository import PolicyRepository
from intervu_accounts.policies.schemas import AcceptanceOut, PolicyOut, PolicyStatus

SHIPPED = Path(__file__).parent / "published"


class NoPolicy(NotFound):
    code = "policy_not_found"
    message = "No privacy policy has been published."


class NotCurrent(Conflict):
    code = "policy_version_not_current"
    message = "Only the current version of the policy can be accepted; read it and accept that one."


class SamePolicy(Conflict):
    code = "policy_unchanged"
    message = "This text is the current version already."


def _digest(markdown: str) -> str:
    return hashlib.sha256(markdown.encode()).hexdigest()


async def current_policy(session: AsyncSession) -> PolicyVersion:
    policy = await PolicyRepository(session).current()
    if policy is None:
        raise NoPolicy()
    return policy


async def status_of(session: AsyncSession, user_id: str) -> PolicyStatus:
    current = await current_policy(session)
    latest = await PolicyRepository(session).latest_acceptance(user_id)
    return PolicyStatus(
        current=PolicyOut.model_validate(current),
        accepted_version=latest.version if latest else None,
        accepted_at=latest.accepted_at if latest else None,
        needs_acceptance=latest is None or latest.version < current.version,
    )


async def accept(session: AsyncSession, user_id: str, version: int, now: datetime) -> AcceptanceOut:
    repo = PolicyRepository(session)
    current = await current_policy(session)
    if version != current.version:
        raise NotCurrent(details={"current": current.version, "given": version})
    existing = await repo.acceptance(user_id, version)
    if existing is None:  # accepting twice changes nothing: the first time stands
        existing = PolicyAcceptance(user_id=user_id, version=version, accepted_at=now)
        repo.add(existing)
        await session.flush()
    return AcceptanceOut.model_validate(existing)


async def publish_version(session: AsyncSession, markdown: str, summary: str | None, now: datetime) -> PolicyVersion:
    repo = PolicyRepository(session)
    await repo.lock_versions()
    current = await repo.current()
    if current is not None and current.sha256 == _digest(markdown):
        raise SamePolicy(details={"version": current.version})
    policy = PolicyVersion(
        version=(current.version + 1) if current else 1,
        markdown=markdown,
        summary=summary,
        sha256=_digest(markdown),
        published_at=now,
    )
    repo.add(policy)
    await session.flush()
    await publish(
        session,
        events.outbox,
        PolicyPublished(version=policy.version, summary=summary, published_at=now),
        producer="accounts",
    )
    return policy


async def ensure_shipped(session: AsyncSession, now: datetime) -> str:
    """Publish the shipped version 1 when no policy exists yet (idempotent; an operator's versions come after)."""
    if await PolicyRepository(session).current() is not None:
        return "privacy policy: already published"
    policy = await publish_version(session, (SHIPPED / "1.md").read_text(), "The policy Intervu ships with.", now)
    return f"privacy policy: version {policy.version} published"

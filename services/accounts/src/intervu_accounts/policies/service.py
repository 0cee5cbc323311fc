"""The privacy policy as versioned Markdown: the operator publishes versions, people accept them.

The versions Intervu ships (`published/<n>.md`) are published in order after migrations by `intervu_accounts.seed`
while the current version is a shipped one; an operator publishes their own through the admin API, and from then
on no shipped text replaces theirs. Each new version is announced (`accounts.policy_published.v1`, for
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


# What each shipped version says changed (shown with it, and in the notice everyone gets).
SHIPPED_SUMMARIES = {
    1: "The policy Intervu ships with.",
    2: 'The same policy in plainer words (who "we" are, where to write); nothing about your data changed.',
}


def shipped_versions() -> list[tuple[int, str]]:
    return sorted(((int(p.stem), p.read_text()) for p in SHIPPED.glob("*.md")), key=lambda v: v[0])


async def ensure_shipped(session: AsyncSession, now: datetime) -> str:
    """Publish the versions Intervu ships (``published/<n>.md``), in order, after the current one, as long as the
    current one is one of them: a version the operator published is theirs, and no shipped text replaces it.
    Idempotent; each one published is announced and asks everyone again, like any new version."""
    shipped = shipped_versions()
    digests = [_digest(text) for _, text in shipped]
    current = await PolicyRepository(session).current()
    if current is not None and current.sha256 not in digests:
        return "privacy policy: the operator's own version is current (shipped versions left alone)"
    start = digests.index(current.sha256) + 1 if current is not None else 0
    published = []
    for number, text in shipped[start:]:
        policy = await publish_version(session, text, SHIPPED_SUMMARIES.get(number), now)
        published.append(str(policy.version))
    if not published:
        return "privacy policy: already published"
    return f"privacy policy: version {', '.join(published)} published"

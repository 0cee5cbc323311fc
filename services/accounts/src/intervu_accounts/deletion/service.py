"""Deleting a person's account and data: request -> confirmation (after a recent sign-in) -> grace period
(cancellable) -> the Keycloak user disabled -> every service deletes and confirms -> an hour after the start, a
second round (the sweep) for what arrived late -> the Keycloak user is deleted -> a receipt without personal
data. The privacy policy promises it all within 30 days; a service that has not confirmed is asked again, and a
deletion past its deadline is reported.

Time is a parameter (``now``) everywhere, so the whole process can be driven through days in a test.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Sequence
from datetime import datetime, timedelta

from intervu_contracts import EventEnvelope, UserDataDeleted, UserDeletionRequested
from intervu_kit.auth import User
from intervu_kit.errors import Conflict, Forbidden, NotFound
from intervu_kit.events import publish
from intervu_kit.keycloak_users import KeycloakUsers
from intervu_kit.settings import SERVICES
from sqlalchemy.ext.asyncio import AsyncSession

from intervu_accounts.config import Settings
from intervu_accounts.deletion.repository import DeletionRepository
from intervu_accounts.deletion.schemas import AdvanceReport, DeletionProgress, ServiceProgress
from intervu_accounts.models import DeletionConfirmation, DeletionReceipt, DeletionRequest, events

log = logging.getLogger(__name__)


class NoDeletionRequest(NotFound):
    code = "deletion_request_not_found"
    message = "You have no open deletion request."


class NotAwaitingConfirmation(Conflict):
    code = "deletion_not_awaiting_confirmation"
    message = "This deletion request is not waiting for a confirmation."


class DeletionInProgress(Conflict):
    code = "deletion_in_progress"
    message = "The deletion has started and can no longer be cancelled."


class RecentSignInRequired(Forbidden):
    code = "recent_sign_in_required"
    message = "Sign in again to confirm the deletion of your account."


async def request_deletion(session: AsyncSession, user_id: str, settings: Settings, now: datetime) -> DeletionRequest:
    """Start (or return the open) request. Nothing happens until it is confirmed."""
    repo = DeletionRepository(session)
    current = await repo.open_of(user_id, lock=True)
    if current is not None and current.status == "awaiting_confirmation" and current.confirm_before < now:
        current.status, current.ended_at = "expired", now
        await session.flush()
        current = None
    if current is not None:
        return current
    request = DeletionRequest(
        id=uuid.uuid4(),
        user_id=user_id,
        status="awaiting_confirmation",
        created_at=now,
        confirm_before=now + timedelta(seconds=settings.deletion_confirm_window_s),
    )
    repo.add(request)
    await session.flush()
    return request


def _check_recent_sign_in(user: User, settings: Settings, now: datetime) -> None:
    # Keycloak puts the time of the last password entry in `auth_time` (every browser sign-in); a token without it,
    # or from an older sign-in, is not enough to erase an account.
    auth_time = user.claims.get("auth_time")
    if not isinstance(auth_time, int | float) or now.timestamp() - auth_time > settings.deletion_recent_sign_in_s:
        raise RecentSignInRequired(details={"max_age": settings.deletion_recent_sign_in_s})


async def confirm_deletion(session: AsyncSession, user: User, settings: Settings, now: datetime) -> DeletionRequest:
    repo = DeletionRepository(session)
    request = await repo.open_of(user.id, lock=True)
    if request is None:
        raise NoDeletionRequest()
    if request.status != "awaiting_confirmation":
        raise NotAwaitingConfirmation(details={"status": request.status})
    if request.confirm_before < now:
        request.status, request.ended_at = "expired", now
        raise NotAwaitingConfirmation(
            "The deletion request expired before it was confirmed; ask again.",
            code="deletion_request_expired",
        )
    _check_recent_sign_in(user, settings, now)
    request.status = "scheduled"
    request.confirmed_at = now
    request.grace_ends_at = now + timedelta(days=settings.deletion_grace_days)
    request.deadline_at = now + timedelta(days=settings.deletion_deadline_days)
    return request


class DeletionByOperator(Conflict):
    code = "deletion_by_operator"
    message = "This deletion was started by the operator of this Intervu installation and cannot be cancelled here."


async def operator_deletion(
    session: AsyncSession,
    users: KeycloakUsers,
    user_id: str,
    operator_id: str,
    reason: str,
    note: str | None,
    settings: Settings,
    now: datetime,
) -> DeletionRequest:
    """An operator erases a person's data on a report (the policy: a child under 17 who gave us data). Nobody
    confirms and there is no grace period: the next scheduler pass starts it. Who and why stay on the request and
    its receipt; the person, signing in meanwhile, sees the deletion and cannot cancel it."""
    await users.get(user_id)  # 404 account_not_found: an operator's typo must not be "done"
    repo = DeletionRepository(session)
    request = await repo.open_of(user_id, lock=True)
    if request is None or request.status == "awaiting_confirmation":
        if request is not None:
            request.status, request.ended_at = "expired", now
            await session.flush()
        request = DeletionRequest(id=uuid.uuid4(), user_id=user_id, status="scheduled", created_at=now,
                                  confirm_before=now)  # fmt: skip
        repo.add(request)
    if request.status == "scheduled":
        request.confirmed_at = request.confirmed_at or now
        request.grace_ends_at = now
        request.deadline_at = min(request.deadline_at or now + timedelta(days=settings.deletion_deadline_days),
                                  now + timedelta(days=settings.deletion_deadline_days))  # fmt: skip
    request.started_by, request.operator_id = "operator", operator_id
    request.operator_reason, request.operator_note = reason, note
    await session.flush()
    log.warning("deletion %s started by operator %s (%s)", request.id, operator_id, reason)
    return request


async def cancel_deletion(session: AsyncSession, user_id: str, now: datetime) -> DeletionRequest:
    request = await DeletionRepository(session).open_of(user_id, lock=True)
    if request is None:
        raise NoDeletionRequest()
    if request.started_by == "operator":
        raise DeletionByOperator(details={"reason": request.operator_reason})
    if request.status == "in_progress":
        raise DeletionInProgress(details={"started_at": request.started_at.isoformat() if request.started_at else None})
    request.status, request.ended_at = "cancelled", now
    return request


async def current_deletion(session: AsyncSession, user_id: str) -> DeletionRequest:
    request = await DeletionRepository(session).latest_of(user_id)
    if request is None:
        raise NoDeletionRequest()
    return request


async def on_data_deleted(session: AsyncSession, event: UserDataDeleted, envelope: EventEnvelope) -> None:
    """A service confirmed its part. The first confirmation stands; a repeated one (the service was asked again
    and answered both) changes nothing."""
    repo = DeletionRepository(session)
    row = await repo.confirmation(event.deletion_id, event.service)
    request = await repo.get(event.deletion_id)
    if row is None or request is None:  # a deletion already completed (a late duplicate), or a service not asked
        log.info("confirmation of %s from %s matches no open deletion", event.deletion_id, event.service)
        return
    if event.sweep != (request.swept_at is not None):
        return  # an answer to the other round (a repeated first-round answer arriving after the sweep began)
    if row.confirmed_at is None:
        row.confirmed_at = event.deleted_at
        row.rows, row.objects = (row.rows or 0) + event.rows, (row.objects or 0) + event.objects


async def _ask(
    session: AsyncSession, request: DeletionRequest, services: Sequence[str] | None, sweep: bool = False
) -> None:
    assert request.confirmed_at is not None
    await publish(
        session,
        events.outbox,
        UserDeletionRequested(
            user_id=request.user_id,
            deletion_id=request.id,
            requested_on=request.confirmed_at.date(),
            services=list(services) if services is not None else None,
            sweep=sweep,
        ),
        producer="accounts",
    )


async def advance_deletions(
    session: AsyncSession, users: KeycloakUsers, settings: Settings, now: datetime, services: Sequence[str] = SERVICES
) -> AdvanceReport:
    """One pass of the scheduler: expire unconfirmed requests, start those whose grace period ended, ask again the
    services that have not confirmed, finish those every service confirmed, report the overdue."""
    repo = DeletionRepository(session)
    report = AdvanceReport()
    for request in await repo.unconfirmed_before(now):
        request.status, request.ended_at = "expired", now
        report.expired += 1

    for request in await repo.due(now):
        request.status, request.started_at = "in_progress", now
        try:
            # From now on the person cannot sign in or refresh a session: nothing new is written while services
            # delete (tokens already issued live minutes at most).
            await users.disable(request.user_id)
        except Exception as exc:  # Keycloak down: the deletion goes ahead; the user is deleted at the end anyway
            log.warning("deletion %s: could not disable the Keycloak user (%s)", request.id, exc)
        for service in services:
            repo.add(DeletionConfirmation(deletion_id=request.id, service=service, requests_sent=1, last_sent_at=now))
        await _ask(session, request, None)
        report.started.append(request.id)
        log.info("deletion %s started: %d services asked", request.id, len(services))
    await session.flush()

    retry = timedelta(seconds=settings.deletion_retry_s)
    for request in await repo.in_progress():
        confirmations = await repo.confirmations(request.id)
        waiting = [c for c in confirmations if c.confirmed_at is None]
        if not waiting and request.swept_at is None:
            assert request.started_at is not None
            if now >= request.started_at + timedelta(seconds=settings.deletion_sweep_after_s):
                # Everyone deleted once; now once more, for whatever arrived late.
                request.swept_at = now
                for c in confirmations:
                    c.confirmed_at, c.requests_sent, c.last_sent_at = None, c.requests_sent + 1, now
                await _ask(session, request, None, sweep=True)
                report.swept.append(request.id)
            continue
        if not waiting:
            if await _finish(session, repo, users, request, confirmations, now):
                report.completed.append(request.id)
            continue
        due = [c for c in waiting if c.last_sent_at is None or c.last_sent_at + retry <= now]
        if due:
            for c in due:
                c.requests_sent += 1
                c.last_sent_at = now
            await _ask(session, request, [c.service for c in due], sweep=request.swept_at is not None)
            report.asked_again[str(request.id)] = [c.service for c in due]
        assert request.deadline_at is not None
        if now > request.deadline_at:
            report.overdue.append(request.id)
            if request.overdue_reported_at is None:
                request.overdue_reported_at = now
                log.error(
                    "deletion %s is OVERDUE (deadline %s): still waiting for %s",
                    request.id, request.deadline_at.isoformat(), ", ".join(c.service for c in waiting),
                )  # fmt: skip
    return report


async def _finish(
    session: AsyncSession,
    repo: DeletionRepository,
    users: KeycloakUsers,
    request: DeletionRequest,
    confirmations: Sequence[DeletionConfirmation],
    now: datetime,
) -> bool:
    # Keycloak last: until every service confirmed, the person can still sign in and see the deletion running.
    try:
        existed = await users.delete(request.user_id)
    except Exception as exc:  # Keycloak down: try again on the next pass (the deadline report covers it)
        request.keycloak_error = f"{type(exc).__name__}: {exc}"[:500]
        log.warning("deletion %s: Keycloak user not deleted yet (%s)", request.id, exc)
        return False
    assert request.confirmed_at is not None
    assert request.started_at is not None
    assert request.deadline_at is not None
    repo.add(
        DeletionReceipt(
            deletion_id=request.id,
            confirmed_at=request.confirmed_at,
            started_at=request.started_at,
            completed_at=now,
            deadline_at=request.deadline_at,
            services={
                c.service: {
                    "confirmed_at": c.confirmed_at.isoformat() if c.confirmed_at else None,
                    "requests_sent": c.requests_sent,
                    "rows": c.rows,
                    "objects": c.objects,
                }
                for c in confirmations
            },
            identity_deleted=True,
            swept_at=request.swept_at,
            started_by=request.started_by,
            operator_id=request.operator_id,
            operator_reason=request.operator_reason,
        )
    )
    await repo.forget(request)
    log.info("deletion %s completed (Keycloak user %s)", request.id, "deleted" if existed else "already gone")
    return True


async def progress(session: AsyncSession, now: datetime) -> list[DeletionProgress]:
    repo = DeletionRepository(session)
    out = []
    for request in await repo.open_all():
        out.append(
            DeletionProgress(
                id=request.id,
                user_id=request.user_id,
                status=request.status,
                confirmed_at=request.confirmed_at,
                grace_ends_at=request.grace_ends_at,
                started_at=request.started_at,
                deadline_at=request.deadline_at,
                # Reported by the scheduler, or past the deadline now (the scheduler reports it on its next pass).
                overdue=request.overdue_reported_at is not None
                or (request.deadline_at is not None and now > request.deadline_at),
                overdue_reported_at=request.overdue_reported_at,
                swept_at=request.swept_at,
                keycloak_error=request.keycloak_error,
                services=[
                    ServiceProgress(
                        service=c.service,
                        requests_sent=c.requests_sent,
                        last_sent_at=c.last_sent_at,
                        confirmed_at=c.confirmed_at,
                        rows=c.rows,
                        objects=c.objects,
                    )
                    for c in await repo.confirmations(request.id)
                ],
            )
        )
    return out

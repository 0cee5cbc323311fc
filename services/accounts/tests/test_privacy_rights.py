"""The rights to a copy of one's data and to its deletion, across every service, on the real stack: the APIs, the
broker, every service's worker, each service's own database, the storage and Keycloak.

The accounts worker's scheduler is driven by hand with a chosen ``now``, so a deletion can be walked through its
grace period and a service's days of absence in seconds.
"""

from __future__ import annotations

import hashlib
import io
import json
import logging
import time
import uuid
import zipfile
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from intervu_accounts.config import Settings, get_settings
from intervu_accounts.consumers import advance, export_jobs
from intervu_accounts.models import DeletionRequest, Export, ExportPart
from intervu_analytics.progress.service import on_feedback_completed
from intervu_contracts import EventEnvelope, FeedbackCompleted
from intervu_kit.db import Database
from intervu_kit.devstack.config import DevSettings
from intervu_kit.keycloak_users import KeycloakUsers
from intervu_kit.settings import SERVICES
from intervu_kit.storage import Storage, storage_from_settings
from intervu_kit.testing import tokens
from intervu_kit.testing.asserts import assert_error
from intervu_kit.testing.plugin import KeycloakAdmin, SignedIn
from intervu_kit.testing.tokens import SigningKey

from .everywhere import (
    SETTINGS,
    Apps,
    apps,
    every_worker,
    leave_data_everywhere,
    objects_of,
    rows_everywhere,
    rows_mentioning,
    spoken_recording,
    until,
)

SignIn = Callable[..., Awaitable[SignedIn]]
DELETION = "/api/accounts/deletion"


@pytest.fixture(scope="module")
def recording(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    return spoken_recording(tmp_path_factory.mktemp("answer"))


@pytest.fixture(scope="module")
async def signing_key(keycloak: KeycloakAdmin) -> AsyncIterator[SigningKey]:
    async with tokens.imported_key(keycloak) as key:
        yield key


class Scheduler:
    """The accounts worker's privacy pass, run by the test at the time it chooses."""

    def __init__(self) -> None:
        self.settings: Settings = get_settings()
        self.db = Database(self.settings.sqlalchemy_url, pool_size=2)
        self.storage: Storage = storage_from_settings(self.settings)
        self.users = KeycloakUsers(self.settings)

    async def at(self, now: datetime) -> Any:
        """One pass, then the export jobs it enqueued, run to their end as the worker's runner would."""
        deletions, exports = await advance(self.db, self.storage, self.users, self.settings, now)
        runner = export_jobs(self.db, self.storage, self.users, self.settings)
        for export_id in exports.queued:
            job = await runner.claim(key=str(export_id))
            if job is None:
                continue
            await runner.run_one(job)
            async with self.db.transaction() as session:
                made = await session.get(Export, export_id)
            if made is not None and made.status == "ready":
                exports.assembled.append(export_id)
            elif made is not None and made.status == "failed":
                exports.failed.append(export_id)
        return deletions, exports

    async def close(self) -> None:
        await self.users.aclose()
        await self.db.dispose()


@pytest.fixture
async def scheduler(infra: DevSettings) -> AsyncIterator[Scheduler]:
    s = Scheduler()
    try:
        yield s
    finally:
        await s.close()


def _signed_in_recently(key: SigningKey, infra: DevSettings, me: SignedIn, seconds_ago: int) -> dict[str, str]:
    """My token as the web app holds it after a sign-in ``seconds_ago`` (Keycloak's ``auth_time``)."""
    claims = tokens.claims(infra, sub=me.id, email=me.user.email, auth_time=int(time.time()) - seconds_ago)
    return {"Authorization": f"Bearer {key.sign(claims)}"}


async def test_the_export_holds_everything_every_service_keeps(
    infra: DevSettings, sign_in: SignIn, recording: bytes, scheduler: Scheduler
) -> None:
    me, other = await sign_in(), await sign_in()
    async with every_worker(), apps() as a:
        footprint = await leave_data_everywhere(a, me, recording)
        asked = await a.accounts.post("/api/accounts/exports", headers=me.headers)
        assert asked.status_code == 202, asked.text
        export = asked.json()
        assert export["status"] == "collecting" and export["total"] == len(SERVICES)
        again = await a.accounts.post("/api/accounts/exports", headers=me.headers)
        assert again.json()["id"] == export["id"]  # one at a time

        async def ready() -> dict[str, Any] | None:
            await scheduler.at(datetime.now(UTC))
            body: dict[str, Any] = (
                await a.accounts.get(f"/api/accounts/exports/{export['id']}", headers=me.headers)
            ).json()
            return body if body["status"] == "ready" else None

        done = await until(ready, "the export assembled from every service's part")
        assert done["answered"] == done["total"] == len(SERVICES) and done["waiting_for"] == []
        assert_error(
            await a.accounts.get(f"/api/accounts/exports/{export['id']}", headers=other.headers),
            404,
            "export_not_found",
        )
        download = await a.accounts.get(done["download_url"])
        assert download.status_code == 200, download.text
        assert download.headers["content-type"] == "application/zip"
        assert "attachment" in download.headers["content-disposition"]
        forged = done["download_url"].replace("signature=", "signature=0")
        assert (await a.accounts.get(forged)).status_code == 403
        truth = await rows_everywhere(me.id)

    archive = zipfile.ZipFile(io.BytesIO(download.content))
    names = set(archive.namelist())
    manifest = json.loads(archive.read("manifest.json"))
    assert manifest["format"] == "intervu-export" and manifest["account_id"] == me.id
    assert set(manifest["services"]) == set(SERVICES)
    # Every file the manifest lists is there, with its size and digest.
    for entry in manifest["files"]:
        data = archive.read(entry["path"])
        assert (len(data), hashlib.sha256(data).hexdigest()) == (entry["size"], entry["sha256"]), entry["path"]
    assert {e["path"] for e in manifest["files"]} | {"manifest.json", "README.txt"} == names

    # Each service's part is exactly what its own database holds about me (the export's own row moved on since).
    for service, tables in truth.items():
        for table, rows in tables.items():
            exported = json.loads(archive.read(f"{service}/{table}.json"))
            if (service, table) == ("accounts", "exports"):
                assert export["id"] in {r["id"] for r in exported}
                continue
            if (service, table) == ("accounts", "export_parts"):
                continue  # parts arriving while accounts wrote its own
            if (service, table) == ("notifications", "notifications"):
                # Told that the export is ready after it was made: the one notice the export cannot hold.
                assert [r for r in rows if r["kind"] != "export_ready"] == exported
                assert [r["kind"] for r in rows if r not in exported] in ([], ["export_ready"])  # (if it arrived yet)
                continue
            assert exported == rows, f"{service}/{table}"
            assert manifest["services"][service]["counts"][table] == len(rows)
    assert len(truth["interviews"]["practice_sessions"]) == 1 and len(truth["interviews"]["answers"]) == 2
    assert len(truth["feedback"]["feedback"]) == 2 and len(truth["transcription"]["transcripts"]) == 1
    assert len(truth["avatar"]["session_videos"]) >= 3  # intro, two questions, closing
    assert {c["purpose"] for c in truth["accounts"]["consents"]} == {"notifications", "keep_recordings"}
    # Two points of progress, with the figures analytics draws.
    results = truth["analytics"]["answer_results"]
    assert len(results) == 2 and all(r["scores"] for r in results)
    assert {r["source"] for r in results} == {"text", "recording"} and any(r["wpm"] for r in results)
    [prefs] = truth["notifications"]["notification_preferences"]
    assert (prefs["remind_after_days"], prefs["export_ready"]) == (5, False)
    # Told twice that feedback was ready (in the app; not mailed: no mail server here).
    feedback_notices = [n for n in truth["notifications"]["notifications"] if n["kind"] == "feedback_ready"]
    assert len(feedback_notices) == 2 and {n["email"] for n in feedback_notices} == {"not_configured"}
    transcript = json.dumps(truth["transcription"]["transcripts"][0]).lower()
    assert "engineers" in transcript and "release" in transcript  # what I said, transcribed
    feedback = json.loads(archive.read("feedback/feedback.json"))
    assert {f["answer_id"] for f in feedback} == {footprint.typed_answer_id, footprint.spoken_answer_id}

    # My recording, byte for byte as stored.
    [recording_row] = truth["media"]["recordings"]
    assert recording_row["id"] == footprint.recording_id
    stored = b"".join([c async for c in scheduler.storage.read(recording_row["media_key"])])
    assert archive.read(f"media/recordings/{footprint.recording_id}.webm") == stored
    assert "multipart_id" not in recording_row  # our bookkeeping, not my data

    profile = json.loads(archive.read("accounts/profile.json"))
    assert (profile["id"], profile["email"], profile["birthdate"]) == (me.id, me.user.email, "1990-06-15")
    # The parts were copies: only the ZIP remains under the export's prefix.
    left = [o.key for o in await scheduler.storage.list_objects(f"exports/{me.id}/{export['id']}/")]
    assert len(left) == 1 and left[0].endswith(".zip")


async def _confirmed(a: Apps, signing_key: SigningKey, infra: DevSettings, me: SignedIn) -> dict[str, Any]:
    asked = await a.accounts.post(DELETION, headers=me.headers)
    assert asked.status_code == 201, asked.text
    confirmed = await a.accounts.post(f"{DELETION}/confirm", headers=_signed_in_recently(signing_key, infra, me, 30))
    assert confirmed.status_code == 200, confirmed.text
    body: dict[str, Any] = confirmed.json()
    return body


async def _progress(a: Apps, admin: SignedIn, deletion_id: str) -> dict[str, Any]:
    listing = await a.accounts.get("/api/accounts/admin/deletions", headers=admin.headers)
    assert listing.status_code == 200, listing.text
    found: dict[str, Any] = next(d for d in listing.json() if d["id"] == deletion_id)
    return found


def _confirmed_by(progress: dict[str, Any]) -> set[str]:
    return {s["service"] for s in progress["services"] if s["confirmed_at"]}


async def test_deletion_removes_everything_even_when_a_service_was_down_for_days(
    infra: DevSettings,
    sign_in: SignIn,
    keycloak: KeycloakAdmin,
    recording: bytes,
    signing_key: SigningKey,
    scheduler: Scheduler,
) -> None:
    me, admin = await sign_in(), await sign_in(roles=("admin",))
    async with every_worker() as workers, apps() as a:
        await leave_data_everywhere(a, me, recording)
        exported = await a.accounts.post("/api/accounts/exports", headers=me.headers)

        async def export_ready() -> bool:
            await scheduler.at(datetime.now(UTC))
            body = (await a.accounts.get(f"/api/accounts/exports/{exported.json()['id']}", headers=me.headers)).json()
            return bool(body["status"] == "ready")

        await until(export_ready, "an export of my data, stored")
        before = await rows_mentioning(me.id)
        assert {k.split(".")[0] for k in before} >= {"accounts", "interviews", "media", "transcription", "feedback",
                                                      "avatar"}, before  # fmt: skip
        stored = await objects_of(scheduler.storage, me.id)
        assert any(k.startswith("recordings/") for k in stored) and any(k.endswith(".zip") for k in stored)

        # A first request, cancelled: it names me too, and must not outlive the deletion.
        assert (await a.accounts.post(DELETION, headers=me.headers)).status_code == 201
        assert (await a.accounts.delete(DELETION, headers=me.headers)).json()["status"] == "cancelled"
        request = await _confirmed(a, signing_key, infra, me)
        assert request["status"] == "scheduled"
        confirmed_at = datetime.fromisoformat(request["confirmed_at"])
        assert datetime.fromisoformat(request["grace_ends_at"]) == confirmed_at + timedelta(days=7)
        assert datetime.fromisoformat(request["deadline_at"]) == confirmed_at + timedelta(days=30)

        # The media service goes down before the grace period ends, and stays down for three days.
        await workers.stop("media")
        day = confirmed_at + timedelta(days=7, minutes=1)
        report = (await scheduler.at(confirmed_at + timedelta(days=6)))[0]
        assert request["id"] not in {str(i) for i in report.started}  # still in its grace period
        report = (await scheduler.at(day))[0]
        assert request["id"] in {str(i) for i in report.started}
        # Once it starts, I can no longer sign in (nor refresh a session) while the services delete.
        assert (await keycloak.request("GET", f"/users/{me.id}")).json()["enabled"] is False
        with pytest.raises(httpx.HTTPStatusError):
            await keycloak.password_token(me.user)

        others = set(SERVICES) - {"media"}

        async def all_but_media() -> bool:
            return _confirmed_by(await _progress(a, admin, request["id"])) == others

        await until(all_but_media, "every running service's confirmation")
        # Only what the stopped media service keeps, and the request itself (until it completes).
        left = {"media.recordings", "media.consent_copies", "media.outbox", "media.jobs", "accounts.deletion_requests"}
        assert (await rows_mentioning(me.id)).keys() == left
        assert await objects_of(scheduler.storage, me.id) == sorted(k for k in stored if k.startswith("recordings/"))

        # Days pass: media is asked again every 6 hours it is found silent, and nothing completes without it.
        for hours in (6, 30, 72):
            report = (await scheduler.at(day + timedelta(hours=hours)))[0]
            # (the test database may hold other tests' deletions: look at this one)
            assert report.asked_again.get(request["id"]) == ["media"]
            assert request["id"] not in {str(i) for i in report.completed}
        media_progress = next(
            s for s in (await _progress(a, admin, request["id"]))["services"] if s["service"] == "media"
        )
        assert media_progress["requests_sent"] == 4 and media_progress["confirmed_at"] is None

        # Media comes back three days later: it reads the requests it missed, deletes, confirms.
        workers.start("media")

        async def media_confirmed() -> bool:
            return _confirmed_by(await _progress(a, admin, request["id"])) == set(SERVICES)

        await until(media_confirmed, "media's confirmation after it came back")

        # Something about me arrives late at a service that already deleted (an event held back for a retry): the
        # sweep, a second round once everyone confirmed, deletes it before the deletion completes.
        late = FeedbackCompleted(feedback_id=uuid.uuid4(), answer_id=uuid.uuid4(), user_id=me.id, overall_score=50,
                                 source="text")  # fmt: skip
        analytics = Database(SETTINGS["analytics"]().sqlalchemy_url, pool_size=1)
        try:
            async with analytics.transaction() as session:
                await on_feedback_completed(session, late, EventEnvelope.wrap(late, "feedback"))
        finally:
            await analytics.dispose()
        assert "analytics.answer_results" in await rows_mentioning(me.id)
        report = (await scheduler.at(day + timedelta(hours=73)))[0]
        assert request["id"] in {str(i) for i in report.swept} and request["id"] not in {
            str(i) for i in report.completed
        }
        await until(media_confirmed, "every service's answer to the sweep")
        report = (await scheduler.at(day + timedelta(hours=73, minutes=1)))[0]
        assert request["id"] in {str(i) for i in report.completed}

        # Nothing of me is left: no row in any service's database, no object, no Keycloak user.
        assert await rows_mentioning(me.id) == {}
        assert await objects_of(scheduler.storage, me.id) == []
        with pytest.raises(httpx.HTTPStatusError) as gone:
            await keycloak.request("GET", f"/users/{me.id}")
        assert gone.value.response.status_code == 404
        gone_request = await a.accounts.get(DELETION, headers=me.headers)  # the request went with the rest
        assert (gone_request.status_code, gone_request.json()) == (200, None)

        # The receipt proves it, within the deadline, and holds nothing about me.
        receipt = await a.accounts.get(f"/api/accounts/admin/deletion-receipts/{request['id']}", headers=admin.headers)
        assert receipt.status_code == 200, receipt.text
        body = receipt.json()
        assert body["identity_deleted"] is True and set(body["services"]) == set(SERVICES)
        assert datetime.fromisoformat(body["completed_at"]) <= datetime.fromisoformat(body["deadline_at"])
        assert body["services"]["media"]["requests_sent"] == 5 and body["services"]["media"]["objects"] >= 2
        assert body["swept_at"] is not None
        assert body["services"]["interviews"]["rows"] >= 5
        # (the export expired on day 7 of the simulated clock, before the deletion began: accounts had no object left)
        assert body["services"]["accounts"]["rows"] >= 4
        assert me.id not in receipt.text and (me.user.email or "@") not in receipt.text


async def test_a_deletion_needs_a_recent_sign_in_and_can_be_cancelled_until_it_starts(
    infra: DevSettings, sign_in: SignIn, signing_key: SigningKey, scheduler: Scheduler
) -> None:
    me, someone = await sign_in(), await sign_in()
    async with apps() as a:
        never = await a.accounts.get(DELETION, headers=me.headers)  # a state, not an error: nothing asked yet
        assert (never.status_code, never.json()) == (200, None)
        assert_error(
            await a.accounts.post(f"{DELETION}/confirm", headers=me.headers), 404, "deletion_request_not_found"
        )
        asked = await a.accounts.post(DELETION, headers=me.headers)
        assert asked.status_code == 201 and asked.json()["status"] == "awaiting_confirmation"
        again = await a.accounts.post(DELETION, headers=me.headers)
        assert again.json()["id"] == asked.json()["id"]  # one open request

        # A token from a sign-in an hour ago, or one that does not say when, is not enough.
        stale = _signed_in_recently(signing_key, infra, me, 3600)
        assert_error(await a.accounts.post(f"{DELETION}/confirm", headers=stale), 403, "recent_sign_in_required")
        unknown = {"Authorization": f"Bearer {signing_key.sign(tokens.claims(infra, sub=me.id, auth_time=None))}"}
        assert_error(await a.accounts.post(f"{DELETION}/confirm", headers=unknown), 403, "recent_sign_in_required")
        # Someone else's confirmation does not touch mine.
        theirs = _signed_in_recently(signing_key, infra, someone, 10)
        assert_error(await a.accounts.post(f"{DELETION}/confirm", headers=theirs), 404, "deletion_request_not_found")

        recent = _signed_in_recently(signing_key, infra, me, 30)
        confirmed = await a.accounts.post(f"{DELETION}/confirm", headers=recent)
        assert confirmed.status_code == 200 and confirmed.json()["status"] == "scheduled"
        assert_error(
            await a.accounts.post(f"{DELETION}/confirm", headers=recent), 409, "deletion_not_awaiting_confirmation"
        )
        cancelled = await a.accounts.delete(DELETION, headers=me.headers)
        assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
        # Nothing starts after a cancellation, however much time passes.
        confirmed_at = datetime.fromisoformat(confirmed.json()["confirmed_at"])
        report = (await scheduler.at(confirmed_at + timedelta(days=8)))[0]
        assert confirmed.json()["id"] not in {str(i) for i in report.started}
        assert (await a.accounts.get(DELETION, headers=me.headers)).json()["status"] == "cancelled"

        # An unconfirmed request expires after 30 minutes.
        late = (await a.accounts.post(DELETION, headers=me.headers)).json()
        assert late["id"] != confirmed.json()["id"]
        await scheduler.at(datetime.fromisoformat(late["created_at"]) + timedelta(minutes=31))
        assert (await a.accounts.get(DELETION, headers=me.headers)).json()["status"] == "expired"

        # Once started, it can no longer be cancelled.
        started = (await a.accounts.post(DELETION, headers=me.headers)).json()
        confirmed = await a.accounts.post(f"{DELETION}/confirm", headers=recent)
        assert confirmed.json()["id"] == started["id"]
        await scheduler.at(datetime.fromisoformat(confirmed.json()["grace_ends_at"]) + timedelta(seconds=1))
        assert (await a.accounts.get(DELETION, headers=me.headers)).json()["status"] == "in_progress"
        assert_error(await a.accounts.delete(DELETION, headers=me.headers), 409, "deletion_in_progress")

        # Operators' views are for operators.
        assert_error(await a.accounts.get("/api/accounts/admin/deletions", headers=me.headers), 403, "role_required")
        receipt = f"/api/accounts/admin/deletion-receipts/{started['id']}"
        assert_error(await a.accounts.get(receipt, headers=me.headers), 403, "role_required")
    # This deletion had no workers to answer it: remove it, so that later tests' scheduler passes do not carry it.
    async with scheduler.db.transaction() as session:
        await session.execute(sa.delete(DeletionRequest).where(DeletionRequest.user_id == me.id))


async def test_an_operator_erases_a_reported_childs_data_and_it_cannot_be_cancelled(
    infra: DevSettings, sign_in: SignIn, scheduler: Scheduler
) -> None:
    """The policy: "If you believe a child has given us personal data, contact us and we will delete it." The
    operator starts the deletion (audited: who, why), with no confirmation and no grace period."""
    child, operator = await sign_in(), await sign_in(roles=("admin",))
    admin = "/api/accounts/admin/deletions"
    body = {"user_id": child.id, "reason": "under_age", "note": "A parent wrote in: the account holder is 15."}
    async with apps() as a:
        assert_error(await a.accounts.post(admin, json=body, headers=child.headers), 403, "role_required")
        unknown = {**body, "user_id": str(uuid.uuid4())}
        assert_error(await a.accounts.post(admin, json=unknown, headers=operator.headers), 404, "account_not_found")
        started = await a.accounts.post(admin, json=body, headers=operator.headers)
        assert started.status_code == 201, started.text
        request = started.json()
        assert request["status"] == "scheduled" and request["started_by"] == "operator"
        assert request["grace_ends_at"] == request["confirmed_at"]  # no grace period
        seen = (await a.accounts.get(DELETION, headers=child.headers)).json()
        assert (seen["id"], seen["started_by"], seen["operator_reason"]) == (request["id"], "operator", "under_age")
        assert_error(await a.accounts.delete(DELETION, headers=child.headers), 409, "deletion_by_operator")
        report = (await scheduler.at(datetime.fromisoformat(request["grace_ends_at"]) + timedelta(seconds=1)))[0]
        assert request["id"] in {str(i) for i in report.started}
        async with scheduler.db.transaction() as session:
            row = await session.get(DeletionRequest, uuid.UUID(request["id"]))
            assert row is not None
            assert (row.status, row.operator_id, row.operator_note) == ("in_progress", operator.id, body["note"])
    async with scheduler.db.transaction() as session:
        await session.execute(sa.delete(DeletionRequest).where(DeletionRequest.user_id == child.id))


async def test_an_overdue_deletion_is_reported_and_still_completes(
    infra: DevSettings,
    sign_in: SignIn,
    signing_key: SigningKey,
    scheduler: Scheduler,
    caplog: pytest.LogCaptureFixture,
) -> None:
    me, admin = await sign_in(), await sign_in(roles=("admin",))
    async with every_worker() as workers, apps() as a:
        assert (await a.accounts.put("/api/accounts/consents/device_info", json={"granted": True},
                                     headers=me.headers)).status_code == 200  # fmt: skip
        await workers.stop("analytics")  # down for more than a month
        request = await _confirmed(a, signing_key, infra, me)
        confirmed_at = datetime.fromisoformat(request["confirmed_at"])
        await scheduler.at(confirmed_at + timedelta(days=7, minutes=1))

        async def all_but_analytics() -> bool:
            return _confirmed_by(await _progress(a, admin, request["id"])) == set(SERVICES) - {"analytics"}

        await until(all_but_analytics, "every running service's confirmation")
        with caplog.at_level(logging.ERROR, logger="intervu_accounts.deletion.service"):
            on_time = (await scheduler.at(confirmed_at + timedelta(days=29)))[0]
            assert request["id"] not in {str(i) for i in on_time.overdue}
            late = (await scheduler.at(confirmed_at + timedelta(days=30, minutes=1)))[0]
            assert request["id"] in {str(i) for i in late.overdue}
            await scheduler.at(confirmed_at + timedelta(days=31))  # reported once, not on every pass
        reports = [r for r in caplog.records if request["id"] in r.getMessage() and "OVERDUE" in r.getMessage()]
        assert len(reports) == 1 and "analytics" in reports[0].getMessage()
        progress = await _progress(a, admin, request["id"])
        assert progress["overdue"] is True

        workers.start("analytics")

        async def everyone() -> bool:
            return _confirmed_by(await _progress(a, admin, request["id"])) == set(SERVICES)

        await until(everyone, "analytics' confirmation")
        swept = (await scheduler.at(confirmed_at + timedelta(days=31, hours=1)))[0]
        assert request["id"] in {str(i) for i in swept.swept}
        await until(everyone, "every service's answer to the sweep")
        done = (await scheduler.at(confirmed_at + timedelta(days=31, hours=2)))[0]
        assert request["id"] in {str(i) for i in done.completed}
        receipt = (await a.accounts.get(f"/api/accounts/admin/deletion-receipts/{request['id']}",
                                        headers=admin.headers)).json()  # fmt: skip
        # The receipt tells the truth: completed after its deadline.
        assert datetime.fromisoformat(receipt["completed_at"]) > datetime.fromisoformat(receipt["deadline_at"])
    assert await rows_mentioning(me.id) == {}


async def test_an_export_asks_again_and_fails_saying_who_did_not_answer(
    infra: DevSettings, sign_in: SignIn, scheduler: Scheduler
) -> None:
    me = await sign_in()
    async with every_worker() as workers, apps() as a:
        await workers.stop("notifications")
        export = (await a.accounts.post("/api/accounts/exports", headers=me.headers)).json()
        url = f"/api/accounts/exports/{export['id']}"
        requested_at = datetime.fromisoformat(export["requested_at"])

        async def seven_answered() -> bool:
            return bool((await a.accounts.get(url, headers=me.headers)).json()["answered"] == len(SERVICES) - 1)

        await until(seven_answered, "seven parts")
        assert (await a.accounts.get(url, headers=me.headers)).json()["waiting_for"] == ["notifications"]
        asked = (await scheduler.at(requested_at + timedelta(hours=1, minutes=1)))[1]
        assert asked.asked_again.get(export["id"]) == ["notifications"]
        failed = (await scheduler.at(requested_at + timedelta(days=3, minutes=1)))[1]
        assert export["id"] in {str(i) for i in failed.failed}
        body = (await a.accounts.get(url, headers=me.headers)).json()
        assert (
            body["status"] == "failed" and body["waiting_for"] == ["notifications"] and "notifications" in body["error"]
        )
        assert body["download_url"] is None
        assert await scheduler.storage.list_objects(f"exports/{me.id}/{export['id']}/") == []  # parts removed
        # A new export can be asked for at once.
        fresh = (await a.accounts.post("/api/accounts/exports", headers=me.headers)).json()
        assert fresh["id"] != export["id"] and fresh["status"] == "collecting"
    async with scheduler.db.transaction() as session:  # nobody is left to answer it: later passes need not carry it
        await session.execute(sa.delete(Export).where(Export.user_id == me.id))


async def test_one_exports_trouble_does_not_hold_back_the_others(
    infra: DevSettings, sign_in: SignIn, scheduler: Scheduler
) -> None:
    """An export whose account is gone meanwhile fails with a reason; one ready in the same pass is still made."""
    me = await sign_in()
    gone = str(uuid.uuid4())  # no such Keycloak user
    now = datetime.now(UTC)
    async with scheduler.db.transaction() as session:
        for user_id in (gone, me.id):
            export_id = uuid.uuid4()
            session.add(Export(id=export_id, user_id=user_id, status="collecting", requested_at=now, last_asked_at=now,
                               times_asked=1))  # fmt: skip
            await session.flush()
            for service in SERVICES:
                session.add(ExportPart(export_id=export_id, service=service, files=[], counts={}, received_at=now))
    report = (await scheduler.at(now))[1]
    async with scheduler.db.transaction() as session:
        query = sa.select(Export).where(Export.user_id.in_([gone, me.id]))
        rows = {e.user_id: e for e in (await session.scalars(query)).all()}
    assert rows[gone].status == "failed" and rows[gone].error == "The account no longer exists."
    assert rows[me.id].status == "ready" and rows[me.id].id in report.assembled and rows[gone].id in report.failed

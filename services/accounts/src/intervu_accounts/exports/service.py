"""Exporting a person's data in a portable format (the privacy policy's right to data portability).

A request is announced to every service (``accounts.user_export_requested.v1``); each writes its part (JSON per
entity, plus its files: recordings) and answers ``privacy.user_data_exported.v1``. When all have answered, the
worker zips the parts with the profile Keycloak holds and a ``manifest.json`` (every file with its size and
SHA-256), stores the ZIP under the person's prefix, and announces ``accounts.export_ready.v1``. A download link is
signed for minutes; the ZIP itself is removed after days. A service that does not answer is asked again; after
``export_give_up_s`` the export fails and says which services did not answer.
"""

from __future__ import annotations

import hashlib
import json
import logging
import tempfile
import uuid
import zipfile
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from intervu_contracts import EventEnvelope, ExportReady, UserDataExported, UserExportRequested
from intervu_kit.errors import IntervuError, NotFound
from intervu_kit.events import publish
from intervu_kit.jobs import Job, JobContext, enqueue
from intervu_kit.keycloak_users import KeycloakUsers
from intervu_kit.privacy import export_prefix
from intervu_kit.settings import SERVICES
from intervu_kit.storage import ObjectNotFound, Storage
from intervu_kit.storage.files import upload_file
from sqlalchemy.ext.asyncio import AsyncSession

from intervu_accounts.config import Settings
from intervu_accounts.deletion.repository import DeletionRepository
from intervu_accounts.exports.repository import ExportRepository
from intervu_accounts.exports.schemas import ExportOut, ExportReport
from intervu_accounts.models import ASSEMBLE_KIND, Export, ExportPart, events, jobs

log = logging.getLogger(__name__)

FORMAT_VERSION = 1
# Already compressed (recordings): stored as they are; JSON is deflated.
_STORED = (".webm", ".mp4", ".m4a", ".ogg", ".mp3", ".wav", ".zip")
README = """Your data from Intervu
======================

manifest.json        what this archive holds: every file with its size and SHA-256, and counts per service
accounts/profile.json  your account as Keycloak holds it (name, email, date of birth)
<service>/<table>.json every row each Intervu service keeps about you, as JSON
media/recordings/      your answer recordings as uploaded (WebM or MP4)

Each service keeps its own data; the service names say which part of Intervu held it (interviews: practice
sessions and answers; transcription: transcripts with word timings; feedback: scores and feedback; avatar: the
interviewer clips of your sessions; accounts: consents and their history).
"""


class ExportNotFound(NotFound):
    code = "export_not_found"
    message = "No such export."


class TooManyExports(IntervuError):
    status = 429
    code = "export_limit"
    message = "You have asked for several exports today; the latest one is still available. Try again later."


async def request_export(session: AsyncSession, user_id: str, now: datetime, max_per_day: int = 3) -> Export:
    """Start an export, or return the one still being collected (one at a time). Each export copies every
    recording and is kept for days, so a person gets ``max_per_day`` in any 24 hours (the right stays: the
    latest is there to download, and the next is possible once the window moves on)."""
    repo = ExportRepository(session)
    await repo.lock_requests_of(user_id)
    current = await repo.collecting_of(user_id)
    if current is not None:
        return current
    recent = await repo.requested_since(user_id, now - timedelta(days=1))
    if len(recent) >= max_per_day:
        retry_after = max(1, int((recent[0] + timedelta(days=1) - now).total_seconds()))
        raise TooManyExports(
            details={"max_per_day": max_per_day, "retry_after_s": retry_after},
            headers={"Retry-After": str(retry_after)},
        )
    export = Export(id=uuid.uuid4(), user_id=user_id, status="collecting", requested_at=now, last_asked_at=now,
                    times_asked=1)  # fmt: skip
    repo.add(export)
    await session.flush()
    await publish(
        session, events.outbox, UserExportRequested(user_id=user_id, export_id=export.id), producer="accounts"
    )
    return export


async def on_part(session: AsyncSession, event: UserDataExported, envelope: EventEnvelope) -> None:
    await ExportRepository(session).add_part(
        ExportPart(
            export_id=event.export_id,
            service=event.service,
            files=[f.model_dump() for f in event.files],
            counts=event.counts,
            received_at=envelope.occurred_at,
        )
    )


async def describe(
    session: AsyncSession, storage: Storage, settings: Settings, exports: Sequence[Export], services: Sequence[str]
) -> list[ExportOut]:
    answered = await ExportRepository(session).answered([e.id for e in exports])
    out = []
    for e in exports:
        done = answered.get(e.id, [])
        url = None
        if e.status == "ready" and e.object_key:
            url = await storage.signed_url(
                e.object_key, settings.export_link_s, base_url=f"{settings.api_prefix}/files"
            )
        out.append(
            ExportOut(
                id=e.id,
                status=e.status,
                requested_at=e.requested_at,
                answered=len(done) if e.status == "collecting" else len(services),
                total=len(services),
                waiting_for=[s for s in services if s not in done] if e.status in ("collecting", "failed") else [],
                ready_at=e.ready_at,
                expires_at=e.expires_at,
                size=e.size,
                download_url=url,
                error=e.error,
            )
        )
    return out


async def advance_exports(
    session: AsyncSession,
    storage: Storage,
    users: KeycloakUsers,
    settings: Settings,
    now: datetime,
    services: Sequence[str] = SERVICES,
) -> ExportReport:
    repo = ExportRepository(session)
    report = ExportReport()
    give_up = timedelta(seconds=settings.export_give_up_s)
    for export in await repo.collecting():
        parts = await repo.parts(export.id)
        missing = [s for s in services if s not in {p.service for p in parts}]
        deleting = await DeletionRepository(session).open_of(export.user_id)
        if deleting is not None and deleting.status == "in_progress":
            await _fail(storage, settings, export, "The account is being deleted.", now)
            report.failed.append(export.id)
        elif not missing:
            # Every part is in: the ZIP is made by a leased job, outside this pass's transaction (copying every
            # recording of a person held the pass and its row locks for as long as that took). Enqueued once.
            payload = {"export_id": str(export.id)}
            if await enqueue(session, jobs, ASSEMBLE_KIND, str(export.id), payload, user_id=export.user_id):
                report.queued.append(export.id)
        elif export.requested_at + give_up <= now:
            await _fail(storage, settings, export, "These services did not answer: " + ", ".join(missing), now)
            report.failed.append(export.id)
            log.error("export %s failed: no answer from %s", export.id, ", ".join(missing))
        elif export.last_asked_at + timedelta(seconds=settings.export_retry_s) <= now:
            export.last_asked_at, export.times_asked = now, export.times_asked + 1
            await publish(
                session,
                events.outbox,
                UserExportRequested(user_id=export.user_id, export_id=export.id, services=missing),
                producer="accounts",
            )
            report.asked_again[str(export.id)] = missing
    for export in await repo.expiring(now):
        await storage.delete_prefix(f"{export_prefix(export.user_id, export.id)}/")
        if export.status == "ready":
            export.status, export.object_key = "expired", None
            report.expired.append(export.id)
        export.expires_at = None
    return report


async def _fail(storage: Storage, settings: Settings, export: Export, reason: str, now: datetime) -> None:
    export.status, export.error = "failed", reason
    await storage.delete_prefix(f"{export_prefix(export.user_id, export.id)}/")
    # A part arriving late may still write files: the expiry pass empties the prefix once more.
    export.expires_at = now + timedelta(seconds=settings.export_keep_s)


def _profile(user: dict[str, Any]) -> dict[str, Any]:
    attributes = user.get("attributes") or {}
    created = user.get("createdTimestamp")
    return {
        "id": user.get("id"),
        "username": user.get("username"),
        "email": user.get("email"),
        "email_verified": user.get("emailVerified"),
        "first_name": user.get("firstName"),
        "last_name": user.get("lastName"),
        "birthdate": (attributes.get("birthdate") or [None])[0],
        "created_at": datetime.fromtimestamp(created / 1000).astimezone().isoformat() if created else None,
    }


class Assembled:
    def __init__(self, key: str, size: int) -> None:
        self.key, self.size = key, size


async def assemble_job(job: Job, ctx: JobContext, storage: Storage, users: KeycloakUsers, settings: Settings) -> None:
    """Make one export's ZIP: read the export and its parts in a short transaction, build and store the ZIP with no
    transaction open, then mark it ready (and announce it) in one short transaction while holding the lease."""
    export_id = uuid.UUID(job.payload["export_id"])
    async with ctx.db.transaction() as session:
        export = await session.get(Export, export_id)
        parts = list(await ExportRepository(session).parts(export_id)) if export else []
    if export is None or export.status != "collecting":
        async with ctx.finishing():
            return
    now = datetime.now(UTC)
    failure: str | None = None
    made: Assembled | None = None
    try:
        await ctx.progress(0.1, "collecting the parts")
        made = await _assemble(storage, users, export, parts, now)
    except NotFound:  # the Keycloak account is gone: retrying cannot help
        failure = "The account no longer exists."
    async with ctx.finishing() as session:
        locked = await session.get(Export, export_id, with_for_update=True, populate_existing=True)
        if locked is None or locked.status != "collecting":
            return  # failed or deleted meanwhile (the expiry pass empties its prefix)
        if failure is not None or made is None:
            await _fail(storage, settings, locked, failure or "The export could not be assembled.", now)
            return
        await _ready(session, storage, settings, locked, made, now)


async def export_parked(session: AsyncSession, storage: Storage, settings: Settings, job: Job) -> None:
    """Retried until parked (storage or Keycloak away for long): the person is told the export failed."""
    export = await session.get(Export, uuid.UUID(job.payload["export_id"]), with_for_update=True)
    if export is not None and export.status == "collecting":
        await _fail(storage, settings, export, "The export could not be assembled.", datetime.now(UTC))


async def _assemble(
    storage: Storage, users: KeycloakUsers, export: Export, parts: Sequence[ExportPart], now: datetime
) -> Assembled:
    profile = _profile(await users.get(export.user_id))
    manifest: dict[str, Any] = {
        "format": "intervu-export",
        "version": FORMAT_VERSION,
        "export_id": str(export.id),
        "account_id": export.user_id,
        "requested_at": export.requested_at.isoformat(),
        "created_at": now.isoformat(),
        "services": {},
        "files": [],
    }
    prefix = export_prefix(export.user_id, export.id)
    name = f"intervu-export-{now:%Y-%m-%d}.zip"
    with tempfile.TemporaryDirectory(prefix="intervu-export-") as tmp:
        target = Path(tmp) / name
        with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED, allowZip64=True) as archive:
            archive.writestr("README.txt", README)
            data = json.dumps(profile, ensure_ascii=False, indent=2).encode()
            archive.writestr("accounts/profile.json", data)
            manifest["files"].append(_entry("accounts/profile.json", data))
            for part in parts:
                manifest["services"][part.service] = {"counts": part.counts}
                for f in part.files:
                    path, key = str(f["path"]), str(f["key"])
                    if not key.startswith(f"{prefix}/parts/{part.service}/") and not key.startswith(
                        tuple(f"{p}/{export.user_id}/" for p in ("recordings", "exports"))
                    ):
                        # A part names files of this person only: anything else is not copied into their ZIP.
                        log.error("export %s: %s named %s, outside the person's prefixes", export.id, part.service,
                                  key)  # fmt: skip
                        continue
                    try:
                        manifest["files"].append(await _copy(storage, archive, key, path))
                    except ObjectNotFound:  # deleted since (retention): say so rather than fail the export
                        manifest["files"].append({"path": path, "missing": "deleted before the export was made"})
            archive.writestr("manifest.json", json.dumps(manifest, ensure_ascii=False, indent=2))
        info = await upload_file(storage, f"{prefix}/{name}", target, "application/zip")
    log.info("export %s assembled: %d files", export.id, len(manifest["files"]))
    return Assembled(info.key, info.size)


async def _ready(
    session: AsyncSession, storage: Storage, settings: Settings, export: Export, made: Assembled, now: datetime
) -> None:
    # The parts are copies (JSON) or pointers (recordings stay where they are): the JSON copies go now.
    prefix = export_prefix(export.user_id, export.id)
    for stored in await storage.list_objects(f"{prefix}/parts/"):
        await storage.delete(stored.key)
    export.status, export.ready_at, export.object_key, export.size = "ready", now, made.key, made.size
    export.expires_at = now + timedelta(seconds=settings.export_keep_s)
    await publish(
        session,
        events.outbox,
        ExportReady(user_id=export.user_id, export_id=export.id, size=made.size, expires_at=export.expires_at),
        producer="accounts",
    )
    log.info("export %s ready: %d bytes", export.id, made.size)


def _entry(path: str, data: bytes) -> dict[str, Any]:
    return {"path": path, "size": len(data), "sha256": hashlib.sha256(data).hexdigest()}


async def _copy(storage: Storage, archive: zipfile.ZipFile, key: str, path: str) -> dict[str, Any]:
    if await storage.stat(key) is None:  # before an entry is opened: no empty file in the ZIP
        raise ObjectNotFound()
    digest, size = hashlib.sha256(), 0
    compress = zipfile.ZIP_STORED if path.lower().endswith(_STORED) else zipfile.ZIP_DEFLATED
    info = zipfile.ZipInfo(path, date_time=datetime.now().timetuple()[:6])
    info.compress_type = compress
    with archive.open(info, "w", force_zip64=True) as out:
        async for chunk in storage.read(key):
            out.write(chunk)
            digest.update(chunk)
            size += len(chunk)
    return {"path": path, "size": size, "sha256": digest.hexdigest()}

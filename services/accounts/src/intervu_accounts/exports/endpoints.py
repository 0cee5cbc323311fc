from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime

from fastapi import APIRouter, Response, status
from intervu_kit.auth import CurrentUser
from intervu_kit.db import SessionDep
from intervu_kit.settings import SERVICES
from intervu_kit.storage.serving import StorageDep, signed_files_router

from intervu_accounts.deps import SettingsDep
from intervu_accounts.exports.repository import ExportRepository
from intervu_accounts.exports.schemas import ExportOut
from intervu_accounts.exports.service import ExportNotFound, describe, request_export

router = APIRouter(prefix="/exports", tags=["exports"])

SERVED = re.compile(r"exports/[0-9a-f-]{36}/[0-9a-f-]{36}/intervu-export-\d{4}-\d{2}-\d{2}\.zip")


@router.post("", response_model=ExportOut, status_code=status.HTTP_202_ACCEPTED)
async def ask_for_export(
    user: CurrentUser, session: SessionDep, storage: StorageDep, settings: SettingsDep, response: Response
) -> ExportOut:
    """Ask for a copy of all your data (a ZIP: JSON per entity, your transcripts, feedback and recordings, and a
    `manifest.json`). Collected in the background: poll `GET /exports/{id}` (progress: `answered` of `total`).
    While one export is being collected, asking again returns it; at most `export_max_per_day` (3) in any 24 hours
    (429 `export_limit` with `Retry-After`)."""
    export = await request_export(session, user.id, datetime.now(UTC), settings.export_max_per_day)
    response.headers["Location"] = f"{settings.api_prefix}/exports/{export.id}"
    return (await describe(session, storage, settings, [export], SERVICES))[0]


@router.get("", response_model=list[ExportOut])
async def list_exports(
    user: CurrentUser, session: SessionDep, storage: StorageDep, settings: SettingsDep
) -> list[ExportOut]:
    """Your exports, newest first."""
    exports = await ExportRepository(session).list_owned(user.id)
    return await describe(session, storage, settings, exports, SERVICES)


@router.get("/{export_id}", response_model=ExportOut)
async def read_export(
    export_id: uuid.UUID, user: CurrentUser, session: SessionDep, storage: StorageDep, settings: SettingsDep
) -> ExportOut:
    """One export; when ready, with a download link valid for 15 minutes (read this again for a new one)."""
    export = await ExportRepository(session).get_owned(export_id, user.id)
    if export is None:
        raise ExportNotFound()  # someone else's export is indistinguishable from a missing one
    return (await describe(session, storage, settings, [export], SERVICES))[0]


# Downloads by signed link (saved under the ZIP's own name).
files = signed_files_router(SERVED, download=True, what="an export")

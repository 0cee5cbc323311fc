"""Where the media service keeps a person's data: recording rows, and the recordings themselves under
``recordings/<user>/`` in storage (the export carries each playable recording; deletion empties the prefix)."""

from __future__ import annotations

import contextlib
import logging
import posixpath

from intervu_kit.privacy import Owned, UserData
from intervu_kit.storage import Storage
from sqlalchemy.ext.asyncio import AsyncSession

from intervu_media.models import Recording, RecordingStatus, consents, jobs
from intervu_media.repository import RecordingRepository

log = logging.getLogger(__name__)


async def _recordings(session: AsyncSession, user_id: str) -> list[tuple[str, str]]:
    files = []
    for rec in await RecordingRepository(session).all_of(user_id):
        if rec.status == RecordingStatus.READY.value and rec.media_key:
            files.append((f"recordings/{rec.id}{posixpath.splitext(rec.media_key)[1]}", rec.media_key))
    return files


async def _abort_uploads(session: AsyncSession, storage: Storage, user_id: str) -> int:
    # An S3 multipart upload still open is not an object a prefix deletion sees: abort it so no part remains.
    aborted = 0
    for rec in await RecordingRepository(session).all_of(user_id, lock=True):
        if rec.multipart_id:
            with contextlib.suppress(Exception):  # already completed or aborted: nothing left to remove
                await storage.abort_multipart(rec.original_key, rec.multipart_id)
                aborted += 1
    return aborted


USER_DATA = UserData(
    service="media",
    tables=[
        Owned(Recording.__table__, private_columns=("multipart_id", "parts", "tail_size")),  # type: ignore[arg-type]
        Owned(consents),
        # Leased jobs about the person's uploads: deleted with the rest (bookkeeping, not exported).
        Owned(jobs, exported=False),
    ],
    object_prefixes=lambda user_id: [f"recordings/{user_id}/"],
    files=_recordings,
    before_delete=_abort_uploads,
)

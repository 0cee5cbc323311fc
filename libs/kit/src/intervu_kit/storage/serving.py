"""Serving stored objects by signed URL (local-disk storage: S3 serves its presigned URLs itself).

A service that hands out playback links mounts a route that calls `serve_signed`; the signature is the
authorisation (it names one object and expires within minutes), so the route needs no token.
"""

from __future__ import annotations

import re
import time
from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import APIRouter, Depends, Header, Query, Request
from fastapi.responses import StreamingResponse

from intervu_kit.errors import Forbidden, IntervuError, NotFound
from intervu_kit.storage.base import Storage, verify_url_signature
from intervu_kit.storage.local import LocalStorage

_RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")
TYPES = {
    "webm": "video/webm",
    "mp4": "video/mp4",
    "m4a": "audio/mp4",
    "ogg": "audio/ogg",
    "wav": "audio/wav",
    "mp3": "audio/mpeg",
    "vtt": "text/vtt",
    "zip": "application/zip",
}


def _storage(request: Request) -> Storage:
    storage: Storage = request.app.state.kit.storage
    return storage


# The app's own storage (tests build apps with another backend): what an endpoint reading or writing objects takes.
StorageDep = Annotated[Storage, Depends(_storage)]


async def serve_signed(
    storage: Storage,
    secret: bytes,
    key: str,
    expires: int,
    signature: str,
    range_header: str | None,
    served: re.Pattern[str],
    *,
    download: bool = False,
) -> StreamingResponse:
    """The object at ``key`` (which must match ``served``) if the signature is valid and unexpired; ranges work."""
    if not isinstance(storage, LocalStorage):
        raise NotFound()
    if not served.fullmatch(key):
        raise Forbidden("This URL is not valid.", code="invalid_signature")
    if expires < time.time():
        raise Forbidden("This link has expired; ask for a new one.", code="url_expired")
    if not verify_url_signature(secret, key, expires, signature):
        raise Forbidden("This URL is not valid.", code="invalid_signature")
    info = await storage.stat(key)
    if info is None:
        raise NotFound("The file no longer exists.", code="object_not_found")
    size = info.size
    start, end, status = 0, size - 1, 200
    if range_header:
        match = _RANGE.match(range_header.strip())
        if not match or (not match.group(1) and not match.group(2)):
            raise IntervuError(
                "Malformed Range header.",
                code="invalid_range",
                status=416,
                headers={"Content-Range": f"bytes */{size}"},
            )
        if match.group(1):
            start = int(match.group(1))
            end = min(int(match.group(2)), size - 1) if match.group(2) else size - 1
        else:  # suffix range: the last N bytes
            start = max(size - int(match.group(2)), 0)
        if start >= size or start > end:
            raise IntervuError(
                "The range is outside the file.",
                code="range_not_satisfiable",
                status=416,
                headers={"Content-Range": f"bytes */{size}"},
            )
        status = 206
    headers = {
        "Accept-Ranges": "bytes",
        "Content-Length": str(end - start + 1),
        "Cache-Control": "private, max-age=300",
        # A download (an export) is saved under its own name; media plays in the page.
        "Content-Disposition": f'attachment; filename="{key.rsplit("/", 1)[-1]}"' if download else "inline",
    }
    if status == 206:
        headers["Content-Range"] = f"bytes {start}-{end}/{size}"

    async def body() -> AsyncIterator[bytes]:
        async for chunk in storage.read(key, start, end):
            yield chunk

    return StreamingResponse(
        body(),
        status_code=status,
        headers=headers,
        media_type=TYPES.get(key.rsplit(".", 1)[-1], "application/octet-stream"),
    )


def signed_files_router(served: re.Pattern[str], *, download: bool = False, what: str = "a file") -> APIRouter:
    """``GET /files/{key}`` serving the objects ``served`` matches by signed URL (the route a service's
    ``signed_url(..., base_url=f"{api_prefix}/files")`` links point at)."""
    router = APIRouter(tags=["files"])

    @router.get("/files/{key:path}", include_in_schema=True, summary=f"Serve {what} by signed URL")
    async def signed_file(
        key: str,
        request: Request,
        storage: StorageDep,
        expires: int,
        signature: Annotated[str, Query(max_length=128)],
        range_header: Annotated[str | None, Header(alias="Range")] = None,
    ) -> StreamingResponse:
        """Local-disk storage only (S3 serves its presigned URLs itself). The signature is the authorisation: it
        names one object and expires within minutes."""
        secret = request.app.state.kit.settings.storage_signing_key.get_secret_value().encode()
        return await serve_signed(storage, secret, key, expires, signature, range_header, served, download=download)

    return router

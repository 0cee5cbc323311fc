"""Moving objects to and from local files (ffmpeg, ffprobe and speech models want a path), streamed."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import anyio

from intervu_kit.storage.base import ObjectInfo, Storage

CHUNK = 1024 * 1024


async def download_to_file(storage: Storage, key: str, target: Path) -> None:
    async with await anyio.open_file(target, "wb") as fh:
        async for chunk in storage.read(key):
            await fh.write(chunk)


async def upload_file(storage: Storage, key: str, path: Path, content_type: str | None = None) -> ObjectInfo:
    async def chunks() -> AsyncIterator[bytes]:
        async with await anyio.open_file(path, "rb") as fh:
            while chunk := await fh.read(CHUNK):
                yield chunk

    return await storage.put_stream(key, chunks(), content_type)

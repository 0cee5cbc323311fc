"""Local-disk storage: the development default. Writes are atomic (temp file + rename)."""

from __future__ import annotations

import contextlib
import errno
import os
import shutil
import time
import uuid
from collections.abc import AsyncIterable, AsyncIterator
from pathlib import Path
from urllib.parse import quote, urlencode

import anyio

from intervu_kit.storage.base import (
    InvalidKey,
    ObjectInfo,
    ObjectNotFound,
    Part,
    sign_url_params,
    validate_key,
)

CHUNK = 1024 * 1024
_TMP = ".tmp"
_MULTIPART = ".multipart"


class StorageUnavailable(OSError):
    """The store cannot be reached: retry later (an API request answers 503, a job tries again)."""


class LocalStorage:
    backend = "local"

    def __init__(self, root: Path, signing_key: bytes) -> None:
        self.root = root.resolve()
        self._signing_key = signing_key
        # A fresh installation starts with no folder: made here, once. Gone later, it is an outage (_available).
        with contextlib.suppress(OSError):
            self.root.mkdir(parents=True, exist_ok=True)

    def _available(self) -> None:
        # The root missing (an unmounted volume, a folder moved away) is an outage, not "no such object": answering
        # "not found" made media reject recordings for good ("upload it again") and deletions find nothing to
        # delete while the bytes were only out of reach (found by the fault suite). An OSError is retried.
        if not self.root.is_dir():
            raise StorageUnavailable(errno.ENOENT, "object storage is unavailable", str(self.root))

    def _path(self, key: str) -> Path:
        self._available()
        path = (self.root / validate_key(key)).resolve()
        if self.root not in path.parents:
            raise InvalidKey(details={"key": key[:100]})
        return path

    def _tmp(self) -> Path:
        self._available()
        tmp = self.root / _TMP
        tmp.mkdir(parents=True, exist_ok=True)
        return tmp / uuid.uuid4().hex

    async def ping(self) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        probe = self._tmp()
        probe.write_bytes(b"")
        probe.unlink()

    async def put_bytes(self, key: str, data: bytes, content_type: str | None = None) -> ObjectInfo:
        async def one() -> AsyncIterator[bytes]:
            yield data

        return await self.put_stream(key, one(), content_type)

    async def put_stream(self, key: str, chunks: AsyncIterable[bytes], content_type: str | None = None) -> ObjectInfo:
        target = self._path(key)
        tmp = self._tmp()
        size = 0
        try:
            async with await anyio.open_file(tmp, "wb") as fh:
                async for chunk in chunks:
                    await fh.write(chunk)
                    size += len(chunk)
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(tmp, target)
        finally:
            tmp.unlink(missing_ok=True)
        return ObjectInfo(key=key, size=size, content_type=content_type)

    async def stat(self, key: str) -> ObjectInfo | None:
        path = self._path(key)
        if not path.is_file():
            return None
        return ObjectInfo(key=key, size=path.stat().st_size)

    async def read(self, key: str, start: int = 0, end: int | None = None) -> AsyncIterator[bytes]:
        path = self._path(key)
        if not path.is_file():
            raise ObjectNotFound(details={"key": key})
        remaining = None if end is None else end - start + 1
        async with await anyio.open_file(path, "rb") as fh:
            await fh.seek(start)
            while remaining is None or remaining > 0:
                chunk = await fh.read(CHUNK if remaining is None else min(CHUNK, remaining))
                if not chunk:
                    break
                if remaining is not None:
                    remaining -= len(chunk)
                yield chunk

    async def delete(self, key: str) -> None:
        self._path(key).unlink(missing_ok=True)

    async def list_objects(self, prefix: str) -> list[ObjectInfo]:
        if prefix:
            validate_key(prefix.rstrip("/") or "x")
        self._available()
        out: list[ObjectInfo] = []
        # Walk only the folder the prefix names (tus lists an upload's tails on every PATCH: never the whole root).
        start = self.root / prefix.rsplit("/", 1)[0] if "/" in prefix else self.root
        if not start.is_dir():
            return out
        for path in sorted(start.rglob("*")):
            rel = path.relative_to(self.root).as_posix()
            if path.is_file() and rel.startswith(prefix) and not rel.startswith((_TMP, _MULTIPART)):
                out.append(ObjectInfo(key=rel, size=path.stat().st_size))
        return out

    async def delete_prefix(self, prefix: str) -> int:
        objects = await self.list_objects(prefix)
        for obj in objects:
            await self.delete(obj.key)
        return len(objects)

    # --- multipart: parts are files in a per-upload folder, concatenated on completion ----------
    def _upload_dir(self, upload_id: str) -> Path:
        if not upload_id.isalnum():
            raise InvalidKey("The upload id is not valid.", code="invalid_upload_id")
        return self.root / _MULTIPART / upload_id

    async def create_multipart(self, key: str, content_type: str | None = None) -> str:
        validate_key(key)
        upload_id = uuid.uuid4().hex
        self._upload_dir(upload_id).mkdir(parents=True)
        return upload_id

    async def upload_part(self, key: str, upload_id: str, number: int, data: bytes) -> Part:
        folder = self._upload_dir(upload_id)
        if not folder.is_dir():
            raise ObjectNotFound("The upload does not exist.", code="upload_not_found")
        part = folder / f"{number:05d}"
        tmp = folder / f"{number:05d}.tmp"
        await anyio.Path(tmp).write_bytes(data)
        os.replace(tmp, part)
        return Part(number=number, etag=f"{number}-{len(data)}")

    async def complete_multipart(self, key: str, upload_id: str, parts: list[Part]) -> ObjectInfo:
        folder = self._upload_dir(upload_id)

        async def concatenated() -> AsyncIterator[bytes]:
            for part in sorted(parts, key=lambda p: p.number):
                async for chunk in self._read_path(folder / f"{part.number:05d}"):
                    yield chunk

        info = await self.put_stream(key, concatenated())
        shutil.rmtree(folder, ignore_errors=True)
        return info

    async def _read_path(self, path: Path) -> AsyncIterator[bytes]:
        async with await anyio.open_file(path, "rb") as fh:
            while chunk := await fh.read(CHUNK):
                yield chunk

    async def abort_multipart(self, key: str, upload_id: str) -> None:
        shutil.rmtree(self._upload_dir(upload_id), ignore_errors=True)

    async def signed_url(self, key: str, expires_s: int, *, base_url: str) -> str:
        """An HMAC-signed URL served by the owning service (which checks it with ``verify_url_signature``)."""
        validate_key(key)
        expires_at = int(time.time()) + expires_s
        signature = sign_url_params(self._signing_key, key, expires_at)
        query = urlencode({"expires": expires_at, "signature": signature})
        return f"{base_url.rstrip('/')}/{quote(key)}?{query}"

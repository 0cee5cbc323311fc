"""The storage port and the rules every backend shares (key syntax, URL signatures)."""

from __future__ import annotations

import hashlib
import hmac
import re
import time
from collections.abc import AsyncIterable, AsyncIterator
from dataclasses import dataclass
from typing import Protocol

from intervu_kit.errors import IntervuError, NotFound

# Keys are built by services, never taken verbatim from users; the pattern still forbids traversal
# ("..", absolute paths, backslashes) so that a bug cannot escape the local root or a tenant prefix.
_KEY = re.compile(r"^[A-Za-z0-9_-][A-Za-z0-9._/-]{0,511}$")
MIN_PART_SIZE = 5 * 1024 * 1024  # S3's minimum for every part but the last


class InvalidKey(IntervuError):
    status = 400
    code = "invalid_storage_key"
    message = "The object key is not valid."


class ObjectNotFound(NotFound):
    code = "object_not_found"
    message = "The object does not exist."


def validate_key(key: str) -> str:
    if not _KEY.match(key) or any(part in ("", ".", "..") for part in key.split("/")):
        raise InvalidKey(details={"key": key[:100]})
    return key


@dataclass(frozen=True)
class ObjectInfo:
    key: str
    size: int
    content_type: str | None = None
    # How the store encrypts it at rest, as the store itself reports it (S3: "AES256" or "aws:kms"); None: it
    # says nothing (local disk: the operator's disk encryption, see docs/PRIVACY.md).
    encryption: str | None = None


@dataclass(frozen=True)
class Part:
    number: int
    etag: str


class Storage(Protocol):
    """What services may do with stored objects. Streams in and out; never needs a whole file in memory."""

    backend: str

    async def ping(self) -> None: ...

    async def put_bytes(self, key: str, data: bytes, content_type: str | None = None) -> ObjectInfo: ...

    async def put_stream(
        self, key: str, chunks: AsyncIterable[bytes], content_type: str | None = None
    ) -> ObjectInfo: ...

    async def stat(self, key: str) -> ObjectInfo | None: ...

    def read(self, key: str, start: int = 0, end: int | None = None) -> AsyncIterator[bytes]:
        """Bytes ``start`` to ``end`` inclusive (HTTP range semantics), in chunks."""
        ...

    async def delete(self, key: str) -> None: ...

    async def delete_prefix(self, prefix: str) -> int: ...

    async def list_objects(self, prefix: str) -> list[ObjectInfo]: ...

    async def create_multipart(self, key: str, content_type: str | None = None) -> str: ...

    async def upload_part(self, key: str, upload_id: str, number: int, data: bytes) -> Part: ...

    async def complete_multipart(self, key: str, upload_id: str, parts: list[Part]) -> ObjectInfo: ...

    async def abort_multipart(self, key: str, upload_id: str) -> None: ...

    async def signed_url(self, key: str, expires_s: int, *, base_url: str) -> str: ...


def sign_url_params(secret: bytes, key: str, expires_at: int) -> str:
    return hmac.new(secret, f"{key}\n{expires_at}".encode(), hashlib.sha256).hexdigest()


def verify_url_signature(secret: bytes, key: str, expires_at: int, signature: str, now: float | None = None) -> bool:
    """True only for an unexpired URL whose signature matches (compared in constant time)."""
    if expires_at < (now if now is not None else time.time()):
        return False
    # Compared as bytes: compare_digest refuses non-ASCII str with a TypeError, which a forged URL must not reach.
    return hmac.compare_digest(sign_url_params(secret, key, expires_at).encode(), signature.encode())

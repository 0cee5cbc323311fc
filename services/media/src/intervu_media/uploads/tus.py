"""The tus 1.0 wire protocol: headers in and out, metadata, checksums. No storage or database here."""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from email.utils import format_datetime
from typing import Any

from intervu_kit.errors import IntervuError

VERSION = "1.0.0"
EXTENSIONS = "creation,creation-defer-length,termination,checksum,expiration"
CHECKSUM_ALGORITHMS: dict[str, Callable[[], Any]] = {
    "sha1": hashlib.sha1,
    "sha256": hashlib.sha256,
    "md5": hashlib.md5,
}
_META_KEY = re.compile(r"^[A-Za-z0-9_.-]{1,64}$")
_FILENAME_FORBIDDEN = re.compile(r"[\x00-\x1f\x7f/\\]")


class TusError(IntervuError):
    """An error on a tus endpoint: the one error shape, plus the headers tus clients look for."""

    def __init__(self, status: int, code: str, message: str, **kw: Any) -> None:
        headers = {"Tus-Resumable": VERSION, **kw.pop("headers", {})}
        super().__init__(message, code=code, status=status, headers=headers, **kw)


def require_version(header: str | None) -> None:
    if header != VERSION:
        raise TusError(
            412,
            "tus_version_unsupported",
            f"This server speaks tus {VERSION} (Tus-Resumable header).",
            headers={"Tus-Version": VERSION},
        )


def parse_length(value: str | None, name: str) -> int | None:
    if value is None:
        return None
    if not value.isdigit() or len(value) > 15:
        raise TusError(400, "invalid_header", f"{name} must be a non-negative integer.")
    return int(value)


@dataclass(frozen=True)
class UploadMetadata:
    filename: str | None = None
    filetype: str | None = None
    answer_id: uuid.UUID | None = None
    session_id: uuid.UUID | None = None


def parse_metadata(header: str | None) -> UploadMetadata:
    """``Upload-Metadata: key base64value,key2 base64value2``; only the keys we know are kept."""
    if not header:
        return UploadMetadata()
    values: dict[str, str] = {}
    for pair in header.split(","):
        parts = pair.strip().split(" ")
        if not parts[0] or len(parts) > 2 or not _META_KEY.match(parts[0]):
            raise TusError(400, "invalid_metadata", "Upload-Metadata is not valid.")
        try:
            decoded = base64.b64decode(parts[1], validate=True).decode("utf-8") if len(parts) == 2 else ""
        except (binascii.Error, UnicodeDecodeError) as exc:
            raise TusError(400, "invalid_metadata", f"Upload-Metadata value for '{parts[0]}' is not base64.") from exc
        values[parts[0]] = decoded
    filename = values.get("filename") or values.get("name")
    if filename is not None and (
        len(filename) > 255 or _FILENAME_FORBIDDEN.search(filename) or filename in {".", ".."}
    ):
        raise TusError(
            400,
            "invalid_filename",
            "The file name is too long or contains path separators.",
            details={"max_length": 255},
        )
    filetype = values.get("filetype") or values.get("type")
    if filetype is not None and len(filetype) > 100:
        raise TusError(400, "invalid_metadata", "The file type is too long.")

    def as_uuid(key: str) -> uuid.UUID | None:
        if not values.get(key):
            return None
        try:
            return uuid.UUID(values[key])
        except ValueError as exc:
            raise TusError(400, "invalid_metadata", f"'{key}' must be a UUID.") from exc

    return UploadMetadata(
        filename=filename, filetype=filetype, answer_id=as_uuid("answer_id"), session_id=as_uuid("session_id")
    )


@dataclass(frozen=True)
class Checksum:
    algorithm: str
    digest: bytes

    def new(self) -> Any:
        return CHECKSUM_ALGORITHMS[self.algorithm]()


def parse_checksum(header: str | None) -> Checksum | None:
    if header is None:
        return None
    algorithm, _, value = header.strip().partition(" ")
    if algorithm not in CHECKSUM_ALGORITHMS:
        raise TusError(
            400,
            "checksum_algorithm_unsupported",
            "Unsupported checksum algorithm.",
            details={"supported": sorted(CHECKSUM_ALGORITHMS)},
        )
    try:
        return Checksum(algorithm, base64.b64decode(value, validate=True))
    except binascii.Error as exc:
        raise TusError(400, "invalid_header", "Upload-Checksum must be '<algorithm> <base64 digest>'.") from exc


def http_date(value: datetime) -> str:
    return format_datetime(value, usegmt=True)

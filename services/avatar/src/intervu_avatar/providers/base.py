"""The avatar port: words + persona in, a playable clip (files on disk) out."""

from __future__ import annotations

import hashlib
import hmac
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, Protocol

from intervu_avatar.personas import Persona
from intervu_avatar.speech import Cue


class AvatarError(Exception):
    """The provider could not make this clip (refused, failed, timed out, or sent something unplayable)."""


@dataclass
class Rendered:
    kind: Literal["video", "audio"]
    provider: str
    # Object name -> local file: video.webm + video.mp4 (or speech.webm + speech.m4a) + captions.vtt
    files: dict[str, Path]
    duration_s: float
    speech_s: float
    cues: list[Cue] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)  # seconds per stage, for `make bench`


class AvatarProvider(Protocol):
    name: str
    version: str  # part of the clip address: a new renderer renders again
    # True when the words leave our infrastructure (consent and the privacy policy's third-party list apply).
    third_party: bool

    async def render(self, text: str, persona: Persona, workdir: Path) -> Rendered: ...


class JobBook(Protocol):
    """Where a cloud job's webhook lands (the API) and where the waiting worker looks for it."""

    async def started(self, job_id: uuid.UUID, provider: str, external_id: str) -> None: ...

    async def finished(self, job_id: uuid.UUID) -> dict[str, Any] | None: ...


def webhook_token(secret: bytes, provider: str, job_id: uuid.UUID) -> str:
    """The per-job secret in a webhook URL: only who got the URL from us can report that job's result."""
    return hmac.new(secret, f"{provider}:{job_id}".encode(), hashlib.sha256).hexdigest()


def webhook_token_valid(secret: bytes, provider: str, job_id: uuid.UUID, token: str) -> bool:
    # Bytes, not str: a non-ASCII token is simply wrong, not a TypeError (and a 500) in compare_digest.
    return hmac.compare_digest(webhook_token(secret, provider, job_id).encode(), token.encode())

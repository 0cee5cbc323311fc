"""The speech-to-text port: what every provider returns, whatever its wire format."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol


@dataclass(frozen=True)
class Word:
    text: str
    start: float
    end: float
    probability: float


@dataclass(frozen=True)
class Transcript:
    text: str
    words: list[Word]
    language: str
    duration_s: float
    speech: list[tuple[float, float]] = field(default_factory=list)  # speech regions from voice activity detection
    provider: str = ""


class TranscriptionError(Exception):
    """The audio cannot be transcribed, and retrying will not change that."""


# Called with the share done (0..1) as a long answer is worked through; from a worker thread.
Progress = Callable[[float], None]


class SpeechToText(Protocol):
    name: str
    third_party: bool  # sends the user's voice to someone else's servers (consent matters)

    async def transcribe(self, audio: Path, progress: Progress | None = None) -> Transcript: ...

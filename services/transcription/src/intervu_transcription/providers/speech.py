"""Audio decoding and speech regions (Silero VAD, bundled with faster-whisper as ONNX: no torch), shared by every
provider so pauses are measured the same way whoever writes the words."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from intervu_transcription.providers.base import TranscriptionError

SAMPLE_RATE = 16000


def load_audio(path: Path) -> Any:
    from faster_whisper import decode_audio

    try:
        return decode_audio(str(path), sampling_rate=SAMPLE_RATE)
    except Exception as exc:
        raise TranscriptionError(f"the audio could not be decoded: {exc}") from exc


def speech_regions(audio: Any) -> list[tuple[float, float]]:
    from faster_whisper.vad import VadOptions, get_speech_timestamps

    # A tight pad (30 ms, not Silero's 400) keeps the silences their true length: pauses are feedback.
    return [
        (round(r["start"] / SAMPLE_RATE, 3), round(r["end"] / SAMPLE_RATE, 3))
        for r in get_speech_timestamps(audio, VadOptions(min_silence_duration_ms=300, speech_pad_ms=30))
    ]


def snap(start: float, end: float, regions: list[tuple[float, float]]) -> tuple[float, float]:
    """Trim a word to the speech region it overlaps most.

    Recognisers' word timings stretch the word before a silence over part of that silence; the voice activity
    detector knows better where speech stops, and pause lengths (and pace over speaking time) depend on it.
    """
    best, overlap = None, 0.0
    for a, b in regions:
        shared = min(end, b) - max(start, a)
        if shared > overlap:
            best, overlap = (a, b), shared
    if best is None:
        return start, end
    trimmed = max(start, best[0]), min(end, best[1])
    return trimmed if trimmed[1] > trimmed[0] else (start, end)

"""Cloud speech-to-text: an OpenAI-compatible `/audio/transcriptions`, Deepgram (`filler_words=true`) and
AssemblyAI (`disfluencies=true`), each asked for word timings and for fillers verbatim.

Whatever the provider, speech regions come from the local voice activity detector (so pauses are measured the same
way for everyone) and word times are trimmed to them. A 4xx answer about the audio is a `TranscriptionError` (the
recording will not get better by retrying); network errors and 5xx propagate, so the event is redelivered later.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import anyio
import httpx
from intervu_kit.providers import is_third_party

from intervu_transcription.providers.base import Progress, Transcript, TranscriptionError, Word
from intervu_transcription.providers.local import DISFLUENT_PROMPT
from intervu_transcription.providers.speech import SAMPLE_RATE, load_audio, snap, speech_regions


async def _prepare(audio: Path) -> tuple[list[tuple[float, float]], float, bytes]:
    """Speech regions, duration and the bytes to send (file and CPU work, off the event loop)."""

    def work() -> tuple[list[tuple[float, float]], float, bytes]:
        samples = load_audio(audio)
        return speech_regions(samples), round(len(samples) / SAMPLE_RATE, 3), audio.read_bytes()

    return await anyio.to_thread.run_sync(work)


def _check(response: httpx.Response, provider: str) -> None:
    if 400 <= response.status_code < 500 and response.status_code not in (401, 403, 408, 429):
        raise TranscriptionError(f"{provider} refused the audio ({response.status_code}): {response.text[:300]}")
    response.raise_for_status()  # auth, rate limits and 5xx: worth another try later


def _transcript(
    words: list[Word], regions: list[tuple[float, float]], duration: float, language: str, provider: str
) -> Transcript:
    snapped = []
    for w in sorted(words, key=lambda w: w.start):
        start, end = snap(w.start, w.end, regions)
        snapped.append(Word(w.text, round(start, 3), round(end, 3), w.probability))
    return Transcript(
        text=" ".join(w.text for w in snapped),
        words=snapped,
        language=language,
        duration_s=duration,
        speech=regions,
        provider=provider,
    )


class OpenAICompatibleSTT:
    """OpenAI's `POST /audio/transcriptions` (whisper-1 and servers that copy it) with word timestamps."""

    name = "openai-compatible-stt"
    third_party = True

    def __init__(
        self,
        base_url: str,
        model: str,
        api_key: str = "",
        *,
        timeout_s: float = 300.0,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.model = model
        self.api_key = api_key
        self.timeout_s = timeout_s
        self.transport = transport
        self.third_party = is_third_party(self.base_url)

    async def transcribe(self, audio: Path, progress: Progress | None = None) -> Transcript:
        regions, duration, data = await _prepare(audio)
        headers = {"Authorization": f"Bearer {self.api_key}"} if self.api_key else {}
        async with httpx.AsyncClient(timeout=self.timeout_s, transport=self.transport, headers=headers) as client:
            response = await client.post(
                f"{self.base_url}/audio/transcriptions",
                data={
                    "model": self.model,
                    "language": "en",
                    "response_format": "verbose_json",
                    "timestamp_granularities[]": "word",
                    # Whisper models keep fillers when the prompt has them (they tidy them away otherwise).
                    "prompt": DISFLUENT_PROMPT,
                },
                files={"file": (audio.name, data, "audio/wav")},
            )
        _check(response, self.name)
        body = response.json()
        words = [Word(w["word"].strip(), float(w["start"]), float(w["end"]), 1.0) for w in body.get("words", [])]
        if progress:
            progress(1.0)
        return _transcript(
            words, regions, float(body.get("duration") or duration), body.get("language") or "en", self.name
        )


class DeepgramSTT:
    """Deepgram's pre-recorded `POST /v1/listen` with `filler_words=true` (fillers verbatim) and punctuation."""

    name = "deepgram"
    third_party = True

    def __init__(
        self,
        api_key: str,
        model: str = "nova-3",
        *,
        base_url: str = "https://api.deepgram.com",
        timeout_s: float = 300.0,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.api_key = api_key
        self.model = model
        self.base_url = base_url.rstrip("/")
        self.timeout_s = timeout_s
        self.transport = transport

    async def transcribe(self, audio: Path, progress: Progress | None = None) -> Transcript:
        regions, duration, data = await _prepare(audio)
        async with httpx.AsyncClient(timeout=self.timeout_s, transport=self.transport) as client:
            response = await client.post(
                f"{self.base_url}/v1/listen",
                params={
                    "model": self.model,
                    "language": "en",
                    "filler_words": "true",
                    "punctuate": "true",
                    "smart_format": "false",  # keeps numbers as spoken words and fillers untouched
                },
                headers={"Authorization": f"Token {self.api_key}", "Content-Type": "audio/wav"},
                content=data,
            )
        _check(response, self.name)
        body = response.json()
        try:
            alternative = body["results"]["channels"][0]["alternatives"][0]
        except (KeyError, IndexError) as exc:
            raise TranscriptionError(f"deepgram returned no transcript: {str(body)[:300]}") from exc
        words = [
            Word(
                (w.get("punctuated_word") or w["word"]).strip(),
                float(w["start"]),
                float(w["end"]),
                float(w.get("confidence", 1.0)),
            )
            for w in alternative.get("words", [])
        ]
        if progress:
            progress(1.0)
        return _transcript(words, regions, float(body.get("metadata", {}).get("duration") or duration), "en", self.name)


class AssemblyAISTT:
    """AssemblyAI: upload, create a transcript with `disfluencies=true`, poll until it is done."""

    name = "assemblyai"
    third_party = True

    def __init__(
        self,
        api_key: str,
        *,
        base_url: str = "https://api.assemblyai.com",
        poll_s: float = 3.0,
        timeout_s: float = 900.0,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.api_key = api_key
        self.base_url = base_url.rstrip("/")
        self.poll_s = poll_s
        self.timeout_s = timeout_s
        self.transport = transport

    async def transcribe(self, audio: Path, progress: Progress | None = None) -> Transcript:
        regions, duration, data = await _prepare(audio)
        headers = {"authorization": self.api_key}
        async with httpx.AsyncClient(timeout=60, transport=self.transport, headers=headers) as client:
            upload = await client.post(f"{self.base_url}/v2/upload", content=data)
            _check(upload, self.name)
            created = await client.post(
                f"{self.base_url}/v2/transcript",
                json={
                    "audio_url": upload.json()["upload_url"],
                    "language_code": "en",
                    "punctuate": True,
                    "format_text": False,
                    "disfluencies": True,  # "um", "uh" kept verbatim
                },
            )
            _check(created, self.name)
            job: dict[str, Any] = created.json()
            with anyio.fail_after(self.timeout_s):
                while job.get("status") not in ("completed", "error"):
                    if progress:
                        progress(0.5 if job.get("status") == "processing" else 0.1)
                    await asyncio.sleep(self.poll_s)
                    polled = await client.get(f"{self.base_url}/v2/transcript/{job['id']}")
                    _check(polled, self.name)
                    job = polled.json()
        if job["status"] == "error":
            raise TranscriptionError(f"assemblyai could not transcribe the audio: {job.get('error', '')[:300]}")
        words = [
            Word(w["text"].strip(), w["start"] / 1000, w["end"] / 1000, float(w.get("confidence", 1.0)))
            for w in job.get("words") or []
        ]
        if progress:
            progress(1.0)
        return _transcript(words, regions, float(job.get("audio_duration") or duration), "en", self.name)

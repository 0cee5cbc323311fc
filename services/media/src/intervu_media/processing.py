"""After the last byte: validate with ffprobe, remux, extract the 16 kHz mono track, detect silence.

Every check that fails ends the recording as ``rejected`` with a stable code and a sentence for the person,
and deletes its bytes. Nothing here trusts the file name or the declared type: ffprobe reads the bytes.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
import shutil
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import anyio
from intervu_contracts import RecordingRejected, RecordingUploaded
from intervu_kit.events import publish
from intervu_kit.storage import ObjectNotFound, Storage, download_to_file, upload_file
from sqlalchemy.ext.asyncio import AsyncSession

from intervu_media.config import Settings
from intervu_media.models import Recording, RecordingStatus, events
from intervu_media.repository import RecordingRepository
from intervu_media.uploads.service import delete_recording_objects

log = logging.getLogger(__name__)

# ffprobe's format_name for each container we accept, and what we serve it as.
CONTAINERS = {
    "matroska,webm": ("webm", "video/webm"),
    "mov,mp4,m4a,3gp,3g2,mj2": ("mp4", "video/mp4"),
    "ogg": ("ogg", "audio/ogg"),
    "wav": ("wav", "audio/wav"),
    "mp3": ("mp3", "audio/mpeg"),
}
AUDIO_CODECS = {"opus", "vorbis", "aac", "mp3", "pcm_s16le", "pcm_s24le", "pcm_s32le", "pcm_f32le", "pcm_u8"}
VIDEO_CODECS = {"vp8", "vp9", "h264"}
# Cover art in MP3/M4A files shows up as a video stream; it is not video.
ATTACHED_PICTURE_CODECS = {"mjpeg", "png"}


class Rejected(Exception):
    def __init__(self, code: str, reason: str) -> None:
        super().__init__(reason)
        self.code = code
        self.reason = reason


@dataclass(frozen=True)
class Probe:
    container: str
    audio_codec: str | None
    video_codec: str | None
    duration_s: float | None


async def _run(*argv: str, timeout_s: float = 600) -> tuple[int, str, str]:
    process = await asyncio.create_subprocess_exec(
        *argv, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE, stdin=asyncio.subprocess.DEVNULL
    )
    try:
        out, err = await asyncio.wait_for(process.communicate(), timeout=timeout_s)
    except TimeoutError:
        process.kill()
        await process.wait()
        raise
    return process.returncode or 0, out.decode(errors="replace"), err.decode(errors="replace")


async def probe(path: Path) -> Probe:
    code, out, _ = await _run(
        "ffprobe", "-v", "error", "-print_format", "json", "-show_format", "-show_streams", str(path), timeout_s=60
    )
    try:
        data: dict[str, Any] = json.loads(out) if code == 0 else {}
    except json.JSONDecodeError:
        data = {}
    fmt = data.get("format") or {}
    if not fmt.get("format_name"):
        raise Rejected("unreadable_media", "We could not read this file as audio or video.")
    streams = data.get("streams") or []
    audio = next((s for s in streams if s.get("codec_type") == "audio"), None)
    video = next(
        (
            s
            for s in streams
            if s.get("codec_type") == "video"
            and s.get("codec_name") not in ATTACHED_PICTURE_CODECS
            and not (s.get("disposition") or {}).get("attached_pic")
        ),
        None,
    )
    duration = fmt.get("duration")
    return Probe(
        container=str(fmt["format_name"]),
        audio_codec=audio.get("codec_name") if audio else None,
        video_codec=video.get("codec_name") if video else None,
        duration_s=float(duration) if duration not in (None, "N/A") else None,
    )


def check_allowed(p: Probe) -> tuple[str, str]:
    if p.container not in CONTAINERS:
        raise Rejected(
            "unsupported_format",
            "This file type is not supported. Record in the browser, or upload WebM, MP4, Ogg, WAV or MP3.",
        )
    if p.audio_codec is None:
        raise Rejected("no_audio", "The recording has no sound track, so there is nothing to give feedback on.")
    if p.audio_codec not in AUDIO_CODECS:
        raise Rejected("unsupported_codec", f"The audio codec ({p.audio_codec}) is not supported.")
    if p.video_codec is not None and p.video_codec not in VIDEO_CODECS:
        raise Rejected("unsupported_codec", f"The video codec ({p.video_codec}) is not supported.")
    return CONTAINERS[p.container]


async def remux(source: Path, kind: str, target: Path) -> None:
    """Rewrite the container without re-encoding: browser WebM gets its duration and cues; MP4 gets faststart."""
    if kind in {"wav", "mp3", "ogg"}:
        # These carry their duration already: nothing to rewrite, a copy is served as is.
        await anyio.to_thread.run_sync(shutil.copyfile, source, target)
        return
    extra = ["-movflags", "+faststart"] if kind == "mp4" else []
    code, _, err = await _run(
        "ffmpeg",
        "-nostdin",
        "-v",
        "error",
        "-y",
        "-i",
        str(source),
        "-map",
        "0:a:0",
        "-map",
        "0:v:0?",
        "-c",
        "copy",
        *extra,
        str(target),
    )
    if code != 0:
        log.info("remux failed: %s", err[-500:])
        raise Rejected("corrupt_media", "The recording is damaged and could not be read to the end.")


# What ffmpeg says (at warning level) about a damaged or cut-off file. A clean recording says nothing.
_DAMAGE = re.compile(
    r"ended prematurely|exceeds containing|element|EBML|corrupt|truncat|invalid|error|partial file|"
    r"packet mismatch|moov atom not found",
    re.IGNORECASE,
)


async def check_decodes_cleanly(original: Path) -> None:
    """Decode the whole audio track of the upload as sent: a truncated or damaged file is refused, not half-used."""
    code, _, err = await _run(
        "ffmpeg", "-nostdin", "-v", "warning", "-i", str(original), "-map", "0:a:0", "-f", "null", "-"
    )
    if code != 0 or _DAMAGE.search(err):
        log.info("decode check failed: %s", err[-500:])
        raise Rejected("corrupt_media", "The recording is damaged or cut off and could not be read to the end.")


async def extract_audio(media: Path, target: Path) -> None:
    code, _, err = await _run(
        "ffmpeg",
        "-nostdin",
        "-v",
        "error",
        "-y",
        "-i",
        str(media),
        "-map",
        "0:a:0",
        "-ac",
        "1",
        "-ar",
        "16000",
        "-c:a",
        "pcm_s16le",
        str(target),
    )
    size = (await anyio.Path(target).stat()).st_size if await anyio.Path(target).exists() else 0
    if code != 0 or size <= 44:  # 44 bytes: a WAV header and no samples
        log.info("audio extraction failed: %s", err[-500:])
        raise Rejected("corrupt_media", "The recording is damaged and could not be read to the end.")


async def peak_level_db(audio: Path) -> float:
    _, _, err = await _run(
        "ffmpeg", "-nostdin", "-v", "info", "-i", str(audio), "-af", "volumedetect", "-f", "null", "-"
    )
    match = re.search(r"max_volume:\s*(-?[\d.]+|-inf) dB", err)
    if not match or match.group(1) == "-inf":
        return float("-inf")
    return float(match.group(1))


async def process_recording(
    session: AsyncSession, storage: Storage, settings: Settings, recording_id: Any
) -> Recording | None:
    """Validate and prepare one uploaded recording. Idempotent: a recording already decided is left alone."""
    recording = await RecordingRepository(session).get(recording_id, lock=True)
    if recording is None or recording.status != RecordingStatus.PROCESSING.value:
        return recording
    with tempfile.TemporaryDirectory(prefix="media-", dir=_tmp_root(settings)) as tmp:
        folder = Path(tmp)
        try:
            original = folder / "original"
            try:
                await download_to_file(storage, recording.original_key, original)
            except ObjectNotFound as exc:
                # Retrying cannot bring bytes back: say so instead of failing forever.
                raise Rejected(
                    "upload_missing", "The uploaded file could not be found; please upload it again."
                ) from exc
            if original.stat().st_size == 0:
                raise Rejected("empty_upload", "The recording is empty.")
            first = await probe(original)
            kind, content_type = check_allowed(first)
            await check_decodes_cleanly(original)
            media = folder / f"media.{kind}"
            await remux(original, kind, media)
            final = await probe(media)
            if not final.duration_s or final.duration_s <= 0:
                raise Rejected("corrupt_media", "The recording is damaged and could not be read to the end.")
            if final.duration_s > settings.media_max_duration_s:
                raise Rejected(
                    "too_long", f"Recordings can be at most {settings.media_max_duration_s / 60:.0f} minutes long."
                )
            audio = folder / "audio.wav"
            await extract_audio(media, audio)
            peak = await peak_level_db(audio)
            if peak <= settings.media_silence_threshold_db:
                raise Rejected(
                    "no_speech",
                    "The recording is silent. Check that the right microphone is selected "
                    "and not muted, then record again.",
                )
            recording.media_key = f"{recording.prefix}/media.{kind}"
            recording.audio_key = f"{recording.prefix}/audio.wav"
            recording.media_size = (await upload_file(storage, recording.media_key, media, content_type)).size
            await upload_file(storage, recording.audio_key, audio, "audio/wav")
            await storage.delete(recording.original_key)  # the remuxed copy holds the same streams
            recording.media_type = content_type
            recording.container = kind
            recording.audio_codec = final.audio_codec
            recording.video_codec = final.video_codec
            recording.duration_s = round(final.duration_s, 3)
            recording.peak_db = peak
            recording.status = RecordingStatus.READY.value
            recording.ready_at = datetime.now(UTC)
            await publish(
                session,
                events.outbox,
                RecordingUploaded(
                    recording_id=recording.id,
                    user_id=recording.user_id,
                    session_id=recording.session_id,
                    answer_id=recording.answer_id,
                    storage_key=recording.media_key,
                    audio_key=recording.audio_key,
                    duration_s=recording.duration_s,
                    has_video=recording.video_codec is not None,
                ),
                producer="media",
            )
        except Rejected as rejection:
            await reject(session, storage, recording, rejection.code, rejection.reason)
    return recording


async def reject(session: AsyncSession, storage: Storage, recording: Recording, code: str, reason: str) -> None:
    log.info("recording %s rejected: %s", recording.id, code)
    await delete_recording_objects(storage, recording)
    recording.status = RecordingStatus.REJECTED.value
    recording.rejection_code = code
    recording.rejection_reason = reason
    recording.multipart_id = None
    recording.media_key = recording.audio_key = None
    await publish(
        session,
        events.outbox,
        RecordingRejected(
            recording_id=recording.id,
            user_id=recording.user_id,
            answer_id=recording.answer_id,
            code=code,
            reason=reason,
        ),
        producer="media",
    )


def _tmp_root(settings: Settings) -> Path:
    settings.media_spool_dir.mkdir(parents=True, exist_ok=True)
    return settings.media_spool_dir

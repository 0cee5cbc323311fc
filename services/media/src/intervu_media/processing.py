"""After the last byte: validate with ffprobe, remux, extract the 16 kHz mono track, detect silence.

It runs as a leased job (``intervu_kit.jobs``), enqueued by the PATCH that completes the upload: the work holds no
transaction and no row lock, reports its progress, and its result is stored in one short transaction.

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
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import anyio
from intervu_contracts import RecordingRejected, RecordingUploaded
from intervu_kit.db import Database
from intervu_kit.events import publish
from intervu_kit.jobs import Job, JobContext, JobRunner
from intervu_kit.storage import ObjectNotFound, Storage, download_to_file, upload_file
from intervu_kit.worker import Job as WorkerJob
from sqlalchemy.ext.asyncio import AsyncSession

from intervu_media.config import Settings
from intervu_media.models import PROCESS_KIND as KIND
from intervu_media.models import Recording, RecordingStatus, events, jobs
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
    width: int = 0
    height: int = 0


# An allowed recording (10 minutes of audio) decodes in seconds; minutes mean a file built to hold the worker.
DECODE_TIMEOUT_S = 180.0
TOOL_TIMEOUT_S = 300.0


async def _run(*argv: str, timeout_s: float = TOOL_TIMEOUT_S) -> tuple[int, str, str]:
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
        duration_s=_number(duration),
        width=int(_number(video.get("width")) or 0) if video else 0,
        height=int(_number(video.get("height")) or 0) if video else 0,
    )


def _number(value: object) -> float | None:
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return number if number == number and abs(number) != float("inf") else None


# A webcam or phone is at most 4K and no wider than a cinema screen. Past these a frame is an attack on whoever
# decodes it (a 16 x 2048 "video" scaled for face detection took 29.5 MB a frame), not a recording of someone.
MAX_SIDE = 4096
MIN_SIDE = 16
MAX_PIXELS = 4096 * 2304
MAX_ASPECT = 4.0


def check_dimensions(p: Probe) -> None:
    if p.video_codec is None:
        return
    w, h = p.width, p.height
    if min(w, h) < MIN_SIDE or max(w, h) > MAX_SIDE or w * h > MAX_PIXELS or max(w, h) / max(1, min(w, h)) > MAX_ASPECT:
        raise Rejected(
            "unsupported_dimensions",
            f"The video is {w} x {h} pixels. Record from a camera (at most {MAX_SIDE} pixels a side, "
            f"no wider or taller than {MAX_ASPECT:.0f} to 1).",
        )


def check_duration(p: Probe, max_duration_s: float) -> None:
    if p.duration_s is not None and p.duration_s > max_duration_s:
        raise Rejected("too_long", f"Recordings can be at most {max_duration_s / 60:.0f} minutes long.")


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


async def check_decodes_cleanly(original: Path, max_duration_s: float) -> None:
    """Decode the whole audio track of the upload as sent: a truncated or damaged file is refused, not half-used.

    Called once the length is known to be within bounds; ``-t`` still caps the decoding, so a container that lies
    about its length cannot hold the worker for longer than an allowed recording takes."""
    code, _, err = await _run(
        "ffmpeg",
        "-nostdin",
        "-v",
        "warning",
        "-i",
        str(original),
        "-t",
        f"{max_duration_s + 1:.0f}",
        "-map",
        "0:a:0",
        "-f",
        "null",
        "-",
        timeout_s=DECODE_TIMEOUT_S,
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


@dataclass(frozen=True)
class Prepared:
    """What the work outside any transaction produced: files already in storage, facts for the row."""

    media_key: str
    audio_key: str
    media_size: int
    content_type: str
    kind: str
    probe: Probe
    peak_db: float


async def prepare(
    storage: Storage, settings: Settings, original_key: str, prefix: str, progress: JobContext | None = None
) -> Prepared:
    """Check, remux and extract one upload, with no database transaction open. Raises ``Rejected`` for a file
    that will never do, anything else for a failure worth retrying."""

    async def step(fraction: float, note: str) -> None:
        if progress is not None:
            await progress.progress(fraction, note)

    with tempfile.TemporaryDirectory(prefix="media-", dir=_tmp_root(settings)) as tmp:
        folder = Path(tmp)
        original = folder / "original"
        await step(0.05, "downloading")
        try:
            await download_to_file(storage, original_key, original)
        except ObjectNotFound as exc:
            # Retrying cannot bring bytes back: say so instead of failing forever.
            raise Rejected("upload_missing", "The uploaded file could not be found; please upload it again.") from exc
        if original.stat().st_size == 0:
            raise Rejected("empty_upload", "The recording is empty.")
        # Cheapest checks first, decoding last: the container's header says its length and frame size,
        # a stream copy (no decoding) says the length where the header did not (browser WebM).
        await step(0.15, "checking the file")
        first = await probe(original)
        kind, content_type = check_allowed(first)
        check_dimensions(first)
        check_duration(first, settings.media_max_duration_s)
        media = folder / f"media.{kind}"
        await remux(original, kind, media)
        final = await probe(media)
        if not final.duration_s or final.duration_s <= 0:
            raise Rejected("corrupt_media", "The recording is damaged and could not be read to the end.")
        check_dimensions(final)
        check_duration(final, settings.media_max_duration_s)
        await step(0.35, "decoding")
        await check_decodes_cleanly(original, settings.media_max_duration_s)
        await step(0.6, "extracting the sound")
        audio = folder / "audio.wav"
        await extract_audio(media, audio)
        peak = await peak_level_db(audio)
        if peak <= settings.media_silence_threshold_db:
            raise Rejected(
                "no_speech",
                "The recording is silent. Check that the right microphone is selected "
                "and not muted, then record again.",
            )
        await step(0.8, "storing")
        media_key, audio_key = f"{prefix}/media.{kind}", f"{prefix}/audio.wav"
        media_size = (await upload_file(storage, media_key, media, content_type)).size
        await upload_file(storage, audio_key, audio, "audio/wav")
        return Prepared(media_key, audio_key, media_size, content_type, kind, final, peak)


async def process_job(job: Job, ctx: JobContext, storage: Storage, settings: Settings) -> None:
    """One upload from ``processing`` to ``ready`` or ``rejected``: the slow part holds no row and no transaction;
    the result is stored in one short transaction, only while this runner holds the job's lease."""
    recording_id = uuid.UUID(job.payload["recording_id"])
    async with ctx.db.transaction() as session:
        recording = await RecordingRepository(session).get(recording_id)
        snapshot = (recording.original_key, recording.prefix) if recording else None
        pending = recording is not None and recording.status == RecordingStatus.PROCESSING.value
    outcome: Prepared | Rejected
    if snapshot is None or not pending:
        outcome = Rejected("gone", "")  # deleted or decided meanwhile: the finish below stores nothing
    else:
        try:
            outcome = await prepare(storage, settings, snapshot[0], snapshot[1], ctx)
        except Rejected as rejection:
            outcome = rejection
        except TimeoutError:
            # A file that keeps ffmpeg busy this long would do so on every retry: a rejection, not a retry loop.
            outcome = Rejected(
                "processing_timeout",
                "This recording took too long to check. Record again, or upload a shorter or smaller file.",
            )
    async with ctx.finishing() as session:
        recording = await RecordingRepository(session).get(recording_id, lock=True)
        if recording is None or recording.status != RecordingStatus.PROCESSING.value:
            if isinstance(outcome, Prepared):  # the person deleted it while it was processed: leave nothing
                await storage.delete(outcome.media_key)
                await storage.delete(outcome.audio_key)
            return
        if isinstance(outcome, Rejected):
            await reject(session, storage, recording, outcome.code, outcome.reason)
            return
        await _store(session, storage, recording, outcome)


async def _store(session: AsyncSession, storage: Storage, recording: Recording, done: Prepared) -> None:
    await storage.delete(recording.original_key)  # the remuxed copy holds the same streams
    recording.media_key, recording.audio_key = done.media_key, done.audio_key
    recording.media_size = done.media_size
    recording.media_type = done.content_type
    recording.container = done.kind
    recording.audio_codec = done.probe.audio_codec
    recording.video_codec = done.probe.video_codec
    recording.duration_s = round(done.probe.duration_s or 0.0, 3)
    recording.peak_db = done.peak_db
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


def processing_runner(storage: Storage, settings: Settings) -> WorkerJob:
    """The worker's job runner for uploads: several at once, one per person at a time (fairness)."""

    async def handle(job: Job, ctx: JobContext) -> None:
        await process_job(job, ctx, storage, settings)

    async def on_parked(session: AsyncSession, job: Job, error: str) -> None:
        # Retried until it was parked (storage down for long, a bug): the person is told, not left waiting.
        recording = await RecordingRepository(session).get(uuid.UUID(job.payload["recording_id"]), lock=True)
        if recording is not None and recording.status == RecordingStatus.PROCESSING.value:
            await reject(
                session,
                storage,
                recording,
                "processing_failed",
                "We could not process this recording; please upload it again.",
            )

    async def run(db: Database, stop: asyncio.Event) -> None:
        runner = JobRunner(
            db,
            jobs,
            {KIND: handle},
            lease_s=settings.media_job_lease_s,
            max_attempts=settings.job_max_attempts,
            concurrency=settings.media_job_concurrency,
            per_user=1,
            listen_dsn=settings.listen_dsn,
            on_parked={KIND: on_parked},
        )
        await runner.run(stop)

    return run


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

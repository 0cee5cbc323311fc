"""After the upload: real media in every accepted format becomes `ready`; every bad file is `rejected` with a
reason (never a 5xx), its bytes deleted, and nothing else of the user's touched."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import httpx
import pytest
from intervu_kit.storage import storage_from_settings
from intervu_kit.testing.plugin import SignedIn, running_app
from intervu_kit.testing.tus import Tus
from intervu_media.main import create_app

from .conftest import SignIn, media_settings, media_worker, wait_for_status

GOOD = {
    "answer.webm": ("webm", "vp8", "opus"),
    "browser.webm": ("webm", "vp8", "opus"),
    "answer.mp4": ("mp4", "h264", "aac"),
    "answer.wav": ("wav", None, "pcm_s16le"),
    "answer.mp3": ("mp3", None, "mp3"),
    "answer.ogg": ("ogg", None, "opus"),
}
BAD = {
    "text.webm": "unreadable_media",
    "image.png": "unsupported_format",
    "truncated.webm": "corrupt_media",
    "corrupted.webm": "corrupt_media",
    "silence.webm": "no_speech",
    "video-only.webm": "no_audio",
}


def _probe(path: Path) -> dict[str, object]:
    out = subprocess.run(
        ["ffprobe", "-v", "error", "-print_format", "json", "-show_format", "-show_streams", str(path)],
        capture_output=True,
        check=True,
        text=True,
    ).stdout
    return json.loads(out)  # type: ignore[no-any-return]


async def _fetch(client: httpx.AsyncClient, url: str, headers: dict[str, str] | None = None) -> httpx.Response:
    if url.startswith("/"):
        return await client.get(url, headers=headers)
    async with httpx.AsyncClient() as plain:  # S3 presigned URL: straight to MinIO
        return await plain.get(url, headers=headers)


@pytest.mark.parametrize("backend", ["local", "s3"])
async def test_every_accepted_format_becomes_ready_and_plays(
    infra: object, sign_in: SignIn, media_files: dict[str, Path], backend: str, tmp_path: Path
) -> None:
    settings = media_settings(backend)
    async with running_app(create_app(settings)) as client, media_worker(settings):
        tus = Tus(client, await sign_in())
        ids = {name: await tus.upload(media_files[name].read_bytes(), metadata={"filename": name}) for name in GOOD}
        for name, (container, video, audio) in GOOD.items():
            body = await wait_for_status(client, tus.who, ids[name])
            assert body["status"] == "ready", (name, body)
            assert (body["container"], body["video_codec"], body["audio_codec"]) == (container, video, audio), name
            assert body["duration_s"] == pytest.approx(4.0, abs=0.25), name

        # Browser WebM has no duration in its header; the served copy does (remuxed), and so does the audio track.
        playback = (
            await client.get(f"/api/media/recordings/{ids['browser.webm']}/playback", headers=tus.who.headers)
        ).json()
        media = await _fetch(client, playback["url"])
        assert media.status_code == 200
        (tmp_path / "served.webm").write_bytes(media.content)
        assert float(_probe(tmp_path / "served.webm")["format"]["duration"]) == pytest.approx(4.0, abs=0.25)  # type: ignore[index]
        track = await _fetch(client, playback["audio_url"])
        (tmp_path / "audio.wav").write_bytes(track.content)
        stream = _probe(tmp_path / "audio.wav")["streams"][0]  # type: ignore[index]
        assert (stream["sample_rate"], stream["channels"], stream["codec_name"]) == ("16000", 1, "pcm_s16le")

        ranged = await _fetch(client, playback["url"], headers={"Range": "bytes=100-199"})
        assert ranged.status_code == 206
        assert ranged.content == media.content[100:200]


async def test_bad_files_are_rejected_with_a_reason_and_leave_other_recordings_alone(
    infra: object, sign_in: SignIn, media_files: dict[str, Path]
) -> None:
    settings = media_settings("local")
    storage = storage_from_settings(settings)
    async with running_app(create_app(settings)) as client, media_worker(settings):
        tus = Tus(client, await sign_in())
        keep = await tus.upload(media_files["answer.webm"].read_bytes())
        assert (await wait_for_status(client, tus.who, keep))["status"] == "ready"
        kept_objects = await storage.list_objects(f"recordings/{tus.who.id}/{keep}/")

        ids = {name: await tus.upload(media_files[name].read_bytes(), metadata={"filename": name}) for name in BAD}
        for name, code in BAD.items():
            body = await wait_for_status(client, tus.who, ids[name])
            assert (body["status"], body["rejection_code"]) == ("rejected", code), (name, body)
            assert body["rejection_reason"]
            assert await storage.list_objects(f"recordings/{tus.who.id}/{ids[name]}/") == [], name
            response = await client.get(f"/api/media/recordings/{ids[name]}/playback", headers=tus.who.headers)
            assert response.status_code == 409 and response.json()["error"]["code"] == "recording_not_ready"

        assert await storage.list_objects(f"recordings/{tus.who.id}/{keep}/") == kept_objects
        assert (await client.get(f"/api/media/recordings/{keep}/playback", headers=tus.who.headers)).status_code == 200


async def test_a_recording_over_the_duration_limit_is_rejected(
    infra: object, sign_in: SignIn, media_files: dict[str, Path]
) -> None:
    settings = media_settings("local", media_max_duration_s=2.0)
    async with running_app(create_app(settings)) as client, media_worker(settings):
        tus = Tus(client, await sign_in())
        rid = await tus.upload(media_files["answer.mp4"].read_bytes())
        body = await wait_for_status(client, tus.who, rid)
        assert (body["status"], body["rejection_code"]) == ("rejected", "too_long")


def _make(path: Path, *args: str) -> Path:
    subprocess.run(["ffmpeg", "-nostdin", "-v", "error", "-y", *args, str(path)], check=True)
    return path


async def test_hostile_media_is_refused_before_anything_decodes_it(
    infra: object, sign_in: SignIn, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Found from outside: a 50 KB WebM with a 16 x 2048 video took the feedback worker to 1.1 GB, and a long
    low-bitrate file was decoded whole before ``too_long``. Both are now refused from the container's header."""
    from intervu_media import processing

    tone = ["-f", "lavfi", "-i", "sine=frequency=220:duration=3:sample_rate=48000"]
    tall = _make(
        tmp_path / "tall.webm",
        *("-f", "lavfi", "-i", "testsrc=size=16x2048:rate=10:duration=3", *tone),
        *("-c:v", "libvpx", "-b:v", "50k", "-c:a", "libopus", "-shortest"),
    )
    long = _make(
        tmp_path / "long.mp3", "-f", "lavfi", "-i", "sine=frequency=300:duration=30", "-b:a", "8k", "-ar", "8000"
    )
    decoded: list[str] = []

    async def no_decoding(original: Path, max_duration_s: float) -> None:
        decoded.append(original.name)

    monkeypatch.setattr(processing, "check_decodes_cleanly", no_decoding)
    settings = media_settings("local", media_max_duration_s=10.0)
    async with running_app(create_app(settings)) as client, media_worker(settings):
        tus = Tus(client, await sign_in())
        for path, code in ((tall, "unsupported_dimensions"), (long, "too_long")):
            body = await wait_for_status(client, tus.who, await tus.upload(path.read_bytes()))
            assert (body["status"], body["rejection_code"]) == ("rejected", code), body
        assert decoded == []


async def test_a_file_that_keeps_ffmpeg_busy_is_rejected_not_left_processing(
    infra: object, sign_in: SignIn, media_files: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """An ffmpeg timeout used to raise: retried five times, the recording stayed `processing` for ever."""
    from intervu_media import processing

    monkeypatch.setattr(processing, "DECODE_TIMEOUT_S", 0.001)
    settings = media_settings("local")
    async with running_app(create_app(settings)) as client, media_worker(settings):
        tus = Tus(client, await sign_in())
        body = await wait_for_status(client, tus.who, await tus.upload(media_files["answer.webm"].read_bytes()))
        assert (body["status"], body["rejection_code"]) == ("rejected", "processing_timeout"), body
        assert body["rejection_reason"]


async def test_processing_runs_as_a_leased_job_holding_no_row_and_showing_progress(
    infra: object, sign_in: SignIn, media_files: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Processing used to run inside the event handler's transaction, holding the recording's row lock for the
    whole ffmpeg work with nothing to show. Now the row is free meanwhile and the job says how far it is."""
    import asyncio
    import uuid

    import sqlalchemy as sa
    from intervu_kit.db import Database
    from intervu_media import processing
    from intervu_media.models import Recording, events, jobs

    decoding, go_on = asyncio.Event(), asyncio.Event()
    real_check = processing.check_decodes_cleanly

    async def slow_check(original: Path, max_duration_s: float) -> None:
        decoding.set()
        await go_on.wait()
        await real_check(original, max_duration_s)

    monkeypatch.setattr(processing, "check_decodes_cleanly", slow_check)
    settings = media_settings("local")
    db = Database(settings.sqlalchemy_url)
    try:
        async with running_app(create_app(settings)) as client, media_worker(settings):
            tus = Tus(client, await sign_in())
            rid = await tus.upload(media_files["answer.webm"].read_bytes())
            await asyncio.wait_for(decoding.wait(), 30)
            async with db.transaction() as session:
                locked = await session.scalar(
                    sa.select(Recording.status).where(Recording.id == uuid.UUID(rid)).with_for_update(nowait=True)
                )
                job = (await session.execute(sa.select(jobs).where(jobs.c.key == rid))).one()
            assert locked == "processing"
            assert (job.status, job.progress, job.progress_note, job.user_id) == (
                "running",
                0.35,
                "decoding",
                tus.who.id,
            )
            go_on.set()
            assert (await wait_for_status(client, tus.who, rid))["status"] == "ready"
        async with db.transaction() as session:
            job = (await session.execute(sa.select(jobs).where(jobs.c.key == rid))).one()
            private = await session.scalar(
                sa.select(sa.func.count()).where(
                    events.outbox.c.name == "media.upload_completed.v1",
                    events.outbox.c.envelope["data"]["recording_id"].astext == rid,
                )
            )
        assert (job.status, job.progress, job.attempts) == ("done", 1.0, 1)
        assert private == 0  # no private event travels through the broker any more
    finally:
        await db.dispose()


async def test_ready_recording_publishes_its_event_with_the_answer(
    infra: object, sign_in: SignIn, media_files: dict[str, Path]
) -> None:
    import uuid

    import sqlalchemy as sa
    from intervu_kit.db import Database
    from intervu_media.models import events

    settings = media_settings("local")
    answer_id = str(uuid.uuid4())
    async with running_app(create_app(settings)) as client, media_worker(settings):
        who: SignedIn = await sign_in()
        rid = await Tus(client, who).upload(media_files["answer.wav"].read_bytes(), metadata={"answer_id": answer_id})
        assert (await wait_for_status(client, who, rid))["status"] == "ready"
    db = Database(settings.sqlalchemy_url)
    try:
        async with db.transaction() as session:
            rows = (
                (
                    await session.execute(
                        sa.select(events.outbox.c.envelope).where(events.outbox.c.name == "media.recording_uploaded.v1")
                    )
                )
                .scalars()
                .all()
            )
    finally:
        await db.dispose()
    mine = [r["data"] for r in rows if r["data"]["recording_id"] == rid]
    assert len(mine) == 1
    assert mine[0]["answer_id"] == answer_id and mine[0]["user_id"] == who.id
    assert mine[0]["audio_key"].endswith("/audio.wav") and mine[0]["has_video"] is False

"""A transcription worker killed mid-job loses nothing: the job's lease runs out, another worker takes the job over
and finishes it, and it is done exactly once (one transcript, one transcription.completed, the event handled once)."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import uuid
from datetime import UTC, datetime
from pathlib import Path

import sqlalchemy as sa
from intervu_contracts import EventEnvelope, RecordingUploaded
from intervu_kit.db import Database
from intervu_kit.events.broker import connect_jetstream, subject_for
from intervu_kit.storage import storage_from_settings
from intervu_kit.testing.speech import MINUTE_SCRIPT, render
from intervu_transcription.config import get_settings
from intervu_transcription.models import TranscriptionProgress, TranscriptRow, events, jobs

WORKER = Path(__file__).with_name("killable_worker.py")
LEASE_S = 5


def _start(service: str, start: datetime) -> subprocess.Popen[str]:
    process = subprocess.Popen(
        [sys.executable, str(WORKER), service, start.isoformat()],
        env={**os.environ, "INTERVU_TRANSCRIPTION_JOB_LEASE_S": str(LEASE_S), "INTERVU_LOG_LEVEL": "WARNING"},
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    assert process.stdout is not None and process.stdout.readline().strip() == "ready"
    return process


async def _wait(check: object, timeout_s: float, what: str) -> None:
    deadline = asyncio.get_running_loop().time() + timeout_s
    while not await check():  # type: ignore[operator]
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.1)


async def test_a_worker_killed_mid_job_loses_nothing_and_the_job_is_done_once(infra: object, tmp_path: Path) -> None:
    settings = get_settings()
    storage = storage_from_settings(settings)
    service = f"transcription-crashtest-{uuid.uuid4().hex[:8]}"
    start = datetime.now(UTC)
    user_id, recording_id = f"crash-{uuid.uuid4().hex[:8]}", uuid.uuid4()
    audio = render(MINUTE_SCRIPT, tmp_path)  # a minute of speech: several seconds of work to interrupt
    key = f"recordings/{user_id}/{recording_id}/audio.wav"
    await storage.put_bytes(key, audio.path.read_bytes(), "audio/wav")
    event = RecordingUploaded(
        recording_id=recording_id, user_id=user_id, storage_key=key, audio_key=key, duration_s=60, has_video=False
    )
    db = Database(settings.sqlalchemy_url)

    async def transcribing() -> bool:
        async with db.transaction() as session:
            row = await session.get(TranscriptionProgress, recording_id)
            return row is not None and row.status == "transcribing" and row.share > 0

    async def transcripts() -> int:
        async with db.transaction() as session:
            return int(
                await session.scalar(
                    sa.select(sa.func.count())
                    .select_from(TranscriptRow)
                    .where(TranscriptRow.recording_id == recording_id)
                )
                or 0
            )

    async def done() -> bool:
        return await transcripts() > 0

    first = _start(service, start)
    second: subprocess.Popen[str] | None = None
    try:
        nc, js = await connect_jetstream(settings.nats_url, name="crash-test")
        envelope = EventEnvelope.wrap(event, "media")
        await js.publish(
            subject_for(event.event_name, settings.events_subject_prefix),
            envelope.model_dump_json().encode(),
            headers={"Nats-Msg-Id": str(envelope.id)},
        )
        await nc.close()
        await _wait(transcribing, 60, "the first worker to be transcribing")
        first.send_signal(signal.SIGKILL)  # no cleanup, no nack: the process is simply gone
        first.wait(10)
        assert await transcripts() == 0  # it stored nothing
        second = _start(service, start)
        await _wait(done, LEASE_S + 90, "the job to be taken over and finished")
        await asyncio.sleep(LEASE_S + 2)  # a second takeover would have happened by now
        assert await transcripts() == 1
        async with db.transaction() as session:
            completed = (
                (
                    await session.execute(
                        sa.select(events.outbox.c.envelope).where(
                            events.outbox.c.envelope["data"]["recording_id"].astext == str(recording_id)
                        )
                    )
                )
                .scalars()
                .all()
            )
            handled = await session.scalar(
                sa.select(sa.func.count()).select_from(events.inbox).where(events.inbox.c.event_id == envelope.id)
            )
            progress = await session.get(TranscriptionProgress, recording_id)
            job = (await session.execute(sa.select(jobs).where(jobs.c.key == str(recording_id)))).one()
        assert (job.status, job.attempts) == ("done", 2)  # the killed run, then the takeover
        assert [e["name"] for e in completed] == ["transcription.completed.v1"]
        assert handled == 1
        assert progress is not None and progress.status == "completed"
    finally:
        for process in (first, second):
            if process is not None and process.poll() is None:
                process.kill()
                process.wait(10)
        await _delete_durable(settings.nats_url, settings.events_stream, service)
        await db.dispose()
        await storage.delete_prefix(f"recordings/{user_id}/")


async def _delete_durable(nats_url: str, stream: str, service: str) -> None:
    nc, js = await connect_jetstream(nats_url, name="crash-test-cleanup")
    try:
        await js.delete_consumer(stream, f"{service}__media_recording_uploaded_v1")
    finally:
        await nc.close()

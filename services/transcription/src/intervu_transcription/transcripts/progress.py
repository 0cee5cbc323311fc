"""Progress of running transcriptions, written in short transactions of their own (the job's transaction commits
only at the end, and nobody would see a progress bar inside it)."""

from __future__ import annotations

import asyncio
import uuid

import anyio.from_thread
from intervu_contracts import TranscriptionProgressed
from intervu_kit.db import Database
from intervu_kit.events import publish
from sqlalchemy.dialects.postgresql import insert

from intervu_transcription.models import TranscriptionProgress, events

STEP = 0.05  # write at most every 5%


class ProgressWriter:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def set(
        self, recording_id: uuid.UUID, user_id: str, status: str, share: float, answer_id: uuid.UUID | None = None
    ) -> None:
        async with self.db.transaction() as session:
            values = {"recording_id": recording_id, "user_id": user_id, "status": status, "share": round(share, 3)}
            await session.execute(
                insert(TranscriptionProgress)
                .values(**values)
                .on_conflict_do_update(
                    index_elements=["recording_id"], set_={"status": status, "share": values["share"]}
                )
            )
            if answer_id is not None:  # the answer's one status (interviews) moves with it
                progressed = TranscriptionProgressed(
                    recording_id=recording_id, user_id=user_id, answer_id=answer_id, share=round(share, 3)
                )
                await publish(session, events.outbox, progressed, producer="transcription")

    def reporter(self, recording_id: uuid.UUID, user_id: str, answer_id: uuid.UUID | None = None) -> ThreadReporter:
        return ThreadReporter(self, recording_id, user_id, answer_id)


class ThreadReporter:
    """The `Progress` callback providers call from their worker thread; it hops back to the event loop to write."""

    def __init__(
        self, writer: ProgressWriter, recording_id: uuid.UUID, user_id: str, answer_id: uuid.UUID | None = None
    ) -> None:
        self.writer = writer
        self.recording_id = recording_id
        self.user_id = user_id
        self.answer_id = answer_id
        self.last = 0.0
        self._tasks: set[asyncio.Task[None]] = set()

    def __call__(self, share: float) -> None:
        if share - self.last < STEP and share < 1.0:
            return
        self.last = share
        write = self.writer.set(self.recording_id, self.user_id, "transcribing", min(share, 0.99), self.answer_id)
        try:
            loop = asyncio.get_running_loop()  # a provider reporting from async code (the cloud ones)
        except RuntimeError:
            write.close()
            anyio.from_thread.run(
                self.writer.set, self.recording_id, self.user_id, "transcribing", min(share, 0.99), self.answer_id
            )
            return
        self._tasks.add(task := loop.create_task(write))
        task.add_done_callback(self._tasks.discard)

"""`make bench` figures for feedback: accuracy on the labelled sets (tune and held-out halves side by side), and the
time from "recording ready" to "feedback completed" for a 60 s answer.

The path is the real one, minus the broker hops (measured separately by the events benchmark, ~65 ms each at p50):
the transcription handler reads the 16 kHz track from storage, transcribes it with the local provider and stores
the transcript; the feedback handler then downloads the audio and the video, analyses them (delivery, voice,
content, video) with the local coach and stores the feedback. Models are loaded before the clock starts, as in a
running worker.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from intervu_contracts import (
    AnswerSubmitted,
    EventEnvelope,
    QuestionContext,
    RecordingUploaded,
    TranscriptionCompleted,
)
from intervu_kit.db import Database
from intervu_kit.jobs import Job, JobContext, JobRunner
from intervu_kit.settings import Environment
from intervu_kit.storage import Storage, storage_from_settings
from intervu_kit.testing.speech import MINUTE_SCRIPT, render

from intervu_feedback.answers.service import Analyser, analyse_job, on_answer_submitted, on_transcription_completed
from intervu_feedback.coaching.local import LocalCoach
from intervu_feedback.config import Settings as FeedbackSettings
from intervu_feedback.models import ANALYSE_KIND, Feedback, jobs

ROUNDS = 3


def _face_video(audio: Path, out: Path) -> None:
    from PIL import Image
    from skimage import data

    Image.fromarray(data.astronaut()).save(out.parent / "face.png")  # type: ignore[no-untyped-call]
    subprocess.run(
        ["ffmpeg", "-v", "error", "-y", "-loop", "1", "-i", str(out.parent / "face.png"), "-i", str(audio),
         "-shortest", "-r", "15", "-c:v", "libvpx-vp9", "-deadline", "realtime", "-b:v", "500k", "-c:a", "libopus",
         str(out)],
        check=True,
    )  # fmt: skip


def quality() -> list[str]:
    """STAR parts, relevance bands and faces on camera, measured on the labelled sets: the held-out half is what
    counts, the tune half beside it shows how much the choices were fitted to what they were chosen on."""
    from intervu_nlp import default_encoder

    from intervu_feedback import labelled

    encoder = default_encoder()
    lines = ["feedback accuracy on labelled answers (services/feedback/labelled/), tune and held-out halves:"]
    measures: dict[str, dict[str, str]] = {
        "STAR": {},
        "structure remarks the labels contradict": {},
        "relevance": {},
        "follow-up choice (neutral interviewer, target >= 80%)": {},
    }
    for part in labelled.SPLITS:
        print(f"\r      STAR and relevance, {part} half", end="", file=sys.stderr)
        measures["STAR"][part] = labelled.star_figures(encoder, labelled.split("star", part)).line()
        measures["structure remarks the labels contradict"][part] = str(
            labelled.contradictions(encoder, labelled.split("star", part))
        )
        measures["relevance"][part] = labelled.relevance_figures(encoder, labelled.split("relevance", part)).line()
        measures["follow-up choice (neutral interviewer, target >= 80%)"][part] = labelled.follow_up_figures(
            encoder, labelled.split("follow_ups", part)
        ).line()
    with tempfile.TemporaryDirectory(prefix="feedback-videos-") as tmp:
        measures["faces on camera"] = {}
        for part in labelled.SPLITS:
            print(f"\r      rendering and measuring the {part} videos", end="", file=sys.stderr)
            cases = [c for c in labelled.video_cases() if c.split == part]
            measures["faces on camera"][part] = labelled.video_figures(cases, Path(tmp))[0].line()
    for name, by_part in measures.items():
        lines += [f"  {name} ({part}): {by_part[part]}" for part in labelled.SPLITS]
    print(file=sys.stderr)
    return lines


async def run() -> list[str]:
    figures = quality()
    from intervu_nlp import default_encoder
    from intervu_transcription.config import Settings as TranscriptionSettings
    from intervu_transcription.consumers import provider_from_settings
    from intervu_transcription.models import events as transcription_events
    from intervu_transcription.transcripts import service as transcription

    env = Environment.TEST
    fb_settings = FeedbackSettings(environment=env)
    tr_settings = TranscriptionSettings(environment=env)
    storage = storage_from_settings(fb_settings)
    stt = provider_from_settings(tr_settings)
    analyser = Analyser(storage, default_encoder(), LocalCoach())
    print("      speaking a one-minute answer and filming a face for it", file=sys.stderr)
    with tempfile.TemporaryDirectory(prefix="feedback-bench-") as tmp:
        rendered = render(MINUTE_SCRIPT, Path(tmp))
        video = Path(tmp) / "answer.webm"
        _face_video(rendered.path, video)
        # Warm the models as a running worker would have them.
        await stt.transcribe(rendered.path)
        analyser.encoder.encode(["warm up"])
        user_id = f"bench-{uuid.uuid4().hex[:8]}"
        recording_id, answer_id = uuid.uuid4(), uuid.uuid4()
        audio_key = f"recordings/{user_id}/{recording_id}/audio.wav"
        video_key = f"recordings/{user_id}/{recording_id}/recording.webm"
        await storage.put_bytes(audio_key, rendered.path.read_bytes(), "audio/wav")
        await storage.put_bytes(video_key, video.read_bytes(), "video/webm")
    answer = AnswerSubmitted(
        answer_id=answer_id,
        user_id=user_id,
        session_id=uuid.uuid4(),
        question_id=uuid.uuid4(),
        attempt=1,
        kind="recording",
        question=QuestionContext(
            text=MINUTE_SCRIPT.question,
            type="behavioral",
            difficulty="medium",
            key_points=["The project and your role", "What you did", "A measurable result"],
            suggested_seconds=120,
        ),
    )
    uploaded = RecordingUploaded(
        recording_id=recording_id,
        user_id=user_id,
        answer_id=answer_id,
        storage_key=video_key,
        audio_key=audio_key,
        duration_s=rendered.duration_s,
        has_video=True,
    )
    tr_db, fb_db = Database(tr_settings.sqlalchemy_url), Database(fb_settings.sqlalchemy_url)
    runs: list[tuple[float, float]] = []
    try:
        for n in range(ROUNDS):
            print(f"\r      recording ready -> feedback completed, round {n + 1}/{ROUNDS}", end="", file=sys.stderr)
            run_answer = answer.model_copy(update={"answer_id": uuid.uuid4()})
            run_upload = uploaded.model_copy(update={"recording_id": uuid.uuid4(), "answer_id": run_answer.answer_id})
            feedback, transcribing, analysing = await _one(
                tr_db, fb_db, storage, stt, analyser, run_answer, run_upload, transcription, transcription_events
            )
            runs.append((transcribing, analysing))
        print(file=sys.stderr)
        async with fb_db.transaction() as session:
            await session.execute(sa.delete(Feedback).where(Feedback.user_id == user_id))
    finally:
        await tr_db.dispose()
        await fb_db.dispose()
        await storage.delete_prefix(f"recordings/{user_id}/")
    totals = sorted(a + b for a, b in runs)
    median = runs[sorted(range(len(runs)), key=lambda i: sum(runs[i]))[len(runs) // 2]]
    from intervu_feedback import noise

    measured = await noise.measure_async()
    return [
        *figures,
        *noise.report_lines(measured, noise.stored_thresholds() or noise.thresholds(measured["changes"])),
        f"feedback end to end for a {rendered.duration_s:.0f} s answer with video (local providers), {ROUNDS} rounds: "
        f"median {sum(median):.1f} s (transcription {median[0]:.1f} s, analysis + coaching {median[1]:.1f} s), "
        f"min {totals[0]:.1f} s, max {totals[-1]:.1f} s; target <= 9 s; add ~0.13 s for two broker hops",
        f"  overall score {feedback.overall_score:.0f}; "
        + ", ".join(f"{s['name']} {s['value']}" for s in feedback.report["scores"]),
    ]


async def _one(
    tr_db: Database,
    fb_db: Database,
    storage: Storage,
    stt: Any,
    analyser: Analyser,
    answer: AnswerSubmitted,
    uploaded: RecordingUploaded,
    transcription: Any,
    transcription_events: Any,
) -> tuple[Feedback, float, float]:
    async with fb_db.transaction() as session:
        await on_answer_submitted(session, answer, EventEnvelope.wrap(answer, "interviews"))
    started = time.perf_counter()
    # What the transcription job does: the slow part outside any transaction, then the short one that stores.
    outcome = await transcription.transcribe(storage, stt, uploaded)
    async with tr_db.transaction() as session:
        await transcription.store_transcript(session, uploaded, stt.name, outcome)
        outbox = transcription_events.outbox
        envelope = await session.scalar(
            sa.select(outbox.c.envelope).where(
                outbox.c.envelope["data"]["recording_id"].astext == str(uploaded.recording_id)
            )
        )
    transcribed = time.perf_counter()
    assert envelope is not None
    completed = TranscriptionCompleted.model_validate(envelope["data"])
    async with fb_db.transaction() as session:
        assert await on_transcription_completed(session, completed, EventEnvelope.wrap(completed, "transcription"))

    async def handle(job: Job, ctx: JobContext) -> None:
        await analyse_job(job, ctx, analyser)

    # What the feedback worker's job runner does with the job the transcript completed.
    runner = JobRunner(fb_db, jobs, {ANALYSE_KIND: handle})
    job = await runner.claim(key=str(answer.answer_id))
    assert job is not None
    await runner.run_one(job)
    finished = time.perf_counter()
    async with fb_db.transaction() as session:
        feedback = await session.scalar(sa.select(Feedback).where(Feedback.answer_id == answer.answer_id))
    assert feedback is not None
    return feedback, transcribed - started, finished - transcribed

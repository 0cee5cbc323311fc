"""Feedback on an answer: gather its inputs from events, analyse once, coach, publish, compare attempts.

The two events only record their half and, once both are in, enqueue a leased job (``intervu_kit.jobs``, kind
``analyse``); the job analyses and coaches with no transaction open and stores the feedback and its event in one
short transaction while it holds the lease.
"""

from __future__ import annotations

import asyncio
import logging
import tempfile
import time
import uuid
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import anyio
from intervu_contracts import (
    AnswerSubmitted,
    DeliveryFigures,
    EventEnvelope,
    FeedbackCompleted,
    TranscriptionCompleted,
)
from intervu_kit.consents import granted
from intervu_kit.db import Database
from intervu_kit.errors import IntervuError, NotFound
from intervu_kit.events import publish
from intervu_kit.jobs import Job, JobContext, JobRunner, enqueue
from intervu_kit.storage import ObjectNotFound, Storage, download_to_file
from intervu_kit.worker import Job as WorkerJob
from intervu_nlp import SentenceEncoder
from sqlalchemy.ext.asyncio import AsyncSession

from intervu_feedback.analysis import content as content_analysis
from intervu_feedback.analysis import delivery as delivery_analysis
from intervu_feedback.analysis import video as video_analysis
from intervu_feedback.analysis import voice as voice_analysis
from intervu_feedback.analysis.evidence import Word
from intervu_feedback.analysis.report import Report, score
from intervu_feedback.answers.repository import FeedbackRepository
from intervu_feedback.coaching.base import Coach, CoachingError, brief_of
from intervu_feedback.coaching.local import LocalCoach
from intervu_feedback.config import Settings
from intervu_feedback.interviewer.service import in_interview, proposal, publish_decision
from intervu_feedback.models import ANALYSE_KIND, AnswerInput, Feedback, consents, events, jobs
from intervu_feedback.noise import MIN_THRESHOLD, stored_thresholds

log = logging.getLogger(__name__)


class Analyser:
    """What the analysis needs that is costly to build: the encoder, storage, the coach."""

    def __init__(self, storage: Storage, encoder: SentenceEncoder, coach: Coach) -> None:
        self.storage = storage
        self.encoder = encoder
        self.coach = coach
        self.local = LocalCoach()


def _typed_words(text: str) -> list[Word]:
    return [Word(t) for t in text.split()]


def analyse_inputs(encoder: SentenceEncoder, data: AnswerInput, audio: Path | None, recording: Path | None) -> Report:
    """The whole analysis of one answer (CPU work: run it in a thread)."""
    question: dict[str, Any] = data.question or {}
    transcript = data.transcript
    if data.kind == "text" or transcript is None:
        words = _typed_words(data.text or "")
        duration = None
        speech: list[tuple[float, float]] = []
        source = "text"
    else:
        words = [Word(w["text"], w["start"], w["end"]) for w in transcript["words"]]
        duration = transcript.get("duration_s")
        speech = [(a, b) for a, b in transcript.get("speech", [])]
        source = "recording"
    # The video is the slowest part and needs nothing else: it runs beside the rest (ffmpeg and OpenCV work
    # outside the GIL, so the two cores share the load).
    with ThreadPoolExecutor(max_workers=1) as pool:
        video = pool.submit(video_analysis.analyse, recording, duration) if recording is not None and duration else None
        delivery = delivery_analysis.analyse(words, duration, speech)
        report = Report(
            source=source,
            words=[{"text": w.text, "start": w.start, "end": w.end} for w in words],
            filler_indexes=delivery.filler_indexes,
            delivery=delivery,
            content=content_analysis.analyse(
                encoder,
                question.get("text", ""),
                question.get("type", ""),
                question.get("key_points", []),
                words,
                int(question.get("suggested_seconds", 120)),
                duration,
            ),
        )
        if audio is not None:
            report.voice = voice_analysis.analyse(audio, speech)
        report.video = video.result() if video is not None else None
    score(report)
    return report


async def _coach(
    analyser: Analyser, report_json: dict[str, Any], question: str, third_party_allowed: bool
) -> tuple[dict[str, Any], str]:
    brief = brief_of(report_json, question)
    if analyser.coach.third_party and not third_party_allowed:
        # The person has not allowed third-party AI: the brief (their words, their scores) stays on our machines.
        coaching = await analyser.local.write(brief)
        return coaching.model_dump(), analyser.local.name
    try:
        coaching = await analyser.coach.write(brief)
        return coaching.model_dump(), analyser.coach.name
    except CoachingError as exc:
        log.warning("coach %s failed (%s); the local coach writes this one", analyser.coach.name, exc)
        coaching = await analyser.local.write(brief)
        return coaching.model_dump(), analyser.local.name


async def _enqueue_when_complete(session: AsyncSession, data: AnswerInput) -> bool:
    """Both halves in (the answer, and for a recording its transcript) and no feedback yet: a leased job analyses
    it. True when this call added the job (a redelivered event adds nothing)."""
    if data.question is None:
        return False  # the answer's event has not arrived yet; the transcript waits for it here
    if data.kind == "recording" and data.transcript is None:
        return False
    if await FeedbackRepository(session).for_answer(data.answer_id) is not None:
        return False  # computed already
    payload = {"answer_id": str(data.answer_id)}
    return await enqueue(session, jobs, ANALYSE_KIND, str(data.answer_id), payload, user_id=data.user_id)


async def _report(analyser: Analyser, data: AnswerInput) -> Report:
    """Download the media and analyse: the slow part, with no transaction open."""
    with tempfile.TemporaryDirectory(prefix="feedback-") as tmp:
        audio = recording = None
        transcript = data.transcript or {}
        try:
            if data.kind == "recording" and transcript.get("audio_key"):
                audio = Path(tmp) / "audio.wav"
                await download_to_file(analyser.storage, transcript["audio_key"], audio)
            if data.kind == "recording" and transcript.get("has_video") and transcript.get("storage_key"):
                recording = Path(tmp) / "recording"
                await download_to_file(analyser.storage, transcript["storage_key"], recording)
        except ObjectNotFound:
            # Deleted meanwhile (the user withdrew it): words-only feedback is still honest feedback.
            log.warning("media of answer %s is gone; analysing the words only", data.answer_id)
            audio = recording = None
        return await anyio.to_thread.run_sync(analyse_inputs, analyser.encoder, data, audio, recording)


async def analyse_job(job: Job, ctx: JobContext, analyser: Analyser) -> None:
    """One answer's feedback: analysis and coaching (an LLM call of up to 2 x 60 s) hold no transaction; the
    feedback and its event are stored in one short transaction while this runner holds the job's lease."""
    answer_id = uuid.UUID(job.payload["answer_id"])
    async with ctx.db.transaction() as session:
        data = await session.get(AnswerInput, answer_id)
        done = data is None or await FeedbackRepository(session).for_answer(answer_id) is not None
        allowed = data is not None and await granted(session, consents, data.user_id, "third_party_ai")
    if done or data is None:
        async with ctx.finishing():
            return
    started = time.perf_counter()
    await ctx.progress(0.1, "analysing")
    report = await _report(analyser, data)
    report_json = report.as_json()
    if in_interview(data):
        # The interviewer's next move goes out now, not after the coaching (an LLM may take up to 2 x 60 s): the
        # person is waiting for it. A retried job publishes it again; interviews keeps the first.
        async with ctx.fenced() as session:
            await publish_decision(session, data, proposal(data, report_json))
    await ctx.progress(0.7, "coaching")
    coaching, provider = await _coach(analyser, report_json, (data.question or {}).get("text", ""), allowed)
    async with ctx.finishing() as session:
        if await FeedbackRepository(session).for_answer(answer_id) is None:
            await _store(session, data, report, report_json, coaching, provider)
    log.info("feedback for answer %s in %.2f s", data.answer_id, time.perf_counter() - started)


async def _store(
    session: AsyncSession,
    data: AnswerInput,
    report: Report,
    report_json: dict[str, Any],
    coaching: dict[str, Any],
    provider: str,
) -> Feedback:
    repo = FeedbackRepository(session)
    feedback = Feedback(
        id=uuid.uuid4(),
        answer_id=data.answer_id,
        user_id=data.user_id,
        session_id=data.session_id,
        question_id=data.question_id,
        attempt=data.attempt,
        source=report.source,
        overall_score=report.overall,
        report=report_json,
        coaching=coaching,
        coaching_provider=provider,
    )
    repo.add(feedback)
    await session.flush()
    d = report.delivery
    await publish(
        session,
        events.outbox,
        FeedbackCompleted(
            feedback_id=feedback.id,
            answer_id=data.answer_id,
            user_id=data.user_id,
            overall_score=report.overall,
            source="text" if report.source == "text" else "recording",
            session_id=data.session_id,
            question_id=data.question_id,
            attempt=data.attempt,
            question_type=(data.question or {}).get("type"),
            difficulty=(data.question or {}).get("difficulty"),
            scores={s.name: s.value for s in report.scores},
            delivery=DeliveryFigures(
                words=d.words,
                duration_s=d.duration_s,
                wpm=d.wpm_speaking,
                fillers_per_minute=d.fillers_per_minute,
                fillers_per_100_words=d.fillers_per_100_words,
                longest_pause_s=d.longest_pause_s,
            ),
            completed_at=datetime.now(UTC),
        ),
        producer="feedback",
    )
    return feedback


def analysis_runner(analyser: Analyser, settings: Settings) -> WorkerJob:
    async def handle(job: Job, ctx: JobContext) -> None:
        await analyse_job(job, ctx, analyser)

    async def run(db: Database, stop: asyncio.Event) -> None:
        runner = JobRunner(
            db,
            jobs,
            {ANALYSE_KIND: handle},
            lease_s=settings.feedback_job_lease_s,
            max_attempts=settings.job_max_attempts,
            concurrency=settings.feedback_job_concurrency,
            listen_dsn=settings.listen_dsn,
        )
        await runner.run(stop)

    return run


async def on_answer_submitted(session: AsyncSession, event: AnswerSubmitted, _: EventEnvelope) -> bool:
    """The answer's half; True when the answer is now complete and its analysis was enqueued."""
    data = await FeedbackRepository(session).lock_input(event.answer_id, event.user_id)
    if data.user_id != event.user_id:
        log.warning("answer %s: owner mismatch between events; ignored", event.answer_id)
        return False
    data.session_id = event.session_id
    data.question_id = event.question_id
    data.attempt = event.attempt
    data.kind = event.kind
    data.text = event.text
    data.question = event.question.model_dump(mode="json")
    if event.session_question_id is not None:
        data.interview = {
            "session_question_id": str(event.session_question_id),
            "interviewer": event.interviewer,
            "follow_up": event.follow_up.model_dump(mode="json") if event.follow_up else None,
            "follow_ups_left": event.follow_ups_left,
            "asked": event.asked,
            "asked_probes": event.asked_probes,
        }
    await session.flush()
    return await _enqueue_when_complete(session, data)


async def on_transcription_completed(session: AsyncSession, event: TranscriptionCompleted, _: EventEnvelope) -> bool:
    """The transcript's half; True when the answer is now complete and its analysis was enqueued."""
    if event.answer_id is None:
        return False  # a recording that answers no question (a microphone check): nothing to judge
    data = await FeedbackRepository(session).lock_input(event.answer_id, event.user_id)
    if data.user_id != event.user_id:
        log.warning("transcript %s names answer %s of another user; ignored", event.transcript_id, event.answer_id)
        return False
    data.transcript = {
        "transcript_id": str(event.transcript_id),
        "recording_id": str(event.recording_id),
        "provider": event.provider,
        "words": [w.model_dump() for w in event.words],
        "speech": [list(r) for r in event.speech],
        "duration_s": event.duration_s,
        "audio_key": event.audio_key,
        "storage_key": event.storage_key,
        "has_video": event.has_video,
    }
    await session.flush()
    return await _enqueue_when_complete(session, data)


# --- reading ------------------------------------------------------------------------------------------------------


class FeedbackNotFound(NotFound):
    code = "feedback_not_found"
    message = "No feedback for this answer."


class DifferentQuestions(IntervuError):
    status = 422
    code = "different_questions"
    message = "Only attempts at the same question can be compared."


async def get_owned(
    session: AsyncSession, user_id: str, answer_id: uuid.UUID
) -> tuple[AnswerInput | None, Feedback | None]:
    repo = FeedbackRepository(session)
    feedback = await repo.for_answer(answer_id, user_id)
    data = await repo.input_owned(answer_id, user_id)
    if feedback is None and data is None:
        raise FeedbackNotFound()  # another user's answer looks exactly like a missing one
    return data, feedback


def _metric(report: dict[str, Any], path: Sequence[str]) -> float | None:
    value: Any = report
    for key in path:
        if not isinstance(value, dict):
            return None
        value = value.get(key)
    return float(value) if isinstance(value, int | float) else None


_METRICS: dict[str, tuple[str, ...]] = {
    "fillers_per_minute": ("delivery", "fillers_per_minute"),
    "wpm_speaking": ("delivery", "wpm_speaking"),
    "longest_pause_s": ("delivery", "longest_pause_s"),
    "relevance": ("content", "relevance"),
}


def compare(before: Feedback, after: Feedback) -> dict[str, Any]:
    """What changed between two attempts at one question, score by score."""
    if before.question_id != after.question_id:
        raise DifferentQuestions()
    a = {s["name"]: s for s in before.report["scores"]}
    b = {s["name"]: s for s in after.report["scores"]}
    # A recording moves a score even when the words are the same (noise.py measures how far): only a change past
    # that is called better or worse. Two typed answers have no such noise: the rule is the plain minimum.
    recorded = "recording" in (before.source, after.source)
    noise = stored_thresholds() if recorded else {}
    changes = []
    for name in [n for n in b if n in a]:
        delta = b[name]["value"] - a[name]["value"]
        limit = noise.get(name, MIN_THRESHOLD)
        changes.append(
            {
                "name": name,
                "label": b[name]["label"],
                "before": a[name]["value"],
                "after": b[name]["value"],
                "delta": delta,
                "noise": limit,
                "verdict": "improved" if delta > limit else "worse" if delta < -limit else "same",
            }
        )
    metrics = []
    for name, path in _METRICS.items():
        x, y = _metric(before.report, path), _metric(after.report, path)
        if x is None or y is None:
            continue
        metrics.append({"name": name, "before": x, "after": y, "delta": round(y - x, 3)})
    improved = [c["label"] for c in changes if c["verdict"] == "improved"]
    worse = [c["label"] for c in changes if c["verdict"] == "worse"]
    summary = []
    if improved:
        summary.append("Better: " + ", ".join(improved) + ".")
    if worse:
        summary.append("Worse: " + ", ".join(worse) + ".")
    overall_limit = noise.get("overall", MIN_THRESHOLD)
    if not improved and not worse:
        summary.append(
            "About the same as before: no score moved more than recording the same answer again moves it."
            if recorded
            else "About the same as before."
        )
    return {
        "before": {"answer_id": str(before.answer_id), "attempt": before.attempt, "overall": before.overall_score},
        "after": {"answer_id": str(after.answer_id), "attempt": after.attempt, "overall": after.overall_score},
        "overall_delta": round(after.overall_score - before.overall_score, 1),
        "overall_noise": overall_limit,
        "scores": changes,
        "metrics": metrics,
        "summary": " ".join(summary),
    }

"""`make bench` figures for the avatar: render time per second of video, and the clip cache's hit rate.

Rendering: one session's script (intro, three questions, transitions, closing) per persona, rendered by the local
provider through the real render loop (Piper, the head renderer, ffmpeg, storage, the database), under a version
of its own so nothing comes from an earlier run's cache. Cache: 30 sessions of five questions drawn from the real
question bank (software engineering, three personas) are planned in one rolled-back transaction; the hit rate is
the share of lines whose clip an earlier session had already made.
"""

from __future__ import annotations

import json
import random
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

import sqlalchemy as sa
from intervu_contracts import InterviewSessionCreated, SessionQuestionText
from intervu_kit.db import Database
from intervu_kit.settings import Environment
from intervu_kit.storage import storage_from_settings

from intervu_avatar.clips.service import Renderer, plan_session, script
from intervu_avatar.config import Settings
from intervu_avatar.models import Clip
from intervu_avatar.personas import PERSONAS, clip_address, persona_for
from intervu_avatar.providers.local import LocalAvatar

BANK = Path(__file__).resolve().parents[3] / "interviews/src/intervu_interviews/questions/bank/software-engineer.json"


def _session(questions: list[str], persona: str) -> InterviewSessionCreated:
    ids = [uuid.uuid4() for _ in questions]
    return InterviewSessionCreated(
        session_id=uuid.uuid4(),
        user_id="bench",
        question_ids=ids,
        questions=[
            SessionQuestionText(question_id=i, position=n + 1, text=t)
            for n, (i, t) in enumerate(zip(ids, questions, strict=True))
        ],
        interviewer=persona,
    )


async def run() -> list[str]:
    settings = Settings(environment=Environment.TEST)
    db = Database(settings.sqlalchemy_url)
    bank = [q["text"] for q in json.loads(BANK.read_text())]
    rng = random.Random(7)  # noqa: S311 - a reproducible sample, not a secret
    local = LocalAvatar(settings.avatar_width, settings.avatar_height, settings.avatar_fps)
    local.version = f"{local.version}+bench-{uuid.uuid4().hex[:8]}"
    renderer = Renderer(storage_from_settings(settings), local, local)
    figures = []
    try:
        ratios: list[float] = []
        video_s = wall_s = 0.0
        for persona in PERSONAS:
            event = _session(rng.sample(bank, 3), persona)
            async with db.transaction() as session:
                await plan_session(session, event, local)
            started = time.perf_counter()
            done = 0
            while await renderer.render_one(db):
                done += 1
                print(f"\r      rendering {persona}'s session: clip {done}", end="", file=sys.stderr, flush=True)
            wall_s += time.perf_counter() - started
            async with db.transaction() as session:
                keys = [
                    clip_address(t, persona_for(persona), local.name, local.version) for t in _texts(event, persona)
                ]
                clips = (await session.scalars(sa.select(Clip).where(Clip.key.in_(keys)))).all()
            for clip in clips:
                if clip.duration_s and clip.render_s and clip.kind == "video":
                    ratios.append(clip.render_s / clip.duration_s)
                    video_s += clip.duration_s
        print(file=sys.stderr)
        with tempfile.TemporaryDirectory(prefix="intervu-avatar-bench-") as tmp:
            # Where the time goes, from one more clip rendered directly.
            one = local.render_video(bank[0], PERSONAS["daniel"], Path(tmp))
        split = {k: v / one.duration_s for k, v in one.timings.items()}
        figures.append(
            f"avatar render (local, 640x360 25 fps, WebM VP9 + MP4 H.264 + WebVTT): {len(ratios)} clips, "
            f"{video_s:.0f} s of video in {wall_s:.0f} s: {statistics.median(ratios):.2f} s per second of video "
            f"(median; max {max(ratios):.2f}); split per second of video: speech {split['speech']:.2f} s, frames "
            f"{split['frames']:.2f} s, encoding {split['encode']:.2f} s"
        )

        personas = list(PERSONAS)
        lines = hits = 0
        first_ten = 0.0
        # One namespace for the whole cache simulation, apart from the rendering above.
        cached = LocalAvatar(local.width, local.height, local.fps)
        cached.version = f"{local.version}+cache"
        async with db.transaction() as session:
            for n in range(30):
                event = _session(rng.sample(bank, 5), personas[n % len(personas)])
                planned = await plan_session(session, event, cached)
                lines += planned.lines
                hits += planned.reused_clips
                if n == 9:
                    first_ten = hits / lines
            repeat = await plan_session(session, event, cached)
            await session.rollback()
        figures.append(
            f"avatar clip cache: {len(bank)} questions x {len(personas)} personas, 30 sessions of 5: hit rate "
            f"{hits / lines:.0%} overall ({first_ten:.0%} after 10 sessions); the same session again: "
            f"{repeat.reused_clips}/{repeat.lines} reused, 0 rendered"
        )
    finally:
        await db.dispose()
    return figures


def _texts(event: InterviewSessionCreated, persona: str) -> list[str]:
    return [line.text for line in script(persona_for(persona), [(q.question_id, q.text) for q in event.questions])]

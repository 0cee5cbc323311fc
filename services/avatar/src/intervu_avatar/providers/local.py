"""The offline interviewer: Piper speaks, the rendered head moves with the speech, ffmpeg encodes.

Everything runs on the CPU in a worker thread: ~0.4-0.65 s per second of video on a 2-core laptop (`make bench`).
"""

from __future__ import annotations

import functools
import time
from collections.abc import Iterator
from pathlib import Path

import anyio
import numpy as np

from intervu_avatar.animate import poses
from intervu_avatar.encode import EncodeError, encode_audio, encode_talking_head, probe, webvtt
from intervu_avatar.personas import Persona
from intervu_avatar.providers.base import AvatarError, Rendered
from intervu_avatar.render.head import LOOKS, HeadRenderer
from intervu_avatar.speech import mouth_track, speak

# Bump when the renderer's output changes (look, animation, encoding): clips are addressed by it.
RENDER_VERSION = "1"


@functools.lru_cache(maxsize=8)
def _renderer(look: str, width: int, height: int) -> HeadRenderer:
    # Building a look's static layers takes a while; a worker keeps them for the next clip.
    return HeadRenderer(LOOKS[look], width, height)


class LocalAvatar:
    name = "local"
    version = f"piper-joe+head-{RENDER_VERSION}"
    third_party = False

    def __init__(self, width: int = 640, height: int = 360, fps: int = 25) -> None:
        self.width, self.height, self.fps = width, height, fps

    async def render(self, text: str, persona: Persona, workdir: Path) -> Rendered:
        return await anyio.to_thread.run_sync(self.render_video, text, persona, workdir)

    async def render_voice(self, text: str, persona: Persona, workdir: Path) -> Rendered:
        return await anyio.to_thread.run_sync(self.render_audio, text, persona, workdir)

    def render_video(self, text: str, persona: Persona, workdir: Path) -> Rendered:
        t0 = time.perf_counter()
        spoken = speak(text, persona.voice, workdir)
        mouth = mouth_track(spoken.samples, spoken.sample_rate, self.fps)
        t1 = time.perf_counter()
        head = _renderer(persona.look, self.width, self.height)
        drawing = [0.0]

        def frames() -> Iterator[np.ndarray]:
            for p in poses(mouth, self.fps, spoken.cues, persona.style, seed=f"{persona.id}:{text}"):
                start = time.perf_counter()
                frame = head.frame(mouth=p.mouth, blink=p.blink, yaw=p.yaw, pitch=p.pitch, roll=p.roll, smile=p.smile)
                drawing[0] += time.perf_counter() - start
                yield frame

        webm, mp4, vtt = workdir / "video.webm", workdir / "video.mp4", workdir / "captions.vtt"
        try:
            encode_talking_head(frames(), spoken.wav, self.width, self.height, self.fps, webm, mp4)
            duration = probe(webm).duration_s
        except EncodeError as exc:
            raise AvatarError(f"encoding the talking head failed: {exc}") from exc
        vtt.write_text(webvtt(spoken.cues))
        total = time.perf_counter() - t0
        timings = {"speech": t1 - t0, "frames": drawing[0], "encode": total - (t1 - t0) - drawing[0]}
        return Rendered(
            "video", self.name, {"video.webm": webm, "video.mp4": mp4, "captions.vtt": vtt}, duration,
            spoken.speech_s, spoken.cues, timings,
        )  # fmt: skip

    def render_audio(self, text: str, persona: Persona, workdir: Path) -> Rendered:
        """The last resort before text alone: the voice, with captions."""
        spoken = speak(text, persona.voice, workdir)
        webm, m4a, vtt = workdir / "speech.webm", workdir / "speech.m4a", workdir / "captions.vtt"
        try:
            encode_audio(spoken.wav, webm, m4a)
        except EncodeError as exc:
            raise AvatarError(f"encoding the voice failed: {exc}") from exc
        vtt.write_text(webvtt(spoken.cues))
        return Rendered(
            "audio", "local-voice", {"speech.webm": webm, "speech.m4a": m4a, "captions.vtt": vtt},
            spoken.duration_s, spoken.speech_s, spoken.cues,
        )  # fmt: skip

"""ffmpeg and ffprobe: the interviewer's clips as WebM (VP9/Opus) and MP4 (H.264/AAC), captions as WebVTT.

Two formats because no single one plays everywhere: WebM/VP9 is the open default, MP4/H.264 is what Safari and
older phones play. Both come out of one ffmpeg process, so the frames are rendered once.
"""

from __future__ import annotations

import contextlib
import json
import subprocess
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from intervu_avatar.speech import Cue

_VP9 = ["-c:v", "libvpx-vp9", "-deadline", "realtime", "-cpu-used", "8", "-row-mt", "1", "-b:v", "700k",
        "-pix_fmt", "yuv420p"]  # fmt: skip
_H264 = ["-c:v", "libx264", "-preset", "veryfast", "-crf", "24", "-pix_fmt", "yuv420p", "-movflags", "+faststart"]


class EncodeError(Exception):
    """ffmpeg refused the input or failed; the message is ffmpeg's own last lines."""


@dataclass(frozen=True)
class Probe:
    duration_s: float
    video: str | None  # codec name
    audio: str | None
    width: int | None
    height: int | None


# Files only: a provider's "video" that is really a playlist must not make ffmpeg fetch other addresses.
_LOCAL_ONLY = ["-protocol_whitelist", "file,pipe"]
PROBE_TIMEOUT_S = 60


def probe(path: Path) -> Probe:
    """What a media file holds; EncodeError when ffprobe cannot read it (a damaged or foreign file)."""
    try:
        result = subprocess.run(
            ["ffprobe", "-v", "error", *_LOCAL_ONLY, "-print_format", "json", "-show_format", "-show_streams",
             str(path)],
            capture_output=True, text=True, check=False, timeout=PROBE_TIMEOUT_S,
        )  # fmt: skip
    except subprocess.TimeoutExpired as exc:
        raise EncodeError(f"ffprobe took longer than {PROBE_TIMEOUT_S} s") from exc
    if result.returncode != 0:
        raise EncodeError(result.stderr.strip()[-500:] or "unreadable media")
    info = json.loads(result.stdout or "{}")
    streams = info.get("streams", [])
    video = next((s for s in streams if s.get("codec_type") == "video"), None)
    audio = next((s for s in streams if s.get("codec_type") == "audio"), None)
    duration = float(info.get("format", {}).get("duration") or 0.0)
    return Probe(
        duration_s=duration,
        video=video.get("codec_name") if video else None,
        audio=audio.get("codec_name") if audio else None,
        width=int(video["width"]) if video else None,
        height=int(video["height"]) if video else None,
    )


def _run(args: list[str], stdin_frames: Iterable[np.ndarray] | None = None, timeout_s: float = 600.0) -> None:
    # ffmpeg's messages go to a file, not a pipe: a pipe nobody reads while we write frames could fill and stall it.
    with tempfile.TemporaryFile() as errors:
        process = subprocess.Popen(
            ["ffmpeg", "-v", "error", "-y", *_LOCAL_ONLY, *args],
            stdin=subprocess.PIPE if stdin_frames is not None else subprocess.DEVNULL,
            stderr=errors,
        )
        try:
            if stdin_frames is not None:
                assert process.stdin is not None
                try:
                    for frame in stdin_frames:
                        process.stdin.write(np.ascontiguousarray(frame).tobytes())
                except BrokenPipeError:
                    pass  # ffmpeg stopped early: its messages below say why
                finally:
                    with contextlib.suppress(BrokenPipeError):
                        process.stdin.close()
            # A hung ffmpeg (a hostile file, a stuck encoder) must not hold the worker's one render slot forever.
            process.wait(timeout=timeout_s)
        except BaseException:
            process.kill()
            process.wait()
            raise
        if process.returncode != 0:
            errors.seek(0)
            message = errors.read().decode(errors="replace").strip()[-500:]
            raise EncodeError(message or f"ffmpeg exited {process.returncode}")


def encode_talking_head(
    frames: Iterable[np.ndarray], wav: Path, width: int, height: int, fps: int, webm: Path, mp4: Path
) -> None:
    """Raw RGB frames on stdin plus the speech track -> WebM and MP4 in one pass."""
    _run(
        [
            "-f", "rawvideo", "-pix_fmt", "rgb24", "-s", f"{width}x{height}", "-r", str(fps), "-i", "-",
            "-i", str(wav),
            "-map", "0:v", "-map", "1:a", *_VP9, "-c:a", "libopus", "-b:a", "64k", "-shortest", str(webm),
            "-map", "0:v", "-map", "1:a", *_H264, "-c:a", "aac", "-b:a", "96k", "-shortest", str(mp4),
        ],
        stdin_frames=frames,
    )  # fmt: skip


def transcode(source: Path, width: int, height: int, fps: int, webm: Path, mp4: Path) -> None:
    """A provider's video (any container ffmpeg reads) -> our two formats at our size, letterboxed if needed."""
    scale = (
        f"scale={width}:{height}:force_original_aspect_ratio=decrease,"
        f"pad={width}:{height}:(ow-iw)/2:(oh-ih)/2,fps={fps}"
    )
    _run(
        [
            "-f", "mp4", "-i", str(source), "-vf", scale,
            "-map", "0:v:0", "-map", "0:a:0", *_VP9, "-c:a", "libopus", "-b:a", "64k", str(webm),
            "-map", "0:v:0", "-map", "0:a:0", *_H264, "-c:a", "aac", "-b:a", "96k", str(mp4),
        ]
    )  # fmt: skip


def encode_audio(wav: Path, webm: Path, m4a: Path) -> None:
    """The voice alone (the fallback when no video can be made): Opus in WebM, and AAC for Safari."""
    _run(["-i", str(wav), "-c:a", "libopus", "-b:a", "64k", str(webm), "-c:a", "aac", "-b:a", "96k", str(m4a)])


def _stamp(seconds: float) -> str:
    ms = round(seconds * 1000)
    h, rest = divmod(ms, 3_600_000)
    m, rest = divmod(rest, 60_000)
    s, ms = divmod(rest, 1000)
    return f"{h:02d}:{m:02d}:{s:02d}.{ms:03d}"


def webvtt(cues: list[Cue]) -> str:
    lines = ["WEBVTT", ""]
    for index, cue in enumerate(cues, start=1):
        # A cue's text may not hold "-->" or a blank line (it would end the cue).
        text = " ".join(cue.text.replace("-->", "->").split())
        lines += [str(index), f"{_stamp(cue.start)} --> {_stamp(cue.end)}", text, ""]
    return "\n".join(lines)


def spread_cues(texts: list[str], start: float, end: float) -> list[Cue]:
    """Caption times when the provider gives none: each sentence's share of the speech, by its length."""
    weights = [max(len(t), 1) for t in texts]
    total = sum(weights)
    cues, t = [], start
    for text, weight in zip(texts, weights, strict=True):
        length = (end - start) * weight / total
        cues.append(Cue(round(t, 3), round(t + length, 3), text))
        t += length
    return cues

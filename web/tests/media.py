"""The camera and microphone of the browser tests: a real face and a spoken answer, made offline.

Chromium's fake capture devices play these files (`--use-file-for-fake-video-capture`, `...-audio-capture`), so
what the web app records is a person's face (NASA's public-domain portrait of Eileen Collins, shipped inside
scikit-image) and a neural voice (Piper) saying a known answer: the transcript can be checked word by word.
"""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from intervu_kit.testing.speech import Rendered, Script, render
from PIL import Image

ANSWER = Script(
    "web-answer",
    "In my last role I led a team of four engineers. [0.6] Our checkout service kept failing during big sales, "
    "so I planned a migration to a message queue. [0.6] We shipped it in six weeks, and checkout errors dropped "
    "by ninety percent.",
)
# Words the transcript must contain (Whisper may write numbers as digits, so none of those).
SPOKEN_WORDS = ("team", "engineers", "checkout", "migration", "queue")


@dataclass(frozen=True)
class FakeMedia:
    face_y4m: Path
    answer_wav: Path
    answer: Rendered


def _face(folder: Path) -> Path:
    """A 640x480 Y4M of a real face, gently moving (a still picture would record as a near-empty video, and a
    camera never is still); light noise, like a webcam's, keeps the encoder's bitrate realistic."""
    path = folder / "face.y4m"
    if path.exists():
        return path
    from skimage import data

    photo = np.asarray(data.astronaut())  # type: ignore[no-untyped-call]
    portrait = Image.fromarray(photo).resize((480, 480))
    canvas = Image.new("RGB", (640, 480), (70, 74, 84))
    canvas.paste(portrait, (80, 0))
    still = folder / "face.png"
    canvas.save(still)
    subprocess.run(
        [
            "ffmpeg", "-v", "error", "-y", "-loop", "1", "-i", str(still), "-t", "4",
            "-vf",
            "zoompan=z='1.04+0.03*sin(2*PI*on/60)':x='iw/2-(iw/zoom/2)+6*sin(2*PI*on/45)':y='ih/2-(ih/zoom/2)'"
            ":d=1:s=640x480:fps=15,noise=alls=12:allf=t,format=yuv420p",
            "-f", "yuv4mpegpipe", str(path),
        ],
        check=True,
    )  # fmt: skip
    return path


def make_fake_media(folder: Path) -> FakeMedia:
    folder.mkdir(parents=True, exist_ok=True)
    answer = render(ANSWER, folder)
    # 48 kHz 16-bit mono: what Chromium's fake microphone reads without resampling surprises.
    wav = folder / "answer-48k.wav"
    subprocess.run(
        [
            "ffmpeg",
            "-v",
            "error",
            "-y",
            "-i",
            str(answer.path),
            "-ar",
            "48000",
            "-ac",
            "1",
            "-sample_fmt",
            "s16",
            str(wav),
        ],
        check=True,
    )
    return FakeMedia(face_y4m=_face(folder), answer_wav=wav, answer=answer)

"""Media test kit: real media files made with ffmpeg, a small tus client, apps per storage backend, the worker."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import random
import subprocess
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from intervu_kit.devstack.config import DevSettings
from intervu_kit.storage import storage_from_settings
from intervu_kit.testing.plugin import SignedIn, running_app
from intervu_kit.testing.servers import serve
from intervu_kit.worker import run_worker
from intervu_media.config import Settings
from intervu_media.consumers import registrar
from intervu_media.main import create_app
from intervu_media.models import events
from intervu_media.processing import processing_runner


def _ffmpeg(*args: str) -> None:
    subprocess.run(["ffmpeg", "-nostdin", "-v", "error", "-y", *args], check=True)


@pytest.fixture(scope="session")
def media_files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Real recordings in every accepted format, and every kind of bad file the service must refuse."""
    d = tmp_path_factory.mktemp("media")
    tone = ["-f", "lavfi", "-i", "sine=frequency=220:duration=4:sample_rate=48000"]
    video = ["-f", "lavfi", "-i", "testsrc=size=320x240:rate=15:duration=4"]
    f = {
        name: d / name
        for name in (
            "answer.webm",
            "browser.webm",
            "answer.mp4",
            "answer.wav",
            "answer.mp3",
            "answer.ogg",
            "silence.webm",
            "video-only.webm",
            "text.webm",
            "image.png",
            "truncated.webm",
            "corrupted.webm",
        )
    }
    _ffmpeg(*video, *tone, "-c:v", "libvpx", "-b:v", "300k", "-c:a", "libopus", "-shortest", str(f["answer.webm"]))
    # Like Chrome's MediaRecorder output: written to a pipe, so no duration and no cues in the header.
    with open(f["browser.webm"], "wb") as out:
        subprocess.run(
            [
                "ffmpeg",
                "-nostdin",
                "-v",
                "error",
                *video,
                *tone,
                "-c:v",
                "libvpx",
                "-b:v",
                "300k",
                "-c:a",
                "libopus",
                "-shortest",
                "-f",
                "webm",
                "pipe:1",
            ],
            stdout=out,
            check=True,
        )
    _ffmpeg(
        *video,
        *tone,
        "-c:v",
        "libx264",
        "-preset",
        "ultrafast",
        "-pix_fmt",
        "yuv420p",
        "-c:a",
        "aac",
        "-shortest",
        str(f["answer.mp4"]),
    )
    _ffmpeg(*tone, "-ac", "1", str(f["answer.wav"]))
    _ffmpeg(*tone, "-c:a", "libmp3lame", str(f["answer.mp3"]))
    _ffmpeg(*tone, "-c:a", "libopus", str(f["answer.ogg"]))
    _ffmpeg("-f", "lavfi", "-i", "anullsrc=r=48000:cl=mono", "-t", "4", "-c:a", "libopus", str(f["silence.webm"]))
    _ffmpeg(*video, "-c:v", "libvpx", str(f["video-only.webm"]))
    f["text.webm"].write_text("This is not a video, just text with a .webm name.\n" * 200)
    _ffmpeg("-f", "lavfi", "-i", "color=c=red:s=64x64", "-frames:v", "1", str(f["image.png"]))
    data = f["answer.webm"].read_bytes()
    f["truncated.webm"].write_bytes(data[: len(data) * 6 // 10])
    corrupted = bytearray(data)
    middle = len(corrupted) // 2
    corrupted[middle : middle + 8192] = random.Random(20261128).randbytes(8192)  # the same damage every run
    f["corrupted.webm"].write_bytes(bytes(corrupted))
    return f


@contextlib.contextmanager
def serving(settings: Settings, port: int) -> Iterator[str]:
    """The media API on a real socket: for clients that must really connect or disconnect."""
    with serve(create_app(settings), port) as base:
        yield base


def media_settings(backend: str = "local", **overrides: Any) -> Settings:
    return Settings(storage_backend=backend, **overrides)


@pytest.fixture(params=["local", "s3"])
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
async def media(infra: DevSettings, backend: str) -> AsyncIterator[tuple[httpx.AsyncClient, Settings]]:
    settings = media_settings(backend)
    async with running_app(create_app(settings)) as client:
        yield client, settings


@pytest.fixture
async def local_media(infra: DevSettings) -> AsyncIterator[httpx.AsyncClient]:
    async with running_app(create_app(media_settings("local"))) as client:
        yield client


@contextlib.asynccontextmanager
async def media_worker(settings: Settings) -> AsyncIterator[None]:
    """The media worker, in-process: the same consumers and relay `make run` starts."""
    stop = asyncio.Event()
    task = asyncio.create_task(
        run_worker(
            settings,
            events,
            registrar(storage_from_settings(settings), settings),
            stop=stop,
            jobs=[processing_runner(storage_from_settings(settings), settings)],
        )
    )
    try:
        yield
    finally:
        stop.set()
        await asyncio.wait_for(task, timeout=30)


async def wait_for_status(
    client: httpx.AsyncClient, who: SignedIn, recording_id: str, timeout_s: float = 60
) -> dict[str, Any]:
    deadline = asyncio.get_running_loop().time() + timeout_s
    while True:
        body: dict[str, Any] = (await client.get(f"/api/media/recordings/{recording_id}", headers=who.headers)).json()
        if body["status"] not in {"uploading", "processing"}:
            return body
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"recording still {body['status']}")
        await asyncio.sleep(0.2)


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


SignIn = Callable[..., Awaitable[SignedIn]]

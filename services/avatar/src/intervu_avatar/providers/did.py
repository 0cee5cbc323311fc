"""A D-ID style cloud avatar: create a talk, learn it is done (webhook, or polling), fetch the video.

D-ID's Talks API: ``POST /talks`` with a presenter picture (``source_url``) and a text script spoken by a TTS voice
(``script.provider``), answered ``201 {"id", "status": "created"}``; ``GET /talks/{id}`` until ``status`` is
``done`` (then ``result_url``, a video on their CDN) or ``error``/``rejected``; an optional ``webhook`` URL is
called with the finished talk. HeyGen and Tavus follow the same create / notify-or-poll / fetch shape.

Whatever comes back is checked (ffprobe: a video and an audio stream, a duration) and transcoded to our formats:
a corrupt or foreign response is an `AvatarError`, and the caller degrades to the local renderer.
"""

from __future__ import annotations

import time
import uuid
from pathlib import Path
from typing import Any

import anyio
import httpx

from intervu_avatar.encode import EncodeError, probe, spread_cues, transcode, webvtt
from intervu_avatar.personas import Persona
from intervu_avatar.providers.base import AvatarError, JobBook, Rendered, webhook_token
from intervu_avatar.speech import LEAD_S, sentences

MAX_VIDEO_BYTES = 200 * 1024 * 1024


class DIDAvatar:
    name = "did"
    version = "talks-v1"
    third_party = True

    def __init__(
        self,
        api_key: str,
        *,
        base_url: str = "https://api.d-id.com",
        jobs: JobBook | None = None,
        public_url: str = "",
        webhook_secret: bytes = b"",
        poll_s: float = 3.0,
        webhook_check_s: float = 1.0,
        timeout_s: float = 300.0,
        width: int = 640,
        height: int = 360,
        fps: int = 25,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.api_key, self.base_url = api_key, base_url.rstrip("/")
        self.jobs, self.public_url, self.webhook_secret = jobs, public_url.rstrip("/"), webhook_secret
        self.poll_s, self.webhook_check_s, self.timeout_s = poll_s, webhook_check_s, timeout_s
        self.width, self.height, self.fps = width, height, fps
        self.transport = transport

    def _client(self) -> httpx.AsyncClient:
        return httpx.AsyncClient(
            base_url=self.base_url,
            # D-ID's keys are used as HTTP Basic credentials, already encoded ("user:secret" base64).
            headers={"Authorization": f"Basic {self.api_key}", "Accept": "application/json"},
            timeout=httpx.Timeout(30.0, read=60.0),
            transport=self.transport,
        )

    async def render(self, text: str, persona: Persona, workdir: Path) -> Rendered:
        job_id = uuid.uuid4()
        body: dict[str, Any] = {
            "source_url": persona.cloud.source_url,
            "script": {
                "type": "text",
                "input": text,
                "provider": {"type": "microsoft", "voice_id": persona.cloud.voice_id},
            },
            "config": {"stitch": True},
        }
        if self.public_url and self.jobs is not None:
            token = webhook_token(self.webhook_secret, self.name, job_id)
            body["webhook"] = f"{self.public_url}/api/avatar/webhooks/{self.name}/{job_id}?token={token}"
        async with self._client() as http:
            created = await self._json(await self._call(http, "POST", "/talks", json=body), "id")
            talk_id = str(created["id"])
            if self.jobs is not None:
                await self.jobs.started(job_id, self.name, talk_id)
            talk = await self._wait(http, job_id, talk_id)
            source = workdir / "provider.mp4"
            await self._download(str(talk["result_url"]), source)
        return await anyio.to_thread.run_sync(self._finish, text, source, workdir)

    async def _call(self, http: httpx.AsyncClient, method: str, url: str, **kwargs: Any) -> httpx.Response:
        try:
            response = await http.request(method, url, **kwargs)
        except httpx.HTTPError as exc:
            raise AvatarError(f"{self.name} unreachable: {exc}") from exc
        if response.status_code >= 400:
            raise AvatarError(f"{self.name} answered {response.status_code}: {response.text[:300]}")
        return response

    async def _json(self, response: httpx.Response, *required: str) -> dict[str, Any]:
        try:
            data = response.json()
        except ValueError as exc:
            raise AvatarError(f"{self.name} sent a response that is not JSON") from exc
        if not isinstance(data, dict) or any(k not in data for k in required):
            raise AvatarError(f"{self.name} sent a response without {', '.join(required)}")
        return data

    async def _wait(self, http: httpx.AsyncClient, job_id: uuid.UUID, talk_id: str) -> dict[str, Any]:
        deadline = time.monotonic() + self.timeout_s
        next_poll = time.monotonic() + self.poll_s
        while True:
            # The webhook only wakes us: whatever its body says, the talk's state (and the video's address) is read
            # from the provider with our key, so a forged or replayed callback cannot choose what we download. The
            # job book is checked often and costs nothing; polling, the fallback for a webhook that never comes
            # (or none configured), runs at the slower interval.
            woken = self.jobs is not None and await self.jobs.finished(job_id) is not None
            talk = None
            if woken or self.jobs is None or not self.public_url or time.monotonic() >= next_poll:
                talk = await self._json(await self._call(http, "GET", f"/talks/{talk_id}"), "status")
                next_poll = time.monotonic() + self.poll_s
            status = talk.get("status") if talk is not None else None
            if talk is not None and status == "done":
                if not isinstance(talk.get("result_url"), str):
                    raise AvatarError(f"{self.name} finished without a result_url")
                return talk
            if talk is not None and status in {"error", "rejected"}:
                raise AvatarError(f"{self.name} {status}: {str(talk.get('error'))[:300]}")
            if time.monotonic() > deadline:
                raise AvatarError(f"{self.name} did not finish within {self.timeout_s:.0f} s")
            await anyio.sleep(min(self.webhook_check_s, self.poll_s) if self.public_url else self.poll_s)

    async def _download(self, url: str, path: Path) -> None:
        if not url.startswith("https://") and self.transport is None:
            raise AvatarError(f"the {self.name} video is not at an https URL")
        size = 0
        try:
            # The result is on the provider's CDN (an S3 presigned URL): a client of its own, without our API key,
            # which presigned URLs refuse alongside their own signature.
            async with (
                httpx.AsyncClient(timeout=httpx.Timeout(30.0, read=120.0), transport=self.transport) as cdn,
                cdn.stream("GET", url) as response,
            ):
                if response.status_code >= 400:
                    raise AvatarError(f"fetching the {self.name} video: HTTP {response.status_code}")
                with path.open("wb") as out:
                    async for chunk in response.aiter_bytes():
                        size += len(chunk)
                        if size > MAX_VIDEO_BYTES:
                            raise AvatarError(f"the {self.name} video is larger than {MAX_VIDEO_BYTES} bytes")
                        out.write(chunk)
        except httpx.HTTPError as exc:
            raise AvatarError(f"fetching the {self.name} video: {exc}") from exc

    def _finish(self, text: str, source: Path, workdir: Path) -> Rendered:
        try:
            found = probe(source)
        except EncodeError as exc:
            raise AvatarError(f"the {self.name} video is unreadable: {exc}") from exc
        if found.video is None or found.audio is None or found.duration_s <= 0.2:
            raise AvatarError(f"the {self.name} video lacks a picture, a voice or a length")
        webm, mp4, vtt = workdir / "video.webm", workdir / "video.mp4", workdir / "captions.vtt"
        try:
            transcode(source, self.width, self.height, self.fps, webm, mp4)
            duration = probe(webm).duration_s
        except EncodeError as exc:
            raise AvatarError(f"the {self.name} video could not be transcoded: {exc}") from exc
        # The provider gives no word times: captions share the speech by sentence length (it starts speaking at
        # once, and ends with a short breath like ours).
        cues = spread_cues(sentences(text), min(LEAD_S, duration * 0.05), max(duration - 0.3, duration * 0.9))
        vtt.write_text(webvtt(cues))
        return Rendered(
            "video", self.name, {"video.webm": webm, "video.mp4": mp4, "captions.vtt": vtt}, duration,
            cues[-1].end - cues[0].start if cues else duration, cues,
        )  # fmt: skip

"""The D-ID style cloud avatar against recorded exchanges (its real httpx code, our real ffmpeg), its webhook
through the real API and database, and the fallback when the provider sends something unusable."""

from __future__ import annotations

import asyncio
import subprocess
import uuid
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest
from intervu_avatar.clips.service import DbJobBook
from intervu_avatar.config import get_settings
from intervu_avatar.encode import probe
from intervu_avatar.main import app
from intervu_avatar.personas import PERSONAS
from intervu_avatar.providers.base import AvatarError, webhook_token
from intervu_avatar.providers.did import DIDAvatar
from intervu_kit.db import Database
from intervu_kit.devstack.config import DevSettings
from intervu_kit.testing.asserts import assert_error
from intervu_kit.testing.plugin import running_app
from intervu_kit.testing.replay import Replay

EXCHANGES = Path(__file__).parent / "exchanges"
DANIEL = PERSONAS["daniel"]
TEXT = "Tell me about a time you disagreed with your manager. What did you do?"


@pytest.fixture(scope="module")
def talk_mp4(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    """A video of the kind the provider returns: 512x512 H.264 + AAC, 4 s."""
    out = tmp_path_factory.mktemp("did") / "talk.mp4"
    subprocess.run(
        ["ffmpeg", "-v", "error", "-f", "lavfi", "-i", "testsrc2=size=512x512:rate=25:duration=4", "-f", "lavfi",
         "-i", "sine=frequency=220:duration=4", "-c:v", "libx264", "-pix_fmt", "yuv420p", "-c:a", "aac",
         "-shortest", str(out)],
        check=True,
    )  # fmt: skip
    return out.read_bytes()


async def test_a_polled_talk_becomes_our_two_formats_with_captions(talk_mp4: bytes, tmp_path: Path) -> None:
    replay = Replay(EXCHANGES / "did_talk.json", {"talk.mp4": talk_mp4})
    did = DIDAvatar("ZGlkOnNlY3JldA==", poll_s=0.01, transport=replay.transport)
    rendered = await did.render(TEXT, DANIEL, tmp_path)

    create, *polls, fetch = replay.requests
    assert create["method"] == "POST" and create["path"] == "talks"
    assert create["headers"]["authorization"] == "Basic ZGlkOnNlY3JldA=="
    assert create["json"]["script"] == {
        "type": "text",
        "input": TEXT,
        "provider": {"type": "microsoft", "voice_id": DANIEL.cloud.voice_id},
    }
    assert create["json"]["source_url"] == DANIEL.cloud.source_url
    assert "webhook" not in create["json"]  # no public URL configured: polling only
    assert [p["path"] for p in polls] == ["talks/tlk_9aQ2Lm7XcR", "talks/tlk_9aQ2Lm7XcR"]
    assert fetch["path"].endswith("tlk_9aQ2Lm7XcR/1764394206480.mp4")
    assert "authorization" not in fetch["headers"]  # the API key never goes to the CDN (presigned URLs refuse it)

    assert rendered.provider == "did" and rendered.kind == "video"
    webm, mp4 = probe(rendered.files["video.webm"]), probe(rendered.files["video.mp4"])
    assert (webm.video, webm.audio, webm.width, webm.height) == ("vp9", "opus", 640, 360)
    assert (mp4.video, mp4.audio) == ("h264", "aac")
    assert abs(webm.duration_s - 4.0) < 0.2
    vtt = rendered.files["captions.vtt"].read_text()
    assert vtt.startswith("WEBVTT") and "What did you do?" in vtt


@pytest.mark.parametrize(
    ("exchange", "message"),
    [
        ("did_corrupt.json", "unreadable"),
        ("did_rejected.json", "rejected"),
        ("did_unauthorized.json", "401"),
        ("did_garbage.json", "without id"),
    ],
)
async def test_a_bad_provider_answer_is_an_avatar_error(exchange: str, message: str, tmp_path: Path) -> None:
    replay = Replay(EXCHANGES / exchange, {"corrupt.mp4": b"\x00\x00\x00\x18ftypmp42" + bytes(range(256)) * 40})
    with pytest.raises(AvatarError, match=message):
        await DIDAvatar("k", poll_s=0.01, transport=replay.transport).render(TEXT, DANIEL, tmp_path)


async def test_a_provider_stuck_in_progress_times_out(tmp_path: Path) -> None:
    stuck = Replay(EXCHANGES / "did_talk.json")
    stuck.responses = stuck.responses[:2]  # never past "started": the last answer repeats for every later poll
    with pytest.raises(AvatarError, match="did not finish"):
        await DIDAvatar("k", poll_s=0.01, timeout_s=0.2, transport=stuck.transport).render(TEXT, DANIEL, tmp_path)
    assert len(stuck.requests) > 3


async def test_the_webhook_is_authenticated_and_ends_the_wait(
    infra: DevSettings, talk_mp4: bytes, tmp_path: Path
) -> None:
    settings = get_settings()
    secret = settings.avatar_webhook_secret.get_secret_value().encode()
    db = Database(settings.sqlalchemy_url)
    replay = Replay(EXCHANGES / "did_webhook.json", {"talk.mp4": talk_mp4})
    did = DIDAvatar(
        "k",
        jobs=DbJobBook(db),
        public_url="https://intervu.example",
        webhook_secret=secret,
        poll_s=60,  # a poll would take the video's answer: the webhook must end the wait
        webhook_check_s=0.05,
        transport=replay.transport,
    )
    try:
        render = asyncio.create_task(did.render(TEXT, DANIEL, tmp_path))
        while not replay.requests:
            await asyncio.sleep(0.02)
        hook = urlparse(replay.requests[0]["json"]["webhook"])
        assert hook.netloc == "intervu.example"
        job_id = uuid.UUID(hook.path.rsplit("/", 1)[-1])
        token = parse_qs(hook.query)["token"][0]
        assert token == webhook_token(secret, "did", job_id)
        # A callback's body is not trusted: its result_url is never fetched (the talk is read back with our key).
        finished = {"id": "tlk_hook0042", "status": "done", "result_url": "http://169.254.169.254/latest/meta-data"}
        async with running_app(app) as client:
            for url, body, status, code in [
                (hook.path, finished, 401, "webhook_unauthenticated"),  # no token
                (f"{hook.path}?token={'0' * 64}", finished, 401, "webhook_unauthenticated"),
                (f"{hook.path}?token={'%C3%A9' * 64}", finished, 401, "webhook_unauthenticated"),  # was a 500
                (f"{hook.path.replace('/did/', '/heygen/')}?token={token}", finished, 401, "webhook_unauthenticated"),
                (f"/api/avatar/webhooks/did/{uuid.uuid4()}?token={token}", finished, 401, "webhook_unauthenticated"),
                (f"{hook.path}?token={token}", {**finished, "id": "tlk_other"}, 422, "invalid_webhook"),
            ]:
                response = await client.post(url, json=body)
                assert_error(response, status, code)
            response = await client.post(f"{hook.path}?token={token}", json=finished)
            assert response.status_code == 204, response.text
            replayed = await client.post(f"{hook.path}?token={token}", json={**finished, "status": "error"})
            assert replayed.status_code == 204  # accepted, but the first report stands
            malformed = await client.post(
                f"{hook.path}?token={token}", content=b"{not json", headers={"content-type": "application/json"}
            )
            assert_error(malformed, 422, "validation_error")
        rendered = await asyncio.wait_for(render, timeout=60)
    finally:
        await db.dispose()
    # No poll before the webhook (polling is every 60 s here); the callback's own URL was never fetched.
    assert [r["path"] for r in replay.requests] == [
        "talks", "talks/tlk_hook0042", "auth0|64f0c0ffee/tlk_hook0042/1764394300000.mp4",
    ]  # fmt: skip
    assert rendered.provider == "did" and probe(rendered.files["video.mp4"]).video == "h264"

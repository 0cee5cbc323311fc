"""Consent to third-party AI, honoured where the data would leave: with it withdrawn (or never given), no request
reaches a third-party provider; only the offline models touch the person's answers.

The providers here are the real adapters (Deepgram speech-to-text, Anthropic coaching) pointed at local HTTP
servers standing in for the providers' endpoints, answering with recorded responses and counting every request.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from intervu_feedback.coaching.llm import AnthropicCoach
from intervu_kit.devstack.config import DevSettings
from intervu_kit.settings import REPO_ROOT
from intervu_kit.testing.plugin import SignedIn
from intervu_kit.testing.replay import Replay
from intervu_transcription.providers.cloud import DeepgramSTT

from .everywhere import Apps, apps, every_worker, leave_data_everywhere, rows_everywhere, spoken_recording, until

SignIn = Callable[..., Awaitable[SignedIn]]
EXCHANGES = REPO_ROOT / "services"


@pytest.fixture(scope="module")
def recording(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    return spoken_recording(tmp_path_factory.mktemp("answer"))


async def _consent(a: Apps, who: SignedIn, granted: bool) -> None:
    response = await a.accounts.put(
        "/api/accounts/consents/third_party_ai", json={"granted": granted}, headers=who.headers
    )
    assert response.status_code == 200 and response.json()["granted"] is granted


async def _copied(user_id: str, granted: bool) -> bool:
    """Both services that would call a third party hold the person's latest answer."""
    rows = await rows_everywhere(user_id)
    return all(
        [c["granted"] for c in rows[service]["consent_copies"] if c["purpose"] == "third_party_ai"] == [granted]
        for service in ("transcription", "feedback")
    )


def _providers(rows: dict[str, Any]) -> tuple[list[str], list[str]]:
    return (
        [t["provider"] for t in rows["transcription"]["transcripts"]],
        sorted(f["coaching_provider"] for f in rows["feedback"]["feedback"]),
    )


async def test_without_consent_no_request_reaches_a_third_party_provider(
    infra: DevSettings, sign_in: SignIn, recording: bytes
) -> None:
    deepgram = Replay(EXCHANGES / "transcription/tests/exchanges/deepgram_listen.json")
    anthropic = Replay(EXCHANGES / "feedback/tests/exchanges/anthropic_messages.json")
    never, granting = await sign_in(), await sign_in()
    with deepgram.serve() as deepgram_url, anthropic.serve() as anthropic_url:
        stt = DeepgramSTT("dg-test-key", base_url=deepgram_url)
        coach = AnthropicCoach("claude-sonnet-4-5", "sk-ant-test", base_url=anthropic_url)
        assert stt.third_party and coach.third_party
        async with every_worker(stt=stt, coach=coach), apps() as a:
            # Someone who never consented: a recorded and a typed answer, transcribed and coached here.
            await leave_data_everywhere(a, never, recording)
            assert deepgram.requests == [] and anthropic.requests == []
            assert _providers(await rows_everywhere(never.id)) == (["local-faster-whisper"], ["local", "local"])

            # Someone who consents: the same answers go to the providers (the stand-ins see them)...
            await _consent(a, granting, True)
            await until(lambda: _copied(granting.id, True), "the consent copied to transcription and feedback")
            await leave_data_everywhere(a, granting, recording)
            assert [r["path"] for r in deepgram.requests] == ["v1/listen"]
            assert deepgram.requests[0]["headers"]["authorization"] == "Token dg-test-key"
            assert [r["path"] for r in anthropic.requests] == ["v1/messages", "v1/messages"]
            assert _providers(await rows_everywhere(granting.id)) == (["deepgram"], ["anthropic", "anthropic"])

            # ...until they withdraw it: from then on nothing more leaves.
            await _consent(a, granting, False)
            await until(lambda: _copied(granting.id, False), "the withdrawal copied")
            before = (len(deepgram.requests), len(anthropic.requests))
            await leave_data_everywhere(a, granting, recording)
            assert (len(deepgram.requests), len(anthropic.requests)) == before
            transcripts, coaches = _providers(await rows_everywhere(granting.id))
            assert sorted(transcripts) == ["deepgram", "local-faster-whisper"] and coaches.count("local") == 2

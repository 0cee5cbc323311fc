"""LLM coaches: any OpenAI-compatible chat API (OpenAI, Ollama, vLLM, llama.cpp's server) and Anthropic.

Both ask for JSON matching the `Coaching` schema, validate what comes back themselves (small models return
JSON-shaped text that breaks the schema: a score of 0 against a minimum of 1, a missing field), and ask once more
with the validation error spelled out. A second failure raises CoachingError; the caller then uses the local coach.
"""

from __future__ import annotations

import json
from typing import Any

import httpx
from intervu_kit.providers import is_third_party
from pydantic import ValidationError

from intervu_feedback.coaching.base import Coaching, CoachingError

SYSTEM = (
    "You are an experienced, honest interview coach. You receive an interview question, the candidate's answer "
    "and measured scores with remarks. Write specific, kind, direct coaching grounded only in the answer and the "
    "measurements: no guesses about personality, emotions or confidence. Reply with JSON only, matching the schema: "
    "summary (2-3 sentences), strengths (1-3 items), improvements (1-3 items, each a point and a concrete "
    "suggestion), next_step (one practice task)."
)


def _strip_lengths(node: Any) -> Any:
    if isinstance(node, dict):
        return {k: _strip_lengths(v) for k, v in node.items() if k not in {"minLength", "maxLength"}}
    if isinstance(node, list):
        return [_strip_lengths(v) for v in node]
    return node


def _schema() -> dict[str, Any]:
    """The schema sent to the model: the shape without string lengths, which llama.cpp turns into a grammar so
    large it refuses it (and crashes). The lengths are still enforced: the answer is validated against `Coaching`."""
    return dict(_strip_lengths(Coaching.model_json_schema()))


def _parse(text: str) -> Coaching:
    text = text.strip()
    if text.startswith("```"):
        text = text.strip("`")
        text = text[text.find("{") :]
    try:
        # Small models put raw newlines inside strings; strict JSON forbids them, the meaning is unambiguous.
        data = json.loads(text, strict=False)
    except json.JSONDecodeError as exc:
        raise ValidationError.from_exception_data(
            "Coaching", [{"type": "json_invalid", "loc": (), "input": text[:200], "ctx": {"error": str(exc)}}]
        ) from exc
    return Coaching.model_validate(data)


class OpenAICompatibleCoach:
    name = "openai-compatible"
    third_party = True

    def __init__(
        self,
        base_url: str,
        model: str,
        api_key: str = "",
        *,
        timeout_s: float = 60.0,
        response_format: str = "json_schema",
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.model = model
        self.api_key = api_key
        self.timeout_s = timeout_s
        self.response_format = response_format
        self.transport = transport
        # A server on this machine (llama.cpp, Ollama) sends nothing to a third party.
        self.third_party = is_third_party(self.base_url)

    def _format(self) -> dict[str, Any]:
        if self.response_format == "json_object":  # llama.cpp's server: JSON mode constrained by a schema
            return {"type": "json_object", "schema": _schema()}
        return {"type": "json_schema", "json_schema": {"name": "coaching", "schema": _schema()}}

    async def write(self, brief: dict[str, Any]) -> Coaching:
        messages: list[dict[str, str]] = [
            {"role": "system", "content": SYSTEM},
            {"role": "user", "content": json.dumps(brief, ensure_ascii=False)},
        ]
        headers = {"Authorization": f"Bearer {self.api_key}"} if self.api_key else {}
        async with httpx.AsyncClient(timeout=self.timeout_s, transport=self.transport, headers=headers) as client:
            for attempt in range(2):
                try:
                    response = await client.post(
                        f"{self.base_url}/chat/completions",
                        json={
                            "model": self.model,
                            "messages": messages,
                            "temperature": 0.3,
                            "max_tokens": 700,
                            "response_format": self._format(),
                        },
                    )
                    response.raise_for_status()
                    content = response.json()["choices"][0]["message"]["content"] or ""
                except (httpx.HTTPError, KeyError, IndexError, ValueError) as exc:
                    raise CoachingError(f"{self.name}: {exc}") from exc
                try:
                    return _parse(content)
                except ValidationError as exc:
                    if attempt == 1:
                        raise CoachingError(f"{self.name}: invalid output twice: {exc.errors()[:3]}") from exc
                    messages += [
                        {"role": "assistant", "content": content},
                        {"role": "user", "content": f"That JSON does not match the schema: {exc}. Reply again "
                         f"with valid JSON only. Schema: {json.dumps(_schema())}"},
                    ]  # fmt: skip
        raise CoachingError(f"{self.name}: no answer")


class AnthropicCoach:
    """Anthropic's Messages API; the schema is given as a tool the model must call, so its input is the JSON."""

    name = "anthropic"
    third_party = True

    def __init__(
        self,
        model: str,
        api_key: str,
        *,
        base_url: str = "https://api.anthropic.com",
        timeout_s: float = 60.0,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.model = model
        self.api_key = api_key
        self.base_url = base_url.rstrip("/")
        self.timeout_s = timeout_s
        self.transport = transport

    async def write(self, brief: dict[str, Any]) -> Coaching:
        messages: list[dict[str, Any]] = [{"role": "user", "content": json.dumps(brief, ensure_ascii=False)}]
        headers = {"x-api-key": self.api_key, "anthropic-version": "2023-06-01"}
        tool = {"name": "coaching", "description": "Record the coaching for this answer.", "input_schema": _schema()}
        async with httpx.AsyncClient(timeout=self.timeout_s, transport=self.transport, headers=headers) as client:
            for attempt in range(2):
                try:
                    response = await client.post(
                        f"{self.base_url}/v1/messages",
                        json={
                            "model": self.model,
                            "max_tokens": 1024,
                            "system": SYSTEM,
                            "messages": messages,
                            "tools": [tool],
                            "tool_choice": {"type": "tool", "name": "coaching"},
                        },
                    )
                    response.raise_for_status()
                    blocks = response.json()["content"]
                    call = next(b for b in blocks if b.get("type") == "tool_use")
                except (httpx.HTTPError, KeyError, StopIteration, ValueError) as exc:
                    raise CoachingError(f"{self.name}: {exc}") from exc
                try:
                    return Coaching.model_validate(call["input"])
                except ValidationError as exc:
                    if attempt == 1:
                        raise CoachingError(f"{self.name}: invalid output twice: {exc.errors()[:3]}") from exc
                    messages += [
                        {"role": "assistant", "content": blocks},
                        {
                            "role": "user",
                            "content": [
                                {
                                    "type": "tool_result",
                                    "tool_use_id": call.get("id", ""),
                                    "is_error": True,
                                    "content": f"Invalid: {exc}. Call the tool again with valid input.",
                                }
                            ],
                        },
                    ]
        raise CoachingError(f"{self.name}: no answer")

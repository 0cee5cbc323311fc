"""The coaching port: a short narrative written from a report's metrics, by a provider chosen in settings."""

from __future__ import annotations

from typing import Any, Protocol

from pydantic import BaseModel, Field


class Improvement(BaseModel):
    point: str = Field(min_length=3, max_length=400)
    suggestion: str = Field(min_length=3, max_length=400)


class Coaching(BaseModel):
    """What every provider must return; LLM output is validated against this schema and retried once."""

    summary: str = Field(min_length=10, max_length=1200)
    strengths: list[str] = Field(min_length=1, max_length=4)
    improvements: list[Improvement] = Field(min_length=1, max_length=4)
    next_step: str = Field(min_length=5, max_length=400)


class CoachingError(Exception):
    """The provider failed or kept returning invalid output; the caller falls back to the local coach."""


class Coach(Protocol):
    name: str
    third_party: bool  # sends the answer to someone else's servers (consent matters)

    async def write(self, brief: dict[str, Any]) -> Coaching: ...


def brief_of(report_json: dict[str, Any], question: str) -> dict[str, Any]:
    """The part of a report a coach sees: question, answer text, scores and remarks (no audio, no video)."""
    return {
        "question": question,
        "answer": " ".join(w["text"] for w in report_json["words"])[:6000],
        "overall": report_json["overall"],
        "scores": [{"name": s["name"], "value": s["value"], "why": s["explanation"]} for s in report_json["scores"]],
        "remarks": [{"tone": r["tone"], "message": r["message"]} for r in report_json["remarks"]],
    }

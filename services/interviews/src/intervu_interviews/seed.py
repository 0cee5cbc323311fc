"""Data the service ships with, loaded after migrations by `make run` and the tests (idempotent)."""

from __future__ import annotations

from intervu_kit.settings import KitSettings

from intervu_interviews.questions.load import load


async def seed(settings: KitSettings) -> str:
    stats = await load(settings)  # type: ignore[arg-type]
    return "question bank: " + ", ".join(f"{v} {k}" for k, v in stats.items())

"""Choosing the coach (and building the analyser around it) from settings."""

from __future__ import annotations

from intervu_kit.storage import storage_from_settings
from intervu_nlp import default_encoder

from intervu_feedback.answers.service import Analyser
from intervu_feedback.coaching.base import Coach
from intervu_feedback.coaching.llm import AnthropicCoach, OpenAICompatibleCoach
from intervu_feedback.coaching.local import LocalCoach
from intervu_feedback.config import Settings


def coach_from_settings(settings: Settings) -> Coach:
    key = settings.coach_api_key.get_secret_value()
    if settings.coach_provider == "openai":
        return OpenAICompatibleCoach(
            settings.coach_base_url,
            settings.coach_model,
            key,
            timeout_s=settings.coach_timeout_s,
            response_format=settings.coach_response_format,
        )
    if settings.coach_provider == "anthropic":
        return AnthropicCoach(settings.coach_model, key, timeout_s=settings.coach_timeout_s)
    return LocalCoach()


def analyser_from_settings(settings: Settings) -> Analyser:
    return Analyser(storage_from_settings(settings), default_encoder(), coach_from_settings(settings))

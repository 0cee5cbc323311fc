"""Two attempts compared: a recorded answer's score change is only "better" or "worse" past the noise measured by
recording the same answer again (noise.py); two typed answers keep the plain minimum."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from intervu_feedback.answers.service import compare
from intervu_feedback.models import Feedback
from intervu_feedback.noise import MIN_THRESHOLD, false_change_rate, stored_thresholds, thresholds

QUESTION = uuid.uuid4()


def _feedback(source: str, attempt: int, **values: int) -> Feedback:
    report: dict[str, Any] = {
        "source": source,
        "scores": [{"name": n, "label": n.title(), "value": v} for n, v in values.items()],
    }
    return Feedback(answer_id=uuid.uuid4(), question_id=QUESTION, attempt=attempt, overall_score=60.0, report=report,
                    source=source)  # fmt: skip


def test_the_measured_noise_is_in_the_repository_for_every_spoken_score() -> None:
    noise = stored_thresholds()
    for name in ("overall", "relevance", "structure", "pace", "fillers"):
        assert noise.get(name, 0) >= MIN_THRESHOLD, (name, noise)


@pytest.mark.parametrize(
    ("source", "delta", "verdict"),
    [
        ("recording", 0, "same"),
        ("recording", "noise", "same"),  # exactly as far as a re-recording moves it: not progress
        ("recording", "noise+1", "improved"),
        ("recording", "-noise-1", "worse"),
        ("text", MIN_THRESHOLD, "same"),
        ("text", MIN_THRESHOLD + 1, "improved"),
    ],
)
def test_a_change_counts_only_past_the_noise_of_its_score(source: str, delta: int | str, verdict: str) -> None:
    noise = stored_thresholds().get("structure", MIN_THRESHOLD) if source == "recording" else MIN_THRESHOLD
    change = {"noise": noise, "noise+1": noise + 1, "-noise-1": -noise - 1}.get(delta, delta)  # type: ignore[arg-type]
    assert isinstance(change, int)
    before, after = _feedback(source, 1, structure=40), _feedback(source, 2, structure=40 + change)
    result = compare(before, after)
    [row] = result["scores"]
    assert (row["verdict"], row["noise"]) == (verdict, noise)
    assert ("Better: Structure." in result["summary"]) == (verdict == "improved")
    assert ("About the same" in result["summary"]) == (verdict == "same")


def test_thresholds_come_from_the_tune_half_only() -> None:
    # Ten re-recordings on tune: nine within 8, one that lost a sentence (90). The held-out 40 chooses nothing.
    changes = {
        "pace": {"tune": [0, 1, 2, 3, 4, 5, 6, 7, 8, 90], "heldout": [40]},
        "fillers": {"tune": [1], "heldout": [60]},
    }
    assert thresholds(changes) == {"fillers": MIN_THRESHOLD, "pace": 8}
    assert false_change_rate([40, 1], 9) == 0.5

"""The vocabulary of a report: words, evidence spans, remarks and scores.

Every score and every remark carries evidence: the words (by index into the transcript) and the time range that
caused it, so the app can highlight them and seek the recording there. Typed answers have word indexes but no times.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass(frozen=True)
class Word:
    text: str
    start: float | None = None
    end: float | None = None


@dataclass(frozen=True)
class Evidence:
    first: int  # index of the first word
    last: int  # index of the last word (inclusive)
    text: str
    start_s: float | None = None
    end_s: float | None = None

    @classmethod
    def of(cls, words: Sequence[Word], first: int, last: int) -> Evidence:
        last = max(first, min(last, len(words) - 1))
        return cls(
            first=first,
            last=last,
            text=" ".join(w.text for w in words[first : last + 1]),
            start_s=words[first].start,
            end_s=words[last].end,
        )

    @classmethod
    def at(cls, start_s: float, end_s: float, text: str, first: int = -1, last: int = -1) -> Evidence:
        """A moment with no words of its own (a pause, a stretch of video)."""
        return cls(first=first, last=last, text=text, start_s=round(start_s, 2), end_s=round(end_s, 2))


@dataclass
class Remark:
    code: str  # stable, e.g. "filler_cluster", "long_pause"
    message: str
    tone: str  # "strength" or "improve"
    evidence: list[Evidence] = field(default_factory=list)


@dataclass
class Score:
    name: str  # stable, e.g. "pace"
    label: str
    value: int  # 0..100
    weight: float
    explanation: str
    evidence: list[Evidence] = field(default_factory=list)


def to_json(value: Any) -> Any:
    if isinstance(value, list):
        return [to_json(v) for v in value]
    if hasattr(value, "__dataclass_fields__"):
        return asdict(value)
    return value


def unique(evidence: Sequence[Evidence]) -> list[Evidence]:
    """Each quote once, in order (two parts of an analysis may point at the same words)."""
    return list(dict.fromkeys(evidence))


def clamp_score(x: float) -> int:
    return round(max(0.0, min(100.0, x)))


def linear(x: float, zero: float, full: float) -> float:
    """0 at ``zero``, 100 at ``full`` (either direction), clamped."""
    if full == zero:
        return 100.0
    return max(0.0, min(100.0, (x - zero) / (full - zero) * 100))

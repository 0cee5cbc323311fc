"""Choosing questions for a job description: exact terms plus sentence-embedding similarity.

Embeddings find questions about the same thing in other words ("stakeholder alignment" ~ "getting buy-in");
terms keep the jargon a description insists on (Kubernetes, IFRS, triage). A long description is split into
chunks (the encoder reads 256 tokens) and a question scores against its best-matching chunk.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from intervu_nlp import default_encoder, keywords

from intervu_interviews.models import Question

EMBEDDING_WEIGHT = 0.75
TERM_WEIGHT = 0.25
_SENTENCE = re.compile(r"(?<=[.!?;:])\s+|\n+|\s*[\u2022\u25cf*-]\s+")


@dataclass(frozen=True)
class Ranked:
    question: Question
    score: float
    matched_terms: list[str]


def _chunks(text: str, max_words: int = 120) -> list[str]:
    sentences = [s.strip() for s in _SENTENCE.split(text) if s and s.strip()]
    chunks: list[str] = []
    current: list[str] = []
    for sentence in sentences:
        if current and sum(len(s.split()) for s in current) + len(sentence.split()) > max_words:
            chunks.append(" ".join(current))
            current = []
        current.append(sentence)
    if current:
        chunks.append(" ".join(current))
    return chunks or [text]


def rank_for_job_description(job_description: str, questions: Sequence[Question]) -> list[Ranked]:
    candidates = [q for q in questions if q.embedding is not None]
    if not candidates:
        return []
    chunk_vectors = default_encoder().encode(_chunks(job_description))
    matrix = np.array([q.embedding for q in candidates], dtype=np.float32)
    similarity = (matrix @ chunk_vectors.T).max(axis=1)  # unit vectors: dot product is the cosine
    jd_terms = keywords(job_description)
    ranked: list[Ranked] = []
    for question, sim in zip(candidates, similarity, strict=True):
        q_terms = keywords(f"{question.text} {' '.join(question.key_points)} {' '.join(question.competencies)}")
        matched = sorted((t for t in q_terms if t in jd_terms), key=lambda t: -jd_terms[t])
        # Saturating: the first few shared terms say a lot, the tenth little.
        term_score = 1.0 - math.exp(-len(matched) / 3.0)
        ranked.append(Ranked(question, EMBEDDING_WEIGHT * float(sim) + TERM_WEIGHT * term_score, matched[:8]))
    ranked.sort(key=lambda r: (-r.score, r.question.key))
    return ranked


def infer_role(ranked: Sequence[Ranked], top: int = 5) -> str | None:
    """The role a description is about: the role whose best few questions match it best on average."""
    by_role: dict[str, list[float]] = {}
    for item in ranked:  # already sorted best first
        scores = by_role.setdefault(item.question.role, [])
        if len(scores) < top:
            scores.append(item.score)
    candidates = {role: sum(s) / len(s) for role, s in by_role.items() if role != "general" and s}
    return max(candidates, key=lambda role: candidates[role]) if candidates else None


def prefer_role(ranked: Sequence[Ranked], role: str) -> list[Ranked]:
    """The role's own questions (and the general ones) first, the rest after, each group in score order."""
    own = [r for r in ranked if r.question.role in (role, "general")]
    return own + [r for r in ranked if r.question.role not in (role, "general")]


def pick_diverse(ranked: Sequence[Ranked], count: int) -> list[Ranked]:
    """The best questions, with no question type taking more than ~40% of the session."""
    cap = max(1, math.ceil(count * 0.4))
    per_type: dict[str, int] = {}
    chosen: list[Ranked] = []
    for item in ranked:
        if per_type.get(item.question.type, 0) >= cap:
            continue
        chosen.append(item)
        per_type[item.question.type] = per_type.get(item.question.type, 0) + 1
        if len(chosen) == count:
            return chosen
    for item in ranked:  # not enough variety available: fill with the best of the rest
        if len(chosen) == count:
            break
        if item not in chosen:
            chosen.append(item)
    return chosen

"""The labelled job postings the question choice is measured on (`make bench`, tests).

``services/interviews/labelled/postings.json``: postings written for the purpose (titles that are not the role's
name, boilerplate, confusable roles), each with its best role, the other roles a reasonable person would accept and
the skills it asks for. Split into a ``tune`` half (role titles and weights were chosen looking at it) and a
``heldout`` half nothing was chosen on.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from intervu_nlp import default_encoder

from intervu_interviews.models import Question
from intervu_interviews.questions.service import bank_questions, embedding_text
from intervu_interviews.ranking import (
    infer_role,
    inferred_skills,
    pick_diverse,
    prefer_role,
    rank_for_job_description,
)

LABELLED = Path(__file__).resolve().parents[2] / "labelled"
QUESTIONS_PER_SESSION = 5


@cache
def postings() -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = json.loads((LABELLED / "postings.json").read_text())
    return items


def split(part: str) -> list[dict[str, Any]]:
    return [p for p in postings() if p["split"] == part]


@cache
def bank() -> list[Question]:
    """The shipped bank as unsaved rows with their embeddings, as the service ranks them."""
    shipped = bank_questions()
    vectors = default_encoder().encode([embedding_text(q) for q in shipped])
    return [
        Question(
            key=q.key,
            role=q.role,
            type=q.type.value,
            difficulty=q.difficulty.value,
            text=q.text,
            competencies=q.competencies,
            key_points=q.key_points,
            suggested_seconds=q.suggested_seconds,
            embedding=[float(x) for x in vector],
        )
        for q, vector in zip(shipped, vectors, strict=True)
    ]


@dataclass
class PostingFigures:
    postings: int
    role_right: float  # the inferred role is the labelled one or one the labeller accepts
    questions_on_role: float  # chosen questions from the right role (or the general ones every role gets)
    skills_named: float  # labelled skills that share a word with the skills the product names
    misses: list[str]

    def line(self) -> str:
        return (
            f"{self.postings} postings: role right {self.role_right:.0%} (target >= 90%), questions of that role or "
            f"general {self.questions_on_role:.0%}, skills named {self.skills_named:.0%}"
        )


def posting_figures(items: Sequence[dict[str, Any]]) -> PostingFigures:
    questions = bank()
    right = 0
    on_role: list[float] = []
    named: list[float] = []
    misses: list[str] = []
    for posting in items:
        accepted = {posting["role"], *posting["also_ok"]}
        ranked = rank_for_job_description(posting["text"], questions)
        inference = infer_role(ranked, posting["text"])
        role = inference.role if inference else None
        if role in accepted:
            right += 1
        else:
            misses.append(f"{posting['id']} {posting['title']!r} read as {role}")
        chosen = pick_diverse(prefer_role(ranked, role) if role else ranked, QUESTIONS_PER_SESSION)
        on_role.append(sum(c.question.role in accepted | {"general"} for c in chosen) / len(chosen))
        skills = [s.lower() for s in inferred_skills(ranked, posting["text"], role)]
        named.append(sum(any(s in g.lower() for s in skills) for g in posting["skills"]) / len(posting["skills"]))
    n = max(1, len(items))
    return PostingFigures(len(items), right / n, sum(on_role) / n, sum(named) / n, misses)

"""Content: relevance to the question, key points covered, STAR structure, quantified results, length.

Meaning is compared with the offline sentence-embedding model (all-MiniLM-L6-v2, intervu_nlp); thresholds were set
on answers written for the purpose and are listed with their reasoning in docs/RUBRIC.md.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from intervu_contracts import FOLLOW_UP_QUESTION_TYPE
from intervu_nlp import SentenceEncoder, keywords, term_overlap
from intervu_nlp.fillers import core

from intervu_feedback.analysis import star as star_analysis
from intervu_feedback.analysis.evidence import Evidence, Remark, Word, linear

COVERED_COSINE = 0.40  # a sentence this close in meaning to a key point covers it (chosen on the tune half)
COVERED_TERMS = 0.5  # ... or one that shares half its key terms
STAR_TYPES = frozenset({"behavioral", "situational"})
# Relevance: a mix of similarity to the question and to its key points, mapped to 0-100 between these two values and
# cut into bands. Chosen on the tune half of services/feedback/labelled/relevance.json; docs/RUBRIC.md has the curve.
RELEVANCE_MIX = (0.2, 0.5, 0.3)  # the question, its key points in meaning, its key points' words
RELEVANCE_ZERO = 0.12
RELEVANCE_FULL = 0.42
OFF_TOPIC_BELOW = 0.2
# Clearly about something else: no structure credit, and the interviewer brings the person back to the question.
# Far below the band above, because telling someone who did answer that they did not costs more trust than letting
# a drifting answer go (the follow-up set's tune half: real off-topic answers 0.03, on-topic stories down to 0.15).
CLEARLY_OFF_TOPIC_BELOW = 0.10
PARTIAL_BELOW = 0.28

_NUMBER_WORDS = frozenset(
    {
        "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve",
        "fifteen", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety", "hundred",
        "thousand", "million", "billion", "half", "third", "quarter", "double", "twice", "triple", "percent",
    }
)  # fmt: skip
_UNITS = frozenset(
    {
        "percent", "%", "hours", "days", "weeks", "months", "years", "minutes", "seconds", "customers", "users",
        "people", "engineers", "tickets", "dollars", "euros", "pounds", "revenue", "times", "faster", "slower",
    }
)  # fmt: skip
_QUANT = re.compile(r"^[$\u20ac\u00a3]?\d[\d,.]*(%|k|m|x)?$")


@dataclass
class Sentence:
    first: int
    last: int
    text: str


@dataclass
class KeyPoint:
    point: str
    covered: bool
    similarity: float
    evidence: Evidence | None = None


@dataclass
class Content:
    relevance: float
    key_points: list[KeyPoint] = field(default_factory=list)
    star: dict[str, Evidence | None] | None = None
    story: bool | None = None  # behavioural questions: did the answer tell a story at all?
    star_ambiguous: list[str] = field(default_factory=list)  # parts whose quote may hold a missing part
    relevance_band: str = "on_topic"  # on_topic, partial or off_topic (see relevance_band)
    # False for an answer to a follow-up: its question is one short sentence ("What happened in the end?"), so
    # similarity to it says nothing about the answer; it is part of its main question's thread.
    relevance_judged: bool = True
    quantified: list[Evidence] = field(default_factory=list)
    length_ratio: float | None = None  # answer length / suggested length
    remarks: list[Remark] = field(default_factory=list)


def sentences(words: Sequence[Word]) -> list[Sentence]:
    out: list[Sentence] = []
    start = 0
    for i, w in enumerate(words):
        if w.text.rstrip().endswith((".", "?", "!")) or i == len(words) - 1:
            out.append(Sentence(start, i, " ".join(x.text for x in words[start : i + 1])))
            start = i + 1
    # Long run-on sentences (speech often has no full stops) are cut into ~25-word pieces for matching.
    pieces: list[Sentence] = []
    for s in out:
        for a in range(s.first, s.last + 1, 25):
            b = min(s.last, a + 24)
            pieces.append(Sentence(a, b, " ".join(x.text for x in words[a : b + 1])))
    return pieces


def _quantified(words: Sequence[Word], within: Sequence[tuple[int, int]]) -> list[Evidence]:
    """Numbers with a unit nearby, inside the given word ranges (the result): "five years of" is no result."""
    found = []
    cores = [core(w.text) for w in words]
    end_of = {i: b for a, b in within for i in range(a, b + 1)}
    for i, w in enumerate(words):
        if i not in end_of:
            continue
        token = w.text.strip(".,;:!?").lower()
        is_number = bool(_QUANT.match(token)) or (cores[i] in _NUMBER_WORDS and cores[i] not in {"one"})
        if not is_number:
            continue
        window = cores[i + 1 : i + 4]
        if token.endswith("%") or any(u in window for u in _UNITS) or "%" in token:
            found.append(Evidence.of(words, i, min(end_of[i], i + 2)))  # the quote stays inside the result
    merged: list[Evidence] = []
    for e in found:
        if merged and e.first <= merged[-1].last:
            continue
        merged.append(e)
    return merged


def analyse(
    encoder: SentenceEncoder,
    question: str,
    question_type: str,
    key_points: Sequence[str],
    words: Sequence[Word],
    suggested_seconds: int,
    answer_seconds: float | None,
) -> Content:
    text = " ".join(w.text for w in words)
    parts = sentences(words)
    texts = [question, text, *key_points, *(s.text for s in parts)]
    vectors = encoder.encode(texts)
    q, answer = vectors[0], vectors[1]
    kp = vectors[2 : 2 + len(key_points)]
    sv = vectors[2 + len(key_points) : 2 + len(key_points) + len(parts)]
    # A long answer's detail dilutes the whole; its three most on-topic sentences show it answers the question.
    top = np.sort(sv @ q)[::-1][:3] if len(parts) else np.zeros(1)
    on_question = max(float(q @ answer), float(top.mean()))
    # What a good answer covers, met anywhere in the answer (in meaning, and in the key points' own words): a vague
    # answer restates the question's topic (often closer to the question than a real answer) but not its substance.
    if len(parts) and len(key_points):
        on_points = float(np.mean((sv @ kp.T).max(axis=0)))
        answer_terms = keywords(text)
        point_terms = float(np.mean([term_overlap(answer_terms, keywords(p)) for p in key_points]))
        mixed = RELEVANCE_MIX[0] * on_question + RELEVANCE_MIX[1] * on_points + RELEVANCE_MIX[2] * point_terms
    else:
        mixed = on_question
    content = Content(relevance=round(mixed, 3))
    if question_type == FOLLOW_UP_QUESTION_TYPE:
        content.relevance_judged = False
    else:
        content.relevance_band = relevance_band(content.relevance)
    for k, point in enumerate(key_points):
        sims = sv @ kp[k] if len(parts) else np.zeros(0)
        best = int(np.argmax(sims)) if len(sims) else -1
        similarity = float(sims[best]) if best >= 0 else 0.0
        terms = [term_overlap(keywords(s.text), keywords(point)) for s in parts]
        best_terms = int(np.argmax(terms)) if terms else -1
        covered = similarity >= COVERED_COSINE or (best_terms >= 0 and terms[best_terms] >= COVERED_TERMS)
        pick = best if similarity >= COVERED_COSINE or best_terms < 0 else best_terms
        content.key_points.append(
            KeyPoint(
                point,
                covered,
                round(similarity, 3),
                Evidence.of(words, parts[pick].first, parts[pick].last) if covered and pick >= 0 else None,
            )
        )
    if question_type in STAR_TYPES:
        located = star_analysis.locate(encoder, words, story_required=question_type == "behavioral")
        content.star, content.story, content.star_ambiguous = located.parts, located.story, sorted(located.ambiguous)
        # Only a number inside the result backs the result ("a team of five" in the situation does not).
        content.quantified = _quantified(words, located.spans("result"))
        if content.relevance_judged and content.relevance < CLEARLY_OFF_TOPIC_BELOW:
            # A story about something else earns no structure: "situation, action and result found" beside "this is
            # about something else" told a person both that they answered and that they did not.
            content.star = dict.fromkeys(content.star)
            content.story, content.star_ambiguous, content.quantified = False, [], []
    if answer_seconds is None:
        answer_seconds = len(words) / 150 * 60  # a typed answer, read aloud at a usual pace
    content.length_ratio = round(answer_seconds / suggested_seconds, 2) if suggested_seconds else None
    _remarks(content)
    return content


def relevance_band(relevance: float) -> str:
    if relevance < OFF_TOPIC_BELOW:
        return "off_topic"
    return "partial" if relevance < PARTIAL_BELOW else "on_topic"


def relevance_score(relevance: float) -> float:
    return linear(relevance, RELEVANCE_ZERO, RELEVANCE_FULL)


def _remarks(c: Content) -> None:
    missing = [k.point for k in c.key_points if not k.covered]
    covered = [k for k in c.key_points if k.covered]
    # A strength only when most are there: "You covered 1 of 6 key points" is not something to keep doing.
    if covered and len(covered) * 2 >= len(c.key_points):
        c.remarks.append(
            Remark(
                "key_points_covered",
                f"You covered {len(covered)} of {len(c.key_points)} key points.",
                "strength",
                [k.evidence for k in covered if k.evidence],
            )
        )
    if missing:
        c.remarks.append(Remark("key_points_missing", "Not covered: " + "; ".join(missing) + ".", "improve"))
    if c.relevance_band == "off_topic":
        c.remarks.append(
            Remark(
                "off_topic",
                "This answer seems to be about something else than the question: answer what was asked, then add "
                "what you want them to know.",
                "improve",
            )
        )
    # No remark for the "partial" band: it agrees with a careful reader only about a third of the time (tune half);
    # the relevance score and the key points not covered say it with less certainty.
    if c.star is not None and c.story is False and not (c.relevance_judged and c.relevance < CLEARLY_OFF_TOPIC_BELOW):
        c.remarks.append(
            Remark(
                "no_story",
                "This question asks for a real example: tell one specific time (where you were, what you had to "
                "do, what you did and how it ended) rather than general qualities or what you would do.",
                "improve",
            )
        )
    elif c.star is not None:
        found = [name for name, e in c.star.items() if e is not None]
        absent = [name for name, e in c.star.items() if e is None]
        if absent:
            # The message names what was found too, so its quotes read as what they are.
            c.remarks.append(
                Remark(
                    "star_incomplete",
                    "Your story has its " + _and(found) + " but no " + _and(absent) + ": a STAR answer has "
                    "situation, task, action and result.",
                    "improve",
                    [e for name, e in c.star.items() if e and name not in c.star_ambiguous],
                )
            )
        else:
            c.remarks.append(
                Remark("star_complete", "A complete STAR story.", "strength", [e for e in c.star.values() if e])
            )
        if c.quantified:
            c.remarks.append(Remark("quantified", "You backed your result with numbers.", "strength", c.quantified))
        elif c.star.get("result") is not None:
            c.remarks.append(
                Remark(
                    "not_quantified",
                    "Put a number on the result (time saved, % improved, people affected).",
                    "improve",
                    [e for e in [c.star["result"]] if e],
                )
            )
    if c.length_ratio is not None and c.length_ratio < 0.4:
        c.remarks.append(
            Remark("too_short", "The answer is short for this question; add a concrete example.", "improve")
        )
    elif c.length_ratio is not None and c.length_ratio > 1.5:
        c.remarks.append(Remark("too_long", "Long for this question; lead with the point, cut detail.", "improve"))


def _and(names: Sequence[str]) -> str:
    return ", ".join(names[:-1]) + " and " + names[-1] if len(names) > 1 else (names[0] if names else "nothing")

"""Content: relevance to the question, key points covered, STAR structure, quantified results, length.

Meaning is compared with the offline sentence-embedding model (all-MiniLM-L6-v2, intervu_nlp); thresholds were set
on answers written for the purpose and are listed with their reasoning in docs/RUBRIC.md.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from intervu_nlp import SentenceEncoder, keywords, term_overlap
from intervu_nlp.fillers import core

from intervu_feedback.analysis.evidence import Evidence, Remark, Word

COVERED_COSINE = 0.35  # a sentence this close in meaning to a key point covers it (generic ones reach ~0.2)
COVERED_TERMS = 0.5  # ... or one that shares half its key terms
STAR_COSINE = 0.35

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

# Cue phrases per STAR part; the embedding prototypes below catch what the cues miss.
STAR_CUES: dict[str, tuple[str, ...]] = {
    "situation": ("in my last", "in my previous", "at my last", "when i was", "we had", "there was", "our team",
                  "the situation", "a few years ago", "last year", "one time", "at the time", "disagreed"),
    "task": ("my task", "i was responsible", "i needed to", "i had to", "the goal", "my job was", "i was asked",
             "we needed to", "the task", "my role was", "the challenge"),
    "action": ("i decided", "i introduced", "i built", "i led", "i proposed", "i organised", "i organized",
               "i wrote", "i set up", "i started", "i created", "i analysed", "i analyzed", "i listened",
               "i split", "i asked", "i talked", "i met", "i designed", "i measured", "we built", "i added",
               "i refunded", "i found", "i rewrote", "i raised"),
    "result": ("as a result", "in the end", "the result", "which led to", "we reduced", "we cut", "we increased",
               "we saved", "dropped", "improved", "we launched", "we delivered", "i learned", "since then",
               "that led to", "the outcome", "became", "went from", "fell from", "rose", "grew"),
}  # fmt: skip
# Beyond fixed phrases: an action is something "I" or "we" did ("I sorted", "we built"), a situation often opens
# with when it happened ("When I joined...").
STAR_PATTERNS: dict[str, re.Pattern[str]] = {
    "situation": re.compile(r" when (i|we) (joined|started|arrived|moved|took over|began)\b"),
    "action": re.compile(
        r" (i|we) (?!needed|wanted|was|were|had|liked|loved|hoped|used to)"
        r"(\w+ed|led|built|wrote|set up|made|took|ran|gave|found|sent|spoke|told|chose|kept|put|did|brought|met|"
        r"asked|drew|began|showed|sat down|called)\b"
    ),
}
STAR_PROTOTYPES = {
    "situation": "The context was a project at my previous company where we faced a problem.",
    "task": "My responsibility and goal was to fix this problem by a deadline.",
    "action": "I took these specific steps myself to solve it.",
    "result": "As a result the outcome improved measurably and we learned from it.",
}


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


def _quantified(words: Sequence[Word]) -> list[Evidence]:
    found = []
    cores = [core(w.text) for w in words]
    for i, w in enumerate(words):
        token = w.text.strip(".,;:!?").lower()
        is_number = bool(_QUANT.match(token)) or (cores[i] in _NUMBER_WORDS and cores[i] not in {"one"})
        if not is_number:
            continue
        window = cores[i + 1 : i + 4]
        if token.endswith("%") or any(u in window for u in _UNITS) or "%" in token:
            found.append(Evidence.of(words, i, min(len(words) - 1, i + 2)))
    merged: list[Evidence] = []
    for e in found:
        if merged and e.first <= merged[-1].last:
            continue
        merged.append(e)
    return merged


def _star(
    words: Sequence[Word], parts: list[Sentence], vectors: np.ndarray, protos: np.ndarray
) -> dict[str, Evidence | None]:
    found: dict[str, Evidence | None] = dict.fromkeys(STAR_CUES)
    lowered = [" " + s.text.lower() + " " for s in parts]
    taken: set[int] = set()
    for name, cues in STAR_CUES.items():
        # One sentence, one part: "In my last role I led a team" is the situation, not yet the action.
        pattern = STAR_PATTERNS.get(name)
        matches = [
            k
            for k, text in enumerate(lowered)
            if any(f" {c}" in text for c in cues) or (pattern is not None and pattern.search(text))
        ]
        pick = next((k for k in matches if k not in taken), matches[0] if matches else None)
        if pick is not None:
            taken.add(pick)
            found[name] = Evidence.of(words, parts[pick].first, parts[pick].last)
    for k, name in enumerate(STAR_CUES):
        if found[name] is None and len(parts):
            sims = vectors @ protos[k]
            best = int(np.argmax(sims))
            if sims[best] >= STAR_COSINE:
                found[name] = Evidence.of(words, parts[best].first, parts[best].last)
    return found


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
    texts = [question, text, *key_points, *(s.text for s in parts), *STAR_PROTOTYPES.values()]
    vectors = encoder.encode(texts)
    q, answer = vectors[0], vectors[1]
    kp = vectors[2 : 2 + len(key_points)]
    sv = vectors[2 + len(key_points) : 2 + len(key_points) + len(parts)]
    protos = vectors[2 + len(key_points) + len(parts) :]
    # A long answer's detail dilutes the whole; its three most on-topic sentences show it answers the question.
    top = np.sort(sv @ q)[::-1][:3] if len(parts) else np.zeros(1)
    content = Content(relevance=round(max(float(q @ answer), float(top.mean())), 3))
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
    if question_type == "behavioral" or question_type == "situational":
        content.star = _star(words, parts, sv, protos)
    content.quantified = _quantified(words)
    if answer_seconds is None:
        answer_seconds = len(words) / 150 * 60  # a typed answer, read aloud at a usual pace
    content.length_ratio = round(answer_seconds / suggested_seconds, 2) if suggested_seconds else None
    _remarks(content)
    return content


def _remarks(c: Content) -> None:
    missing = [k.point for k in c.key_points if not k.covered]
    covered = [k for k in c.key_points if k.covered]
    if covered:
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
    if c.star is not None:
        absent = [name for name, e in c.star.items() if e is None]
        if absent:
            c.remarks.append(
                Remark(
                    "star_incomplete",
                    "Your story lacks its " + " and ".join(absent) + ": a STAR answer has situation, task, "
                    "action and result.",
                    "improve",
                    [e for e in c.star.values() if e],
                )
            )
        else:
            c.remarks.append(
                Remark("star_complete", "A complete STAR story.", "strength", [e for e in c.star.values() if e])
            )
    if c.quantified:
        c.remarks.append(Remark("quantified", "You backed your result with numbers.", "strength", c.quantified))
    elif c.star is not None:
        c.remarks.append(
            Remark("not_quantified", "Put a number on the result (time saved, % improved, people affected).", "improve")
        )
    if c.length_ratio is not None and c.length_ratio < 0.4:
        c.remarks.append(
            Remark("too_short", "The answer is short for this question; add a concrete example.", "improve")
        )
    elif c.length_ratio is not None and c.length_ratio > 1.5:
        c.remarks.append(Remark("too_long", "Long for this question; lead with the point, cut detail.", "improve"))

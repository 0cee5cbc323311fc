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

# The questions nearly every interview asks, whatever the job: they join every role's pool, and the first of them
# opens a session (an interview starts with "Tell me about yourself" far more often than not).
OPENER_KEY = "general/motivational/tell-me-about-yourself"
CLASSIC_KEYS = (
    OPENER_KEY,
    "general/motivational/why-work-for-us",
    "general/motivational/why-this-job-now",
    "general/motivational/greatest-strengths",
    "general/motivational/greatest-weakness",
    "general/motivational/five-year-career-goals",
    "general/motivational/why-should-we-hire-you",
    "general/motivational/questions-for-us",
)
OPENER_MIN_QUESTIONS = 3  # a one- or two-question drill is for the questions asked for, not for an opener

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


# How postings name each role. A title says more than any sentence of the body: a "Backend Engineer" posting that
# mentions Docker and CI is still a software engineering job. Matched as whole words, lowercase.
ROLE_TITLES: dict[str, tuple[str, ...]] = {
    "software-engineer": ("software engineer", "software developer", "developer", "backend", "back-end", "frontend",
                          "front-end", "full-stack", "full stack", "programmer", "mobile engineer"),
    "devops-engineer": ("devops", "site reliability", "sre", "platform engineer", "infrastructure engineer",
                        "cloud engineer", "release engineer"),
    "data-scientist": ("data scientist", "machine learning", "ml engineer", "applied scientist"),
    "data-analyst": ("data analyst", "insights analyst", "reporting analyst", "bi analyst", "product analyst",
                     "analytics analyst", "business intelligence"),
    "business-analyst": ("business analyst", "requirements analyst", "systems analyst", "process analyst"),
    "financial-analyst": ("financial analyst", "fp&a", "finance analyst", "commercial analyst", "investment analyst"),
    "accountant": ("accountant", "accounts payable", "accounts receivable", "bookkeeper", "financial accountant",
                   "management accountant"),
    "administrative-assistant": ("administrative assistant", "admin assistant", "office coordinator", "receptionist",
                                 "secretary", "office administrator", "executive assistant", "personal assistant"),
    "product-manager": ("product manager", "product owner", "product lead"),
    "project-manager": ("project manager", "delivery manager", "programme manager", "program manager",
                        "project coordinator", "scrum master"),
    "ux-designer": ("ux", "product designer", "ui designer", "interaction designer", "user researcher"),
    "sales": ("sales", "account executive", "business development", "bdr", "sdr", "account manager"),
    "customer-support": ("customer support", "customer success", "customer service", "support specialist",
                         "help desk", "helpdesk", "contact centre", "call centre"),
    "marketing": ("marketing", "brand manager", "content marketing", "content strategist", "content writer", "seo",
                  "social media", "growth marketer"),
    "nurse": ("nurse", "nursing", "rn", "midwife"),
    "teacher": ("teacher", "teaching", "lecturer", "tutor", "educator"),
    "human-resources": ("hr", "human resources", "people partner", "talent acquisition", "recruiter", "people team"),
    "operations": ("operations manager", "operations associate", "operations coordinator", "head of operations",
                   "operations lead", "ops manager", "logistics", "supply chain", "warehouse manager"),
    "retail": ("retail", "store manager", "store assistant", "in-store", "shop floor", "shop assistant",
               "sales assistant", "customer assistant", "cashier", "merchandiser"),
    "graduate": ("graduate", "intern", "internship", "trainee", "apprentice", "placement"),
}  # fmt: skip
TITLE_WORDS = 25  # a posting's title and first line
TITLE_BONUS = 0.08  # a role named in the title (the question scores are ~0.3-0.6)
BODY_BONUS = 0.01  # per mention in the body, up to three


@dataclass(frozen=True)
class Inference:
    role: str
    scores: dict[str, float]  # every candidate role's score, best first

    @property
    def alternatives(self) -> list[str]:
        return [r for r in self.scores if r != self.role][:3]


def _mentions(text: str, phrases: Sequence[str]) -> int:
    # Whole words ("£18.50/hr" is a rate, not HR).
    return sum(len(re.findall(rf"(?<![a-z0-9/]){re.escape(p)}(?![a-z0-9])", text)) for p in phrases)


def infer_role(ranked: Sequence[Ranked], job_description: str = "", top: int = 5) -> Inference | None:
    """The role a description is about: the role whose best few questions match it best on average, plus what the
    posting calls itself (its title, and mentions in the body)."""
    by_role: dict[str, list[float]] = {}
    for item in ranked:  # already sorted best first
        scores = by_role.setdefault(item.question.role, [])
        if len(scores) < top:
            scores.append(item.score)
    candidates = {role: sum(s) / len(s) for role, s in by_role.items() if role != "general" and s}
    if not candidates:
        return None
    lowered = job_description.lower()
    title = " ".join(lowered.split()[:TITLE_WORDS])
    for role in candidates:
        phrases = ROLE_TITLES.get(role, (role.replace("-", " "),))
        candidates[role] += TITLE_BONUS * min(1, _mentions(title, phrases))
        candidates[role] += BODY_BONUS * min(3, _mentions(lowered, phrases))
    ordered = dict(sorted(candidates.items(), key=lambda kv: -kv[1]))
    return Inference(next(iter(ordered)), {k: round(v, 4) for k, v in ordered.items()})


def inferred_skills(ranked: Sequence[Ranked], job_description: str, role: str | None, count: int = 8) -> list[str]:
    """What the posting asks for, in its own words: its terms that the role's questions use and few other roles do
    ("sql" for a data analyst, not "day" or "build", which every role's questions use)."""
    vocabulary: dict[str, set[str]] = {}
    for item in ranked:
        q = item.question
        for term in keywords(f"{q.text} {' '.join(q.key_points)} {' '.join(q.competencies)}"):
            vocabulary.setdefault(term, set()).add(q.role)
    roles = {item.question.role for item in ranked} or {"general"}
    counts = keywords(job_description)
    weights = {
        term: n * math.log(len(roles) / len(vocabulary[term]))
        for term, n in counts.items()
        if term in vocabulary and (role is None or role in vocabulary[term]) and len(vocabulary[term]) < len(roles)
    }
    title = keywords(" ".join(job_description.split()[:6]))  # the job's name ("Data Analyst") is not a skill
    written = {
        t: _as_written(job_description, t) for t, w in weights.items() if w > 0 and _skill_like(t) and t not in title
    }
    # Names of tools and methods are written with capitals (SQL, Power BI, Kubernetes): they are the skills.
    best = sorted(written, key=lambda t: (-weights[t] * (2 if written[t] != written[t].lower() else 1), t))
    out: list[str] = []
    for term in best:
        if not any(written[term].lower() in s.lower() for s in out):
            out.append(written[term])
    return out[:count]


# Words a posting uses about any job ("maintain", "functions"), never the skill it asks for.
_NOT_SKILLS = frozenset(
    {"maintain", "function", "ensure", "support", "manage", "help", "work", "build", "recommend", "interval",
     "comfortable", "usually", "especially", "including", "present", "remote", "qualification", "salary", "holiday"}
)  # fmt: skip


def _skill_like(term: str) -> bool:
    return len(term) > 2 and not term.endswith("ly") and term not in _NOT_SKILLS


def _as_written(text: str, term: str) -> str:
    """The term as the posting writes it ("kubernete" -> "Kubernetes", "sql" -> "SQL", "power" -> "Power BI")."""
    for pattern in (rf"(?<![A-Za-z0-9]){re.escape(term)}(?![A-Za-z0-9])", rf"(?<![A-Za-z0-9]){re.escape(term)}[a-z]*"):
        found = re.search(pattern + r"(?: [A-Z][A-Za-z0-9+#]*)?", text, flags=re.IGNORECASE)
        if found:
            word = found.group(0)
            head, _, tail = word.partition(" ")
            # A capitalised name continues into the next capitalised word ("Power BI", "Google Analytics").
            return word if tail and head[:1].isupper() and tail[:1].isupper() else head
    return term


def prefer_role(ranked: Sequence[Ranked], role: str) -> list[Ranked]:
    """The role's own questions (and the general ones) first, the rest after, each group in score order."""
    own = [r for r in ranked if r.question.role in (role, "general")]
    return own + [r for r in ranked if r.question.role not in (role, "general")]


def split_opener(questions: Sequence[Question], count: int) -> tuple[Question | None, list[Question]]:
    """The opener (when the session is long enough and it is in the pool) and the other questions."""
    opener = next((q for q in questions if q.key == OPENER_KEY), None) if count >= OPENER_MIN_QUESTIONS else None
    return opener, [q for q in questions if q is not opener]


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

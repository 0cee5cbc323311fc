"""Where the situation, task, action and result of a story are: per clause, in the order a story is told.

A spoken answer rarely has one part per sentence: "When our release failed in March, I rolled it back and paged
the team" holds a situation and an action, and a run-on transcript may hold a whole story in one "sentence". So an
answer is cut into clauses (at sentence ends, and at commas or connectives that start a new clause: "so I", "and
then", "as a result"), each clause is scored for each part from what it says (cue phrases; who did what, in which
tense; similarity in meaning to a few example sentences per part) and where it stands, and the most likely
labelling of the whole answer is chosen at once (Viterbi over the clauses): stories mostly run situation -> task ->
action -> result, so going back costs something, but a story told result-first still reads right.

An answer that tells no story (general claims, "I would ...", a pitch about oneself) gets no parts at all: structure
credit is for a story, not for words that resemble one. The figures are measured on labelled stories the project
wrote (services/feedback/labelled/star.json), with a held-out half nothing here was tuned on (`make bench`).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import pairwise

import numpy as np
import numpy.typing as npt
from intervu_nlp import SentenceEncoder
from intervu_nlp.fillers import HESITATIONS, core

from intervu_feedback.analysis.evidence import Evidence, Word

PARTS = ("situation", "task", "action", "result")
OUTSIDE = "none"
LABELS = (*PARTS, OUTSIDE)

# Several examples per part: one prototype sentence is too narrow a target for the many ways people say it.
PROTOTYPES: dict[str, tuple[str, ...]] = {
    "situation": (
        "In my previous job at a software company our releases were slow and customers complained.",
        "A few years ago I was working as a nurse on a busy night shift.",
        "The problem was that the system kept failing every week.",
        "We had a difficult client who was unhappy with the delays.",
    ),
    "task": (
        "My responsibility was to fix the problem before the deadline.",
        "I was asked to lead the project and get it back on track.",
        "I needed to find a way to reduce the backlog.",
        "The goal was to deliver the new system by the end of the quarter.",
    ),
    "action": (
        "I set up a meeting with the team and we agreed on a plan.",
        "I analysed the data, found the cause and rewrote the process.",
        "So I called the customer, apologised and arranged a replacement.",
        "I introduced a checklist and trained everyone to use it.",
    ),
    "result": (
        "As a result the error rate dropped by half and the customer renewed.",
        "In the end we delivered on time and the client was happy.",
        "Sales grew by twenty percent over the next quarter.",
        "Since then the process has been used by every team.",
    ),
}

# Cue phrases, matched on the clause's words with spaces around (" as a result "): weight per part.
CUES: dict[str, dict[str, float]] = {
    "situation": {
        "in my last": 1.0, "in my previous": 1.0, "at my last": 1.0, "at my previous": 1.0, "when i was": 1.0,
        "when i worked": 1.0, "while i was": 1.0, "while working": 1.0, "a few years ago": 1.0, "last year": 0.8,
        "years ago": 0.8, "at the time": 0.8, "back in": 0.8, "the situation": 1.0, "there was": 0.6,
        "we had a": 0.6, "i was working": 1.0, "i worked as": 1.0, "i was a": 0.6, "the problem was": 0.8,
        "one time": 0.6, "one day": 0.6, "in my first": 0.8, "during my": 0.8, "at the start of": 0.6,
        "was failing": 0.6, "were unhappy": 0.6, "were complaining": 0.6, "kept": 0.4, "had been": 0.5,
        "was struggling": 0.6, "were struggling": 0.6, "we were": 0.3, "there were": 0.5, "was behind": 0.6,
    },
    "task": {
        "my task": 1.5, "my job was": 1.5, "my role was": 1.5, "i was responsible": 1.5, "i was asked": 1.2,
        "i was tasked": 1.5, "i needed to": 1.0, "i had to": 1.0, "the goal was": 1.2, "our goal was": 1.2,
        "the task": 1.2, "i was given": 1.0, "it was my job": 1.5, "it was up to me": 1.5, "i wanted to": 0.6,
        "we needed to": 0.6, "we had to": 0.4, "the challenge was": 1.0, "my goal": 1.2, "i was in charge": 1.2,
        "my responsibility": 1.5, "i had been asked": 1.2, "needed someone to": 1.0, "i was brought in": 1.2,
        "i volunteered to": 0.8, "asked me to": 1.5, "i took on": 0.6, "was to ": 0.8, "gave me": 1.2,
        "on me to": 1.5, "given the job": 1.5, "i owned": 1.2, "told me to": 1.5, "wanted me to": 1.5,
        "i should lead": 1.5, "i could take": 1.2, "take it on": 1.0, "prove it": 0.8, "i was supposed to": 1.2,
        "i wanted the": 0.6, "i couldn't make": 0.8, "my manager agreed": 0.8, "i was the": 0.4,
    },
    "action": {
        "i decided": 1.0, "first i": 1.0, "then i": 1.0, "so i": 0.8, "i started": 0.8, "i set up": 1.0,
        "i spoke": 0.8, "i talked": 0.8, "i met": 0.8, "i built": 1.0, "i wrote": 1.0, "i created": 1.0,
        "i organised": 1.0, "i organized": 1.0, "i introduced": 1.0, "i proposed": 1.0, "i asked": 0.6,
        "i called": 0.8, "i made": 0.6, "i went": 0.5, "i put": 0.6, "i sat down": 1.0, "i worked with": 0.8,
        "i reached out": 1.0, "i arranged": 1.0, "i listened": 1.0, "i explained": 0.8, "after that": 0.5,
        "next i": 1.0, "i also": 0.6, "i broke": 0.8, "i split": 0.8, "i ran": 0.8, "i led": 0.6,
        # Situational questions ask what one would do: there the plan is the action.
        "i would": 0.6, "i'd": 0.5, "first i'd": 0.8, "then i'd": 0.8,
    },
    "result": {
        "as a result": 2.0, "in the end": 1.5, "the result": 1.5, "the outcome": 1.5, "which led to": 1.2,
        "that led to": 1.2, "this led to": 1.2, "which meant": 1.0, "ended up": 1.0, "eventually": 0.8,
        "by the end": 1.0, "since then": 1.2, "afterwards": 0.6, "we reduced": 1.0, "we cut": 1.0,
        "we increased": 1.0, "we saved": 1.0, "went from": 1.2, "dropped": 1.0, "fell": 0.8, "rose": 0.8,
        "grew": 0.8, "improved": 0.8, "increased": 0.8, "reduced": 0.8, "decreased": 0.8, "on time": 0.8,
        "was praised": 1.0, "thanked": 1.0, "i learned": 0.8, "i learnt": 0.8, "renewed": 0.8, "launched": 0.5,
        "was adopted": 1.0, "became": 0.6, "now": 0.3, "percent": 0.6, "succeeded": 0.8, "passed": 0.5,
        "the feedback": 0.5, "happy": 0.4, "no longer": 0.8, "never again": 0.8, "for good": 0.6, "saved": 0.8,
    },
}  # fmt: skip

# First-person past actions: "I sorted", "we built". Not states ("I was", "I had") or wishes ("I wanted").
_PAST_ACTION = re.compile(
    r"\b(i|we)( then| also| first| quickly| immediately| finally| personally| just)? "
    r"(?!needed|wanted|was|were|had|liked|loved|hoped|used to|learned|learnt|realised|realized|noticed|felt|"
    r"thought|knew|believed|worked as|joined|started at|ended)"
    r"(\w+ed|led|built|wrote|set|made|took|ran|gave|found|sent|spoke|told|chose|kept|put|did|brought|met|drew|"
    r"began|showed|sat|went|got|caught|paid|sold|taught|rang|dealt|stood|held|bought|fought|broke|cut|read|"
    r"rewrote|rebuilt|won|left|let|came|spent|flew)\b"
)
# "I would", "I'd", "I will": what one would do is not a story of what one did.
_HYPOTHETICAL = re.compile(r"\b(i|we) (would|could|might|should)\b|\bi'd\b|\bwe'd\b")
# General claims about oneself: present tense, "always", "I am ...".
_GENERIC = re.compile(r"\b(i always|i usually|i tend to|i believe i|i consider myself|i think i am|i'm a|i am a)\b")
_NUMBER = re.compile(r"\d|\b(percent|half|double|twice|triple|hundred|thousand|million)\b")

# Clause boundaries in speech without full stops: a connective that starts a new clause.
_OPENERS = ("so", "then", "but", "and", "which", "because", "after", "eventually", "finally", "afterwards")
_SUBJECTS = frozenset({"i", "we", "they", "he", "she", "it", "our", "my", "the", "that", "this", "everyone"})
_PHRASES = (("as", "a", "result"), ("in", "the", "end"), ("which", "meant"), ("which", "led"), ("that", "meant"),
            ("and", "then"), ("and", "so"), ("after", "that"), ("by", "the", "end"), ("since", "then"))  # fmt: skip
MIN_CLAUSE_WORDS = 3
MAX_CLAUSES = 120

# How a story usually runs: forward moves are cheap, going back costs (told out of order, still allowed).
_ORDER = {name: k for k, name in enumerate(PARTS)}
STAY, FORWARD, BACK, TO_OUTSIDE = 0.0, -0.3, -0.7, -0.8
EMBED_WEIGHT = 6.0  # similarity above a part's mean, scaled to cue-weight units
POSITION_WEIGHT = 0.5
AMBIGUOUS_MARGIN = 1.0  # a quote this close to being a missing part is not quoted as evidence of its absence


@dataclass(frozen=True)
class Clause:
    first: int
    last: int
    text: str


@dataclass
class Star:
    story: bool
    parts: dict[str, Evidence | None]
    clauses: list[Clause]
    labels: list[str]
    quoted: dict[str, int] = field(default_factory=dict)  # part -> index of the clause quoted for it
    ambiguous: set[str] = field(default_factory=set)  # found parts whose quote may hold a missing part

    def spans(self, part: str) -> list[tuple[int, int]]:
        """Every run of clauses labelled ``part`` as (first word, last word)."""
        out: list[tuple[int, int]] = []
        for clause, label in zip(self.clauses, self.labels, strict=True):
            if label != part:
                continue
            if out and out[-1][1] == clause.first - 1:
                out[-1] = (out[-1][0], clause.last)
            else:
                out.append((clause.first, clause.last))
        return out


def clauses(words: Sequence[Word]) -> list[Clause]:
    cores = [core(w.text) for w in words]
    cuts = [0]
    for i in range(1, len(words)):
        before = words[i - 1].text.rstrip()
        here = cores[i]
        nxt = cores[i + 1] if i + 1 < len(words) else ""
        after_punct = before.endswith((",", ";", ":", "-", "\u2014"))
        if (
            before.endswith((".", "?", "!"))
            or any(tuple(cores[i : i + len(p)]) == p for p in _PHRASES)
            or (here in _OPENERS and (after_punct or nxt in _SUBJECTS) and not _purpose(cores, i))
            or (after_punct and here in _SUBJECTS and here not in {"the", "that", "this"})
        ):
            cuts.append(i)
    cuts.append(len(words))
    spans = [(a, b - 1) for a, b in pairwise(cuts) if b > a]
    # Too short to stand alone ("so, um,"): joined to what follows (or to what precedes, at the end).
    merged: list[tuple[int, int]] = []
    pending: int | None = None
    for a, b in spans:
        start = pending if pending is not None else a
        content = [c for c in cores[a : b + 1] if c and c not in HESITATIONS]
        # A connective alone ("As a result,") belongs to the clause it introduces.
        connective = tuple(content) in _PHRASES or (len(content) == 1 and content[0] in _OPENERS)
        if connective or (len(content) < MIN_CLAUSE_WORDS and not words[b].text.rstrip().endswith((".", "?", "!"))):
            pending = start
            continue
        pending = None
        if len(content) < MIN_CLAUSE_WORDS and merged:
            merged[-1] = (merged[-1][0], b)
        else:
            merged.append((start, b))
    if pending is not None:
        if merged:
            merged[-1] = (merged[-1][0], len(words) - 1)
        else:
            merged.append((pending, len(words) - 1))
    # A very long answer (a typed essay) is read in at most MAX_CLAUSES pieces: neighbours are joined in pairs, so
    # the encoder's work stays bounded (540 clauses of a 5,000-word answer took 34 s on two cores).
    while len(merged) > MAX_CLAUSES:
        merged = [(merged[k][0], merged[min(k + 1, len(merged) - 1)][1]) for k in range(0, len(merged), 2)]
    return [Clause(a, b, " ".join(w.text for w in words[a : b + 1])) for a, b in merged]


# "... so we would see trouble early": a purpose, part of the clause before it, not a new step.
_PURPOSE_VERBS = frozenset({"would", "could", "can", "wouldn't", "couldn't", "weren't", "wasn't", "didn't", "don't",
                            "knew", "know", "might", "will", "won't", "were", "had"})  # fmt: skip


def _purpose(cores: Sequence[str], i: int) -> bool:
    return cores[i] == "so" and i + 2 < len(cores) and cores[i + 2] in _PURPOSE_VERBS


def _normal(text: str) -> str:
    """Lowercase words without punctuation (digits and % kept: "90%" is a result's number), hesitations left out."""
    tokens = (re.sub(r"[^a-z0-9'%]", "", t.lower()) for t in text.split())
    return " " + " ".join(t for t in tokens if t and t not in HESITATIONS) + " "


def _cue_scores(text: str) -> dict[str, float]:
    scores = {}
    for part, cues in CUES.items():
        scores[part] = sum(weight for cue, weight in cues.items() if f" {cue.strip()} " in text)
    if _PAST_ACTION.search(text):
        scores["action"] += 1.2
    if _NUMBER.search(text) and scores["result"] > 0:
        scores["result"] += 0.6  # a number next to an outcome word is the measured result
    return scores


class _Prototypes:
    """The example sentences' vectors, encoded once per encoder."""

    _cache: dict[int, npt.NDArray[np.float32]] = {}

    @classmethod
    def of(cls, encoder: SentenceEncoder) -> npt.NDArray[np.float32]:
        key = id(encoder)
        if key not in cls._cache:
            vectors = encoder.encode([s for part in PARTS for s in PROTOTYPES[part]])
            cls._cache[key] = np.asarray(vectors, dtype=np.float32).reshape(len(PARTS), -1, vectors.shape[-1])
        return cls._cache[key]


def locate(encoder: SentenceEncoder, words: Sequence[Word], *, story_required: bool = True) -> Star:
    """The parts of the answer's story. ``story_required``: behavioural questions ask what one did; situational ones
    ask what one would do, so there a plan counts."""
    found = clauses(words)
    if not found:
        return Star(False, dict.fromkeys(PARTS), [], [])
    texts = [_normal(c.text) for c in found]
    vectors = np.asarray(encoder.encode([c.text for c in found]), dtype=np.float32)
    protos = _Prototypes.of(encoder)
    # Best similarity to each part's examples, relative to the clause's mean over parts: what sets it apart.
    sims = np.einsum("cd,pkd->cpk", vectors, protos).max(axis=2)
    sims = sims - sims.mean(axis=1, keepdims=True)
    n = len(found)
    emit = np.zeros((n, len(LABELS)), dtype=np.float64)
    for i, text in enumerate(texts):
        cues = _cue_scores(text)
        position = (i + 0.5) / n
        prior = {
            "situation": 1.0 - 2.0 * position,
            "task": 0.5 - abs(position - 0.3) * 2,
            "action": 0.5 - abs(position - 0.55) * 2,
            "result": 2.0 * position - 1.0,
        }
        for k, part in enumerate(PARTS):
            emit[i, k] = cues[part] + EMBED_WEIGHT * float(sims[i, k]) + POSITION_WEIGHT * prior[part]
        # Outside any part: openers ("Sure, good question"), asides and reflections with nothing of a part.
        emit[i, len(PARTS)] = 0.2 - max(cues.values())
    labels = _viterbi(emit)
    story = _tells_a_story(texts, labels) if story_required else _plans_or_acts(texts)
    if not story:
        labels = [OUTSIDE] * n
    star = Star(story, dict.fromkeys(PARTS), found, labels)
    for k, part in enumerate(PARTS):
        mine = [i for i, label in enumerate(labels) if label == part]
        if mine:
            # One quote per part: its most typical clause. A long run may have swallowed a neighbouring part (a task
            # told inside the actions), and a remark must never quote the part it says is missing.
            best = max(mine, key=lambda i: emit[i, k])
            star.parts[part] = Evidence.of(words, found[best].first, found[best].last)
            star.quoted[part] = best
    # A quote that is also the likeliest place of a part found missing is ambiguous: a remark saying that part is
    # missing must not quote it (it may be the very part, labelled as its neighbour).
    missing = [k for k, part in enumerate(PARTS) if star.parts[part] is None and star.story]
    for k in missing:
        likeliest = int(np.argmax(emit[:, k]))
        star.ambiguous |= {name for name, i in star.quoted.items() if i == likeliest}
    for name, i in star.quoted.items():
        own = emit[i, PARTS.index(name)]
        if any(emit[i, k] >= own - AMBIGUOUS_MARGIN for k in missing):
            star.ambiguous.add(name)
    return star


def _transition(a: str, b: str) -> float:
    if a == b:
        return STAY
    if OUTSIDE in (a, b):
        return TO_OUTSIDE if b == OUTSIDE else 0.0
    return FORWARD if _ORDER[b] > _ORDER[a] else BACK


def _viterbi(emit: npt.NDArray[np.float64]) -> list[str]:
    n, m = emit.shape
    best = emit[0].copy()
    back = np.zeros((n, m), dtype=np.int64)
    trans = np.array([[_transition(LABELS[a], LABELS[b]) for b in range(m)] for a in range(m)])
    for i in range(1, n):
        total = best[:, None] + trans  # from a to b
        back[i] = total.argmax(axis=0)
        best = total.max(axis=0) + emit[i]
    path = [int(best.argmax())]
    for i in range(n - 1, 0, -1):
        path.append(int(back[i, path[-1]]))
    return [LABELS[k] for k in reversed(path)]


def _tells_a_story(texts: Sequence[str], labels: Sequence[str]) -> bool:
    """A story has something that was done (a past action) and more than the bare act: a setting, an outcome, a
    number or a second step. Claims about oneself and plans ("I would...") are not stories, however they are told."""
    actions = [t for t in texts if _PAST_ACTION.search(t) and not _HYPOTHETICAL.search(t)]
    hypothetical = sum(bool(_HYPOTHETICAL.search(t)) for t in texts)
    generic = sum(bool(_GENERIC.search(t)) and not _PAST_ACTION.search(t) for t in texts)
    framed = (
        any(label in ("situation", "task", "result") for label in labels)
        or any(_NUMBER.search(t) for t in texts)
        or any(_cue_scores(t)[part] > 0 for t in texts for part in ("situation", "task", "result"))
    )
    return bool(actions) and (framed or len(actions) >= 2) and hypothetical + generic < len(texts) / 2


def _plans_or_acts(texts: Sequence[str]) -> bool:
    """A situational answer says what one would do (or did): "Yes" or "I don't know" says neither."""
    return any(_HYPOTHETICAL.search(t) or _PAST_ACTION.search(t) or " i will " in t or " i'll " in t for t in texts)

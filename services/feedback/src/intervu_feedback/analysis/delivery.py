"""Delivery: pace, fillers, pauses, hedging and repetition, from the words and their timings.

Thresholds and their sources are in docs/RUBRIC.md; change them there and here together.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from intervu_nlp.fillers import Token, core, filler_flags

from intervu_feedback.analysis.evidence import Evidence, Remark, Word

PAUSE_S = 0.8  # a silence this long between words is a pause a listener notices
LONG_PAUSE_S = 3.0  # ... and this long, one that reads as being lost
CLUSTER_WINDOW_S = 8.0  # fillers this close together form a cluster
CLUSTER_WINDOW_WORDS = 12  # the same for typed answers, in words
HEDGES = (
    "i think",
    "i guess",
    "i suppose",
    "i believe",
    "maybe",
    "perhaps",
    "probably",
    "kind of",
    "sort of",
    "i'm not sure",
    "not sure",
    "somewhat",
    "a little bit",
    "i feel like",
    "hopefully",
    "basically",
)


@dataclass
class Delivery:
    words: int
    duration_s: float | None
    speaking_s: float | None
    wpm_total: float | None
    wpm_speaking: float | None
    filler_indexes: list[int] = field(default_factory=list)  # every word that is (part of) a filler
    fillers: list[Evidence] = field(default_factory=list)
    filler_clusters: list[Evidence] = field(default_factory=list)
    fillers_per_minute: float | None = None
    fillers_per_100_words: float = 0.0
    pauses: list[Evidence] = field(default_factory=list)
    longest_pause_s: float = 0.0
    hedges: list[Evidence] = field(default_factory=list)
    repetitions: list[Evidence] = field(default_factory=list)
    remarks: list[Remark] = field(default_factory=list)


def filler_indexes(words: Sequence[Word]) -> list[int]:
    flags = filler_flags([Token(w.text, w.start, w.end) for w in words])
    return [i for i, f in enumerate(flags) if f]


def _group(indexes: list[int]) -> list[tuple[int, int]]:
    """Consecutive word indexes as (first, last) runs: "you know" is one filler, not two."""
    runs: list[tuple[int, int]] = []
    for i in indexes:
        if runs and runs[-1][1] == i - 1:
            runs[-1] = (runs[-1][0], i)
        else:
            runs.append((i, i))
    return runs


def _clusters(words: Sequence[Word], runs: list[tuple[int, int]], timed: bool) -> list[Evidence]:
    clusters: list[Evidence] = []
    i = 0
    while i < len(runs):
        j = i
        while j + 1 < len(runs):
            a, b = runs[i], runs[j + 1]
            if timed:
                close = (words[b[0]].start or 0) - (words[a[0]].start or 0) <= CLUSTER_WINDOW_S
            else:
                close = b[0] - a[0] <= CLUSTER_WINDOW_WORDS
            if not close:
                break
            j += 1
        if j - i + 1 >= 3:
            clusters.append(Evidence.of(words, runs[i][0], runs[j][1]))
            i = j + 1
        else:
            i += 1
    return clusters


def _find_phrases(words: Sequence[Word], phrases: Sequence[str]) -> list[Evidence]:
    cores = [core(w.text) for w in words]
    found: list[Evidence] = []
    taken: set[int] = set()
    for phrase in sorted(phrases, key=lambda p: -len(p.split())):
        parts = phrase.split()
        for i in range(len(cores) - len(parts) + 1):
            if cores[i : i + len(parts)] == parts and not taken.intersection(range(i, i + len(parts))):
                found.append(Evidence.of(words, i, i + len(parts) - 1))
                taken.update(range(i, i + len(parts)))
    return sorted(found, key=lambda e: e.first)


def _repetitions(words: Sequence[Word], fillers: set[int]) -> list[Evidence]:
    """Stutter-like repeats ("I I", "the the") and a three-word phrase said again within the answer."""
    cores = [core(w.text) for w in words]
    found: list[Evidence] = []
    for i in range(1, len(cores)):
        if cores[i] and cores[i] == cores[i - 1] and i not in fillers and cores[i] not in {"that", "had", "very"}:
            found.append(Evidence.of(words, i - 1, i))
    seen: dict[tuple[str, ...], int] = {}
    for i in range(len(cores) - 2):
        gram = tuple(cores[i : i + 3])
        if any(j in fillers for j in range(i, i + 3)) or not all(gram):
            continue
        if gram in seen and i - seen[gram] >= 3:
            if not any(e.first <= i <= e.last for e in found):
                found.append(Evidence.of(words, i, i + 2))
        else:
            seen.setdefault(gram, i)
    return sorted(found, key=lambda e: e.first)


def analyse(words: Sequence[Word], duration_s: float | None, speech: Sequence[tuple[float, float]] = ()) -> Delivery:
    timed = bool(words) and all(w.start is not None and w.end is not None for w in words)
    n = len(words)
    filler_idx = filler_indexes(words)
    runs = _group(filler_idx)
    fillers = [Evidence.of(words, a, b) for a, b in runs]
    speaking_s: float | None = None
    if timed and duration_s:
        # Speaking time from the voice activity detector when there is one, else the words' own spans.
        spans = speech or [(w.start or 0.0, w.end or 0.0) for w in words]
        speaking_s = max(sum(b - a for a, b in spans), 1e-6)
    d = Delivery(
        words=n,
        duration_s=duration_s if timed else None,
        speaking_s=round(speaking_s, 2) if speaking_s else None,
        wpm_total=round(n / (duration_s / 60), 1) if timed and duration_s else None,
        wpm_speaking=round(n / (speaking_s / 60), 1) if speaking_s else None,
        filler_indexes=filler_idx,
        fillers=fillers,
        filler_clusters=_clusters(words, runs, timed),
        fillers_per_minute=round(len(runs) / (duration_s / 60), 2) if timed and duration_s else None,
        fillers_per_100_words=round(100 * len(runs) / n, 2) if n else 0.0,
        hedges=_find_phrases(words, HEDGES),
        repetitions=_repetitions(words, set(filler_idx)),
    )
    if timed:
        for i in range(1, n):
            gap = (words[i].start or 0) - (words[i - 1].end or 0)
            if gap >= PAUSE_S:
                d.pauses.append(
                    Evidence.at(
                        words[i - 1].end or 0,
                        words[i].start or 0,
                        f"{gap:.1f} s after \u201c{words[i - 1].text}\u201d",
                        i - 1,
                        i,
                    )
                )
        d.longest_pause_s = round(max(((p.end_s or 0) - (p.start_s or 0) for p in d.pauses), default=0.0), 2)
    _remarks(d)
    return d


def _remarks(d: Delivery) -> None:
    if d.filler_clusters:
        d.remarks.append(
            Remark(
                "filler_cluster",
                f"Fillers bunch up in {len(d.filler_clusters)} place(s): that is where you were thinking on your "
                "feet. A short silent pause sounds more confident than \u201cum\u201d.",
                "improve",
                d.filler_clusters,
            )
        )
    long = [p for p in d.pauses if (p.end_s or 0) - (p.start_s or 0) >= LONG_PAUSE_S]
    if long:
        d.remarks.append(
            Remark(
                "long_pause",
                f"{len(long)} pause(s) of {LONG_PAUSE_S:.0f} s or more: a listener may think you lost the thread. "
                "If you need time, say so (\u201cLet me think about that for a second\u201d).",
                "improve",
                long,
            )
        )
    if d.hedges and d.words and len(d.hedges) / d.words > 0.02:
        d.remarks.append(
            Remark(
                "hedging",
                f"{len(d.hedges)} hedging phrase(s) (\u201cI think\u201d, \u201ckind of\u201d...) soften claims you "
                "can make plainly.",
                "improve",
                d.hedges,
            )
        )
    if d.repetitions:
        d.remarks.append(Remark("repetition", "Repeated words or phrases.", "improve", d.repetitions))
    if d.wpm_speaking is not None and d.wpm_speaking > 175:
        d.remarks.append(
            Remark(
                "too_fast",
                f"{d.wpm_speaking:.0f} words per minute while speaking is fast; around 140-160 is easy to follow.",
                "improve",
            )
        )
    elif d.wpm_speaking is not None and d.wpm_speaking < 110:
        d.remarks.append(
            Remark("too_slow", f"{d.wpm_speaking:.0f} words per minute while speaking is slow.", "improve")
        )
    # Spoken answers only: a typed answer has no fillers to avoid, so "clean delivery" would praise nothing.
    if not d.fillers and d.words >= 30 and d.duration_s is not None:
        d.remarks.append(Remark("no_fillers", "No filler words: clean, deliberate delivery.", "strength"))

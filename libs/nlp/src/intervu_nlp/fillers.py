"""Which words of a transcript are fillers.

"um" and "uh" are always fillers. "like", "you know" and "so" are ordinary words most of the time ("I'd like
to", "do you know the tool", "so that"), and count only where they are used as fillers. A transcript gives two
cues for that, besides the neighbouring words: the punctuation the recogniser wrote ("it was, like, hard") and
the silences around the word. The rules are deliberately conservative: telling someone they said "like" six
times when they did not costs more trust than missing one.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

# Vocalised hesitations: never words, always fillers.
HESITATIONS = frozenset(
    {"um", "umm", "ummm", "uh", "uhh", "uhm", "er", "erm", "ah", "ahh", "hmm", "hm", "mm", "mmm", "eh"}
)
# A silence this long next to "like" or "so" marks it off from the sentence, as a comma does.
PAUSE_CUE_S = 0.3

_CORE = re.compile(r"[^a-z']")

# "like" is a verb or a preposition after these ("I like", "I'd like", "looks like", "things like").
_LIKE_NOT_AFTER = frozenset(
    {
        "i", "you", "we", "they", "he", "she", "i'd", "we'd", "you'd", "they'd", "he'd", "she'd", "would",
        "do", "don't", "did", "didn't", "does", "doesn't", "to", "not", "really", "also", "still", "might",
        "look", "looks", "looked", "looking", "feel", "feels", "felt", "seem", "seems", "seemed", "sound",
        "sounds", "sounded", "something", "anything", "nothing", "things", "stuff", "more", "less", "much",
        "exactly", "just", "people", "companies", "tools", "ones", "what", "lot", "lots",
    }
)  # fmt: skip
# After these, "like" without a cue is a filler ("and like we shipped") unless an article follows ("was like a").
_LIKE_FILLER_AFTER = frozenset({"and", "but", "so", "was", "were", "is", "are", "it's", "that's", "um", "uh"})
_ARTICLES = frozenset({"a", "an", "the"})
# "you know" takes an object or a clause after these; as a filler it stands alone.
_YOU_KNOW_NOT_BEFORE = frozenset(
    {
        "that", "what", "how", "why", "who", "where", "when", "if", "whether", "the", "a", "an", "about", "him",
        "her", "them", "it", "this", "these", "those", "my", "your", "our", "their", "his", "its", "me", "us",
        "each", "everyone", "everybody", "anyone", "someone", "more", "enough",
    }
)  # fmt: skip
_YOU_KNOW_NOT_AFTER = frozenset({"do", "did", "don't", "didn't", "if", "would", "as", "will", "won't", "should"})


@dataclass(frozen=True)
class Token:
    """A transcript word as the recogniser wrote it (punctuation included), with its timing when known."""

    text: str
    start: float | None = None
    end: float | None = None


def core(text: str) -> str:
    """The word without case or punctuation ("Like," -> "like")."""
    return _CORE.sub("", text.lower().replace("\u2019", "'"))


def _ends_clause(text: str) -> bool:
    return text.rstrip().endswith((",", ".", "?", "!", ";", ":", "...", "\u2026", "-"))


def _gap(tokens: Sequence[Token], left: int, right: int) -> float:
    """Silence between tokens[left] and tokens[right], 0 when timings are missing."""
    if left < 0 or right >= len(tokens):
        return 0.0
    a, b = tokens[left].end, tokens[right].start
    return 0.0 if a is None or b is None else max(0.0, b - a)


def _sentence_start(tokens: Sequence[Token], i: int, cores: Sequence[str]) -> bool:
    """The word opens the answer or a sentence (possibly after "and", "but" or a hesitation)."""
    j = i - 1
    while j >= 0 and (cores[j] in HESITATIONS or cores[j] in {"and", "but", "okay", "well", "yeah"}):
        j -= 1
    return j < 0 or tokens[j].text.rstrip().endswith((".", "?", "!"))


def filler_flags(tokens: Sequence[Token]) -> list[bool]:
    """One flag per token: is this word (or this part of "you know") a filler?"""
    cores = [core(t.text) for t in tokens]
    flags = [c in HESITATIONS for c in cores]
    n = len(tokens)
    for i, word in enumerate(cores):
        prev = cores[i - 1] if i > 0 else ""
        nxt = cores[i + 1] if i + 1 < n else ""
        comma_before = i > 0 and _ends_clause(tokens[i - 1].text)
        comma_after = _ends_clause(tokens[i].text)
        pause_before = _gap(tokens, i - 1, i) >= PAUSE_CUE_S
        pause_after = _gap(tokens, i, i + 1) >= PAUSE_CUE_S
        if word == "like":
            if prev in _LIKE_NOT_AFTER or nxt == "to":
                continue
            cued = (comma_before or pause_before) or (comma_after or pause_after)
            if cued or (prev in _LIKE_FILLER_AFTER and nxt not in _ARTICLES and nxt != ""):
                flags[i] = True
        elif word == "you" and nxt == "know":
            after = cores[i + 2] if i + 2 < n else ""
            if prev in _YOU_KNOW_NOT_AFTER or (after in _YOU_KNOW_NOT_BEFORE and not _ends_clause(tokens[i + 1].text)):
                continue
            flags[i] = flags[i + 1] = True
        elif word == "so":
            # "So, ..." opening a sentence is a filler; "so that", "so much", "and so on" are not.
            if nxt in {"that", "much", "many", "far", "on", "long", "called"}:
                continue
            trailing = comma_after and tokens[i].text.rstrip().endswith((".", "...", "\u2026")) and i > 0
            if (_sentence_start(tokens, i, cores) and (comma_after or pause_after)) or trailing:
                flags[i] = True
    return flags


def fillers_in(words: Sequence[str]) -> list[bool]:
    """Convenience for text without timings."""
    return filler_flags([Token(w) for w in words])

"""Scoring a transcript against a known script: word error rate, filler recall and precision, pace, pauses.

Used by `make bench` on answers the project speaks itself (intervu_kit.testing.speech), so every figure has a
ground truth; jiwer and num2words are dev dependencies (this module serves the bench, not the worker). Numbers
are compared as words ("5" and "five" are the same word) because recognisers write digits.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence
from dataclasses import dataclass

import jiwer
from intervu_nlp.fillers import HESITATIONS, Token, filler_flags
from num2words import num2words  # type: ignore[import-untyped]

from intervu_transcription.providers.base import Transcript

PAUSE_S = 0.8
_NUMBER = re.compile(r"\d+(?:\.\d+)?")


def _spell(match: re.Match[str]) -> str:
    return " " + str(num2words(float(match.group()) if "." in match.group() else int(match.group()))) + " "


def normalise(words: Sequence[str]) -> list[str]:
    """Lower case, no punctuation, digits as words, every hesitation spelt "um" or "uh" (er = uh, hmm = um)."""
    text = " ".join(words).lower().replace("%", " percent").replace("-", " ").replace("\u2019", "'")
    text = _NUMBER.sub(_spell, text.replace(",", " , ").replace("  ", " "))
    out = []
    for raw in text.split():
        w = re.sub(r"[^a-z']", "", raw).strip("'")
        if not w:
            continue
        if w in HESITATIONS:
            w = "uh" if w in {"uh", "uhh", "er", "erm", "ah", "ahh", "eh"} else "um"
        out.append(w)
    return out


@dataclass(frozen=True)
class Score:
    wer: float
    ref_words: int
    filler_tp: int
    filler_ref: int
    filler_hyp: int
    wpm_error: float  # relative, over total time
    pauses_found: int
    pauses: int


def _expand(words: Sequence[str], flags: Sequence[bool]) -> tuple[list[str], list[bool]]:
    """Normalise word by word so filler flags follow the words they belong to ("5%" -> "five percent")."""
    out: list[str] = []
    out_flags: list[bool] = []
    for w, f in zip(words, flags, strict=True):
        for n in normalise([w]):
            out.append(n)
            out_flags.append(f)
    return out, out_flags


def detected_pauses(transcript: Transcript, minimum: float = PAUSE_S) -> list[tuple[float, float]]:
    """Silences of at least ``minimum`` seconds between speech (the answer's edges do not count).

    The voice activity detector's regions when the provider gives them, else the gaps between words.
    """
    spans = transcript.speech or [(w.start, w.end) for w in transcript.words]
    return [(a[1], b[0]) for a, b in itertools.pairwise(spans) if b[0] - a[1] >= minimum]


def score(
    transcript: Transcript,
    ref_words: Sequence[str],
    ref_fillers: Sequence[bool],
    ref_pauses: Sequence[tuple[float, float]],
    duration_s: float,
) -> Score:
    ref, ref_flags = _expand(ref_words, ref_fillers)
    tokens = [Token(w.text, w.start, w.end) for w in transcript.words]
    hyp, hyp_flags = _expand([t.text for t in tokens], filler_flags(tokens))
    reference_text, hypothesis_text = " ".join(ref), " ".join(hyp)
    result = jiwer.process_words(reference_text, hypothesis_text if hyp else "")
    tp = 0
    for chunk in result.alignments[0]:
        if chunk.type in ("equal", "substitute"):
            for k in range(chunk.ref_end_idx - chunk.ref_start_idx):
                if ref_flags[chunk.ref_start_idx + k] and hyp_flags[chunk.hyp_start_idx + k]:
                    tp += 1
    found = 0
    pauses = detected_pauses(transcript)
    for start, end in ref_pauses:
        # Found: a detected silence overlaps the inserted one by at least half its length.
        if any(min(end, b) - max(start, a) >= (end - start) / 2 for a, b in pauses):
            found += 1
    ref_wpm = len(ref) / duration_s
    hyp_wpm = len(hyp) / duration_s
    return Score(
        wer=result.wer,
        ref_words=len(ref),
        filler_tp=tp,
        filler_ref=sum(ref_flags),
        filler_hyp=sum(hyp_flags),
        wpm_error=abs(hyp_wpm - ref_wpm) / ref_wpm,
        pauses_found=found,
        pauses=len(ref_pauses),
    )

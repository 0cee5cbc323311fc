"""Scoring a transcript against a known truth: word error rate, filler recall and precision, pace, pauses.

Used by `make bench` on the stored labelled speech set (services/transcription/labelled), so every figure has a
ground truth; jiwer and num2words are dev dependencies (this module serves the bench, not the worker). Numbers
are compared as words ("5" and "five" are the same word) because recognisers write digits.

Pace is the product's own measure: words per minute of speaking time, the transcript's words over the voice
activity regions (as `intervu_feedback.analysis.delivery` computes it), against the true words over the true
speaking time. A pause is a silence of 0.8 s or more; a detected pause is false when less than half of it is
true silence.
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
_THOUSANDS = re.compile(r"(?<=\d),(?=\d{3}\b)")
# Contractions written out, on both sides alike (as Whisper's own English normaliser does): "I'm" and "I am" are
# the same words said two ways, not a recognition error.
_CONTRACTIONS = (
    (re.compile(r"\bwon't\b"), "will not"),
    (re.compile(r"\bcan't\b"), "can not"),
    (re.compile(r"n't\b"), " not"),
    (re.compile(r"'m\b"), " am"),
    (re.compile(r"'re\b"), " are"),
    (re.compile(r"'ve\b"), " have"),
    (re.compile(r"'ll\b"), " will"),
    (re.compile(r"'d\b"), " would"),
    (re.compile(r"\b(it|that|there|here|what|who|he|she|where|how)'s\b"), r"\1 is"),
)


def _spell(match: re.Match[str]) -> str:
    spelt = str(num2words(float(match.group()) if "." in match.group() else int(match.group())))
    return " " + spelt.replace("-", " ") + " "


def normalise(words: Sequence[str]) -> list[str]:
    """Lower case, no punctuation, digits as words ("$55,000" is "fifty five thousand"), contractions written out,
    every hesitation spelt "um" or "uh" (er = uh, hmm = um)."""
    text = " ".join(words).lower().replace("%", " percent").replace("-", " ").replace("\u2019", "'")
    text = _THOUSANDS.sub("", text).replace("$", " ")
    for pattern, spelt in _CONTRACTIONS:
        text = pattern.sub(spelt, text)
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
    wpm_error: float  # relative, word count over total time
    pauses_found: int
    pauses: int
    errors: int = 0  # substitutions + deletions + insertions, fillers counted as words
    content_errors: int = 0  # the same with every filler left out of both sides
    content_words: int = 0
    false_pauses: int = 0
    pace_error: float | None = None  # relative, words per minute of speaking time; None without a true speaking time


def _expand(words: Sequence[str], flags: Sequence[bool]) -> tuple[list[str], list[bool]]:
    """Normalise word by word so filler flags follow the words they belong to ("5%" -> "five percent")."""
    joined: list[tuple[str, bool]] = []
    for w, f in zip(words, flags, strict=True):
        # Whisper splits a number at its thousands separator ("$55" ",000,"): one number again.
        if joined and re.match(r",\d{3}\b", w) and joined[-1][0][-1:].isdigit():
            joined[-1] = (joined[-1][0] + w, joined[-1][1] or f)
        else:
            joined.append((w, f))
    out: list[str] = []
    out_flags: list[bool] = []
    for w, f in joined:
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


def speaking_time(transcript: Transcript) -> float:
    """Seconds of speech as the product counts them: the voice activity regions, else the words' own spans."""
    spans = transcript.speech or [(w.start, w.end) for w in transcript.words]
    return sum(b - a for a, b in spans)


def false_pauses(transcript: Transcript, silences: Sequence[tuple[float, float]]) -> int:
    """Detected pauses of which less than half is true silence (bad word timings, speech taken for silence)."""
    false = 0
    for a, b in detected_pauses(transcript):
        silent = sum(max(0.0, min(b, e) - max(a, s)) for s, e in silences)
        if silent < (b - a) / 2:
            false += 1
    return false


def score(
    transcript: Transcript,
    ref_words: Sequence[str],
    ref_fillers: Sequence[bool],
    ref_pauses: Sequence[tuple[float, float]],
    duration_s: float,
    *,
    silences: Sequence[tuple[float, float]] | None = None,
    speaking_s: float | None = None,
) -> Score:
    """``ref_pauses``: the true silences of ``PAUSE_S`` or more; ``silences``: every true silence (shorter ones too,
    for judging false pauses; the pauses when not given); ``speaking_s``: the true speaking time, for pace."""
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
    pace_error = None
    if speaking_s:
        true_pace = len(ref_words) / speaking_s
        measured = len(transcript.words) / max(speaking_time(transcript), 1e-6)
        pace_error = abs(measured - true_pace) / true_pace
    content_ref = " ".join(w for w, f in zip(ref, ref_flags, strict=True) if not f)
    content_hyp = " ".join(w for w, f in zip(hyp, hyp_flags, strict=True) if not f)
    content = jiwer.process_words(content_ref, content_hyp) if content_ref else None
    return Score(
        wer=result.wer,
        ref_words=len(ref),
        filler_tp=tp,
        filler_ref=sum(ref_flags),
        filler_hyp=sum(hyp_flags),
        wpm_error=abs(hyp_wpm - ref_wpm) / ref_wpm,
        pauses_found=found,
        pauses=len(ref_pauses),
        errors=result.substitutions + result.deletions + result.insertions,
        content_errors=content.substitutions + content.deletions + content.insertions if content else 0,
        content_words=len(content_ref.split()),
        false_pauses=false_pauses(transcript, ref_pauses if silences is None else silences),
        pace_error=pace_error,
    )

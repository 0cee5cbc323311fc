"""`make bench` figures for speech recognition, on the stored labelled speech set (services/transcription/labelled).

The set is stored audio with its truth (the exact words, the fillers and where they are, the true speaking time and
silences), made once by `labelled/generate.py`: every run hears the same files. It has a `tune` part (the voices and
answers the provider was tuned on, a few more voices and conditions to tune on, and five real LibriVox readings) and
a `heldout` part (other voices, speeds, noise and reverberation, and answers no threshold, prompt or parameter was
chosen on). Each answer is transcribed by the configured provider and scored (`scoring`); the figures of both parts
are printed side by side with the targets of issue 14. The held-out column is the one that counts. The set is run
twice; when any transcript differs between the two runs, a third run is made and the figures are given as the mean
± half the range.

    uv run --frozen python -m intervu_transcription.bench
"""

from __future__ import annotations

import json
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import anyio

from intervu_transcription.config import get_settings
from intervu_transcription.consumers import provider_from_settings
from intervu_transcription.providers.base import Progress, SpeechToText, Transcript, Word
from intervu_transcription.providers.local import LocalWhisper
from intervu_transcription.scoring import PAUSE_S, Score, score

LABELLED = Path(__file__).resolve().parents[2] / "labelled"
SPLITS = ("tune", "heldout")
# Issue 14's targets, on the held-out part.
TARGET_WER = 0.04
TARGET_FILLERS = 0.9
TARGET_PACE = 0.05
RUNS_WHEN_MOVING = 3


@dataclass(frozen=True)
class Labelled:
    """One stored answer and its truth (`labelled/speech.json`)."""

    id: str
    path: Path
    sha256: str
    split: str
    source: str  # synthetic or real
    question_type: str
    voice: str
    speed: float
    condition: str
    words: list[str]
    filler: list[bool]  # one flag per word
    duration_s: float
    speaking_s: float | None  # None for real recordings (not known exactly)
    silences: list[tuple[float, float]] | None

    @property
    def pauses(self) -> list[tuple[float, float]]:
        return [(a, b) for a, b in self.silences or [] if b - a >= PAUSE_S]


def load(directory: Path = LABELLED) -> list[Labelled]:
    document = json.loads((directory / "speech.json").read_text())
    answers = []
    for a in document["answers"]:
        flags = [any(f["first"] <= k <= f["last"] for f in a["fillers"]) for k in range(len(a["words"]))]
        answers.append(
            Labelled(
                id=a["id"],
                path=directory / a["file"],
                sha256=a["sha256"],
                split=a["split"],
                source=a["source"],
                question_type=a["question_type"],
                voice=a["voice"],
                speed=float(a["speed"]),
                condition=a["condition"],
                words=list(a["words"]),
                filler=flags,
                duration_s=float(a["duration_s"]),
                speaking_s=a["speaking_s"],
                silences=None if a["silences"] is None else [(float(s), float(e)) for s, e in a["silences"]],
            )
        )
    return answers


@dataclass(frozen=True)
class Result:
    answer: Labelled
    score: Score
    work_s: float
    text: str


async def measure(stt: SpeechToText, answers: Sequence[Labelled], what: str = "") -> list[Result]:
    results = []
    for n, answer in enumerate(answers, 1):
        print(f"\r      {what}transcribing stored answer {n}/{len(answers)}  ", end="", file=sys.stderr, flush=True)
        started = time.perf_counter()
        transcript = await stt.transcribe(answer.path)
        work_s = time.perf_counter() - started
        s = score(
            transcript,
            answer.words,
            answer.filler,
            answer.pauses,
            answer.duration_s,
            silences=answer.silences,
            speaking_s=answer.speaking_s,
        )
        heard = " ".join(f"{w.text}@{w.start:.2f}-{w.end:.2f}" for w in transcript.words)
        results.append(Result(answer, s, work_s, f"{heard} | {transcript.speech}"))
    print(file=sys.stderr)
    return results


@dataclass(frozen=True)
class Figures:
    answers: int
    words: int
    audio_s: float
    wer: float
    content_wer: float
    filler_recall: float
    filler_precision: float
    pace_mean: float
    pace_worst: float
    pauses_found: int
    pauses: int
    false_pauses: int
    rtf: float


def figures(results: Sequence[Result]) -> Figures:
    scores = [r.score for r in results]
    paces = [s.pace_error for s in scores if s.pace_error is not None]
    tp = sum(s.filler_tp for s in scores)
    audio_s = sum(r.answer.duration_s for r in results)
    return Figures(
        answers=len(results),
        words=sum(s.ref_words for s in scores),
        audio_s=audio_s,
        wer=sum(s.errors for s in scores) / max(1, sum(s.ref_words for s in scores)),
        content_wer=sum(s.content_errors for s in scores) / max(1, sum(s.content_words for s in scores)),
        filler_recall=tp / max(1, sum(s.filler_ref for s in scores)),
        filler_precision=tp / max(1, sum(s.filler_hyp for s in scores)),
        pace_mean=statistics.fmean(paces) if paces else 0.0,
        pace_worst=max(paces, default=0.0),
        pauses_found=sum(s.pauses_found for s in scores),
        pauses=sum(s.pauses for s in scores),
        # Real recordings' silences are not known: their pauses are not judged.
        false_pauses=sum(r.score.false_pauses for r in results if r.answer.silences is not None),
        rtf=sum(r.work_s for r in results) / max(audio_s, 1e-9),
    )


def _spread(values: Sequence[float], show: Callable[[float], str]) -> str:
    """One run's value, or the mean of several with half their range when they differ."""
    if len(set(values)) <= 1:
        return show(values[0])
    return f"{show(statistics.fmean(values))} ± {show((max(values) - min(values)) / 2)}"


def _name(split: str) -> str:
    return "held out" if split == "heldout" else split


def _pct(x: float) -> str:
    return f"{x:.1%}"


def _two(x: float) -> str:
    return f"{x:.2f}"


def _verdict(values: dict[str, list[float]], passes: Callable[[float], bool]) -> str:
    return ", ".join(
        f"{_name(split)} {'pass' if passes(statistics.fmean(v)) else 'FAIL'}" for split, v in values.items() if v
    )


def table(runs: Sequence[Sequence[Result]]) -> list[str]:
    """The figures of each split side by side (mean ± half range over runs when a figure moved between runs)."""
    per: dict[str, list[Figures]] = {split: [] for split in SPLITS}
    for results in runs:
        for split in SPLITS:
            part = [r for r in results if r.answer.split == split]
            if part:
                per[split].append(figures(part))
    rows: list[tuple[str, Callable[[Figures], float], Callable[[float], str], str, Callable[[float], bool] | None]] = [
        ("WER, fillers counted as words", lambda f: f.wer, _pct, f"<= {TARGET_WER:.0%}", lambda v: v <= TARGET_WER),
        ("WER without fillers", lambda f: f.content_wer, _pct, "", None),
        ("filler recall", lambda f: f.filler_recall, _two, f">= {TARGET_FILLERS}", lambda v: v >= TARGET_FILLERS),
        ("filler precision", lambda f: f.filler_precision, _two, f">= {TARGET_FILLERS}", lambda v: v >= TARGET_FILLERS),
        ("pace error, worst answer", lambda f: f.pace_worst, _pct, f"<= {TARGET_PACE:.0%}", lambda v: v <= TARGET_PACE),
        ("pace error, mean", lambda f: f.pace_mean, _pct, "", None),
        ("pauses >= 0.8 s found", lambda f: f.pauses_found / max(1, f.pauses), _pct, "all", lambda v: v >= 1.0),
        ("false pauses", lambda f: f.false_pauses, lambda v: f"{v:g}", "none", lambda v: v == 0),
        ("real-time factor", lambda f: f.rtf, _two, "", None),
    ]
    lines = [f"  {'':<31}{'tune':<17}{'held out':<17}{'target':<9}"]
    for label, get, show, target, passes in rows:
        values = {split: [get(f) for f in per[split]] for split in SPLITS}
        cells = [_spread(values[split], show) if values[split] else "-" for split in SPLITS]
        verdict = _verdict(values, passes) if passes else ""
        lines.append(f"  {label:<31}{cells[0]:<17}{cells[1]:<17}{target:<9}{verdict}".rstrip())
    return lines


def breakdown(results: Sequence[Result], key: Callable[[Labelled], str], title: str) -> list[str]:
    """WER, fillers found and worst pace error per voice (or condition, or question type), split by split."""
    lines = [f"  by {title}:"]
    for split in SPLITS:
        groups: dict[str, list[Result]] = {}
        for r in results:
            if r.answer.split == split:
                groups.setdefault(key(r.answer), []).append(r)
        for name, group in sorted(groups.items()):
            f = figures(group)
            s = [r.score for r in group]
            pace = f"pace worst {f.pace_worst:5.1%}" if any(x.pace_error is not None for x in s) else ""
            lines.append(
                f"    {_name(split):<9}{name:<19}{f.answers:>3} answers  WER {f.wer:5.1%}  "
                f"fillers {sum(x.filler_tp for x in s)}/{sum(x.filler_ref for x in s)} found, "
                f"{sum(x.filler_hyp - x.filler_tp for x in s)} false  {pace}".rstrip()
            )
    return lines


def worst(results: Sequence[Result], count: int = 5) -> list[str]:
    ranked = sorted((r for r in results if r.answer.split == "heldout"), key=lambda r: -r.score.wer)[:count]
    return ["  worst held-out answers (WER): " + ", ".join(f"{r.answer.id} {r.score.wer:.0%}" for r in ranked)]


def describe(answers: Sequence[Labelled]) -> list[str]:
    lines = []
    for split in SPLITS:
        part = [a for a in answers if a.split == split]
        voices = sorted({a.voice for a in part})
        conditions = sorted({a.condition for a in part})
        lines.append(
            f"  {_name(split)}: {len(part)} answers, {sum(a.duration_s for a in part) / 60:.1f} min, "
            f"{sum(len(a.words) for a in part)} words; voices {', '.join(voices)}; conditions {', '.join(conditions)}"
        )
    return lines


class StockWhisper:
    """The baseline to beat: the same model called plainly (no prompt, no voice activity detection, no clean-up)."""

    name = "stock faster-whisper tiny.en"
    third_party = False

    def __init__(self, local: LocalWhisper) -> None:
        self.local = local

    async def transcribe(self, audio: Path, progress: Progress | None = None) -> Transcript:
        def work() -> Transcript:
            segments, info = self.local._load().transcribe(str(audio), language="en", word_timestamps=True, beam_size=5)
            words = [
                Word(w.word.strip(), float(w.start), float(w.end), float(w.probability))
                for seg in segments
                for w in seg.words or []
            ]
            return Transcript(" ".join(w.text for w in words), words, "en", float(info.duration))

        return await anyio.to_thread.run_sync(work)


async def report(stt: SpeechToText, answers: Sequence[Labelled], baseline: SpeechToText | None = None) -> list[str]:
    """The benchmark's lines for ``answers``: two full runs, and a third when a transcript moved between them."""
    # Loading the model is not transcribing: warm up on the shortest answer before the clock runs.
    await stt.transcribe(min(answers, key=lambda a: a.duration_s).path)
    # Whisper's fallback decoding samples (seeded), and threads share the work: check that a run repeats itself
    # (words, times and speech regions of every answer), else report the spread over three runs.
    runs = [await measure(stt, answers, "run 1: "), await measure(stt, answers, "run 2: ")]
    moved = [a.answer.id for a, b in zip(runs[0], runs[1], strict=True) if a.text != b.text]
    if moved:
        runs.append(await measure(stt, answers, f"run {RUNS_WHEN_MOVING}: "))
        repeat = (
            f"  transcripts moved between runs ({', '.join(moved)}): figures are the mean ± half the range of "
            f"{len(runs)} runs; the breakdowns below are run 1's"
        )
    else:
        repeat = "  repeatable: two full runs gave the same words, word times and speech regions for every answer"
    lines = [
        f"speech recognition ({stt.name}) on the stored labelled set (services/transcription/labelled, the same audio "
        "every run; nothing was tuned on the held-out part):",
        *describe(answers),
        *table(runs),
        repeat,
    ]
    if baseline is not None:
        stock = figures_by_split(await measure(baseline, answers, "baseline: "))
        lines.append(
            f"  {baseline.name}, the same model called plainly (the baseline): "
            + " | ".join(
                f"{_name(split)} WER {f.wer:.1%}, fillers R {f.filler_recall:.2f} "
                f"P {f.filler_precision:.2f}, pace worst {f.pace_worst:.1%}, false pauses {f.false_pauses}"
                for split, f in stock.items()
            )
        )
    results = runs[0]
    lines += breakdown(results, lambda a: a.voice, "voice")
    lines += breakdown(results, lambda a: a.condition, "condition")
    lines += breakdown(results, lambda a: a.question_type, "question type")
    lines += worst(results)
    return lines


def figures_by_split(results: Sequence[Result]) -> dict[str, Figures]:
    return {
        split: figures([r for r in results if r.answer.split == split])
        for split in SPLITS
        if any(r.answer.split == split for r in results)
    }


async def run() -> list[str]:
    stt = provider_from_settings(get_settings())
    baseline = StockWhisper(stt) if isinstance(stt, LocalWhisper) else None
    return await report(stt, load(), baseline)


if __name__ == "__main__":
    print("\n".join(anyio.run(run)))

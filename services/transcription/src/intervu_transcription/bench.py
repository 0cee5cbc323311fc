"""`make bench` figures for speech recognition on answers with a known truth.

Twelve answers are spoken by the project itself (Piper's neural voice and espeak-ng, slow to fast, with fillers of
every kind, the same words used normally, and inserted pauses of 0.8-2.5 s: intervu_kit.testing.speech). Each is
transcribed by the configured provider and scored: word error rate counting fillers as words, filler recall and
precision, pace (words per minute) error, and recall of the pauses of 0.8 s or more.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

import anyio
from intervu_kit.testing.speech import BENCH_SCRIPTS, render

from intervu_transcription.config import get_settings
from intervu_transcription.consumers import provider_from_settings
from intervu_transcription.providers.base import Progress, SpeechToText, Transcript, Word
from intervu_transcription.providers.local import LocalWhisper
from intervu_transcription.scoring import Score, score


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


async def run() -> list[str]:
    stt = provider_from_settings(get_settings())
    lines, per_answer = await _measure(stt)
    if isinstance(stt, LocalWhisper):
        stock, _ = await _measure(StockWhisper(stt))
        lines += ["  the same model called plainly (stock faster-whisper, the baseline to beat):"]
        lines += ["  " + line for line in stock[1:6]]
    return lines + per_answer


async def _measure(stt: SpeechToText) -> tuple[list[str], list[str]]:
    scores: list[Score] = []
    audio_s = work_s = 0.0
    per_answer: list[str] = []
    with tempfile.TemporaryDirectory(prefix="speech-bench-") as tmp:
        for n, script in enumerate(BENCH_SCRIPTS, 1):
            print(f"\r      transcribing spoken answer {n}/{len(BENCH_SCRIPTS)}", end="", file=sys.stderr, flush=True)
            rendered = render(script, Path(tmp))
            started = time.perf_counter()
            transcript = await stt.transcribe(rendered.path)
            work_s += time.perf_counter() - started
            audio_s += rendered.duration_s
            s = score(transcript, rendered.words, rendered.filler, rendered.pauses, rendered.duration_s)
            scores.append(s)
            per_answer.append(
                f"    {script.name:<20} {script.voice:<6} pace x{script.pace:<4} WER {s.wer:5.1%}  fillers "
                f"{s.filler_tp}/{s.filler_ref} found, {s.filler_hyp - s.filler_tp} false  WPM error {s.wpm_error:5.1%}"
                f"  pauses {s.pauses_found}/{s.pauses}"
            )
    print(file=sys.stderr)
    words = sum(s.ref_words for s in scores)
    wer = sum(s.wer * s.ref_words for s in scores) / words
    tp = sum(s.filler_tp for s in scores)
    recall = tp / max(1, sum(s.filler_ref for s in scores))
    precision = tp / max(1, sum(s.filler_hyp for s in scores))
    wpm_error = sum(s.wpm_error for s in scores) / len(scores)
    pauses = sum(s.pauses_found for s in scores), sum(s.pauses for s in scores)
    return [
        f"speech recognition ({stt.name}) on {len(scores)} spoken answers, {words} words, {audio_s:.0f} s of audio:",
        f"  WER {wer:.1%} (fillers counted as words; target <= 5%)",
        f"  filler recall {recall:.2f}, precision {precision:.2f} (target >= 0.9 each)",
        f"  WPM error mean {wpm_error:.1%}, worst {max(s.wpm_error for s in scores):.1%} (target <= 5%)",
        f"  pauses >= 0.8 s found {pauses[0]}/{pauses[1]} (target: all)",
        f"  real-time factor {work_s / audio_s:.2f} ({work_s:.1f} s for {audio_s:.0f} s)",
    ], per_answer

"""How much each score moves when nothing about the answer changed: the noise an attempt comparison must see past.

A person who answers the same question again with the same words is not recorded the same way twice: the
recording starts a little earlier or later, the level differs, the room hum differs. Whisper then hears a word
differently, a pause moves, and scores move with them. A comparison that called those moves "better" told people
that measurement noise was progress (issue 18: the same audio twice, "Better: Relevance, STAR").

Measured here on the stored spoken answers of the speech set (``services/transcription/labelled``, voices, speeds
and noise conditions varied, none spoken for this purpose): each answer as stored, and a second take of the same
audio as a second recording would capture it (started 0.25 s later, 3 dB quieter, with a faint hiss 40 dB below
the voice). Both go through the real transcription provider and the real analysis; the change of each score
between the two takes is its noise. The threshold of each score is the change 9 in 10 re-recordings of the
``tune`` half stay within (at least ``MIN_THRESHOLD``); the ``heldout`` half, which no threshold was chosen on,
shows how often a comparison would still call an unchanged answer different. ``python -m intervu_feedback.noise
--write`` measures and writes ``answers/noise.json``, which ``compare`` reads; ``make bench`` measures and prints
without writing.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import subprocess
import sys
import tempfile
import uuid
import wave
from collections import defaultdict
from functools import cache
from pathlib import Path
from typing import Any

# Read by the service (compare): the measuring part imports what it needs inside, so serving stays light.
SPLITS = ("tune", "heldout")
SPEECH_SET = Path(__file__).resolve().parents[3] / "transcription" / "labelled" / "speech.json"
THRESHOLDS = Path(__file__).parent / "answers" / "noise.json"
# Below this a change is never called a change, measured noise or not (the comparison's rule before measuring).
MIN_THRESHOLD = 5
QUANTILE = 0.9
RATE = 16000
SHIFT = RATE // 4  # the second recording starts 0.25 s later
GAIN_DB = -3.0  # and 3 dB quieter
HISS_BELOW_VOICE_DB = 40.0  # with a faint hiss 40 dB below the voice
# The speech set's question types, as the product names them (its short answers and read passages: general).
_TYPES = {"behavioural": "behavioral", "technical": "technical"}


def _wav(source: Path, out: Path, second_take: bool) -> Path:
    """16 kHz mono as the media service extracts it; the second take started later, quieter and with a hiss whose
    level follows the voice's (an absolute hiss drowned the quiet-microphone answers: 5 dB below their voice is not
    the same room recorded twice, it is another recording condition)."""
    subprocess.run(["ffmpeg", "-v", "error", "-y", "-i", str(source), "-ac", "1", "-ar", str(RATE), "-c:a", "pcm_s16le",
                    str(out)], check=True)  # fmt: skip
    if not second_take:
        return out
    import numpy as np

    with wave.open(str(out), "rb") as first:
        samples = np.frombuffer(first.readframes(first.getnframes()), "<i2").astype(np.float64) / 32768
    frames = samples[: len(samples) // 320 * 320].reshape(-1, 320)
    voice = float(np.percentile(np.sqrt((frames**2).mean(axis=1)), 90)) if len(frames) else 0.0
    hiss = np.random.default_rng(7).normal(0.0, voice * 10 ** (-HISS_BELOW_VOICE_DB / 20), len(samples) + SHIFT)
    again = np.concatenate([np.zeros(SHIFT), samples]) * 10 ** (GAIN_DB / 20) + hiss
    with wave.open(str(out), "wb") as second:
        second.setnchannels(1)
        second.setsampwidth(2)
        second.setframerate(RATE)
        second.writeframes((np.clip(again, -1, 1 - 1 / 32768) * 32768).astype("<i2").tobytes())
    return out


def measure() -> dict[str, Any]:
    return asyncio.run(measure_async())


async def measure_async() -> dict[str, Any]:
    """Per score: the changes between the two takes, per half."""
    from intervu_kit.settings import Environment
    from intervu_nlp import default_encoder
    from intervu_transcription.config import Settings as TranscriptionSettings
    from intervu_transcription.consumers import provider_from_settings

    from intervu_feedback.answers.service import analyse_inputs
    from intervu_feedback.models import AnswerInput

    items = json.loads(SPEECH_SET.read_text())["answers"]
    stt = provider_from_settings(TranscriptionSettings(environment=Environment.TEST))
    encoder = default_encoder()
    changes: dict[str, dict[str, list[int]]] = defaultdict(lambda: {part: [] for part in SPLITS})
    worst: dict[str, tuple[int, str]] = {}
    with tempfile.TemporaryDirectory(prefix="feedback-noise-") as tmp:
        for n, item in enumerate(items):
            print(f"      noise: {n + 1}/{len(items)} {item['id']}", file=sys.stderr, flush=True)
            takes = []
            for second in (False, True):
                wav = _wav(SPEECH_SET.parent / item["file"], Path(tmp) / f"{n}-{int(second)}.wav", second)
                transcript = await stt.transcribe(wav)
                data = AnswerInput(
                    answer_id=uuid.uuid4(),
                    kind="recording",
                    question={
                        "text": item["question"],
                        "type": _TYPES.get(item["question_type"], "general"),
                        "suggested_seconds": 120,
                    },
                    transcript={
                        "words": [{"text": w.text, "start": w.start, "end": w.end} for w in transcript.words],
                        "duration_s": transcript.duration_s,
                        "speech": [list(r) for r in transcript.speech],
                    },
                )
                report = await asyncio.to_thread(analyse_inputs, encoder, data, wav, None)
                takes.append({"overall": report.overall} | {s.name: s.value for s in report.scores})
            first, again = takes
            for name in first.keys() & again.keys():
                change = abs(again[name] - first[name])
                changes[name][item["split"]].append(change)
                if change > worst.get(name, (0, ""))[0]:
                    worst[name] = (change, f"{item['id']}, {item['voice']}, {item['condition']}")
    return {"answers": len(items), "changes": changes, "worst": worst}


def thresholds(changes: dict[str, dict[str, list[int]]]) -> dict[str, int]:
    """Per score, the change that 9 re-recordings in 10 of the tune half stay within (nearest rank; never below
    MIN_THRESHOLD). Not the largest: one take whose transcript lost a sentence moves a score by 90, and a threshold
    that high would call no real change a change."""
    return {name: max(MIN_THRESHOLD, _nearest_rank(parts["tune"], QUANTILE)) for name, parts in sorted(changes.items())}


def _nearest_rank(values: list[int], q: float) -> int:
    ordered = sorted(values)
    return ordered[max(0, math.ceil(q * len(ordered)) - 1)] if ordered else 0


def false_change_rate(values: list[int], threshold: int) -> float:
    """The share of unchanged answers a comparison would call better or worse."""
    return sum(v > threshold for v in values) / len(values) if values else math.nan


def report_lines(measured: dict[str, Any], chosen: dict[str, int]) -> list[str]:
    lines = [
        f"score noise (the same answer recorded twice, {measured['answers']} spoken answers): threshold = the "
        "change 9 in 10 re-recordings of tune stay within; unchanged answers still called different, tune | held out"
    ]
    for name, parts in sorted(measured["changes"].items()):
        limit = chosen.get(name, MIN_THRESHOLD)
        tune, held = (false_change_rate(parts[p], limit) for p in SPLITS)
        p95 = sorted(parts["heldout"])[int(0.95 * (len(parts["heldout"]) - 1))] if parts["heldout"] else 0
        lines.append(
            f"  {name:<12} threshold {limit:>3}  false changes {tune:5.0%} | {held:5.0%}"
            f"  (held-out median {sorted(parts['heldout'])[len(parts['heldout']) // 2] if parts['heldout'] else 0},"
            f" p95 {p95}; largest {measured['worst'].get(name, (0, ''))[0]}: {measured['worst'].get(name, (0, ''))[1]})"
        )
    return lines


@cache
def stored_thresholds() -> dict[str, int]:
    """The thresholds ``--write`` chose (empty when never measured: the plain minimum applies)."""
    try:
        data: dict[str, int] = json.loads(THRESHOLDS.read_text())["thresholds"]
        return data
    except (OSError, ValueError, KeyError):
        return {}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--write", action="store_true", help="write answers/noise.json from the tune half")
    args = parser.parse_args()
    measured = measure()
    chosen = thresholds(measured["changes"])
    if args.write:
        THRESHOLDS.write_text(
            json.dumps(
                {
                    "about": "Score changes a comparison of two attempts ignores: per score, the change 9 in 10 "
                    "re-recordings of the same spoken answer stay within, on the tune half of the speech set "
                    "(python -m intervu_feedback.noise --write; see noise.py).",
                    "thresholds": chosen,
                },
                indent=1,
            )
            + "\n"
        )
    print("\n".join(report_lines(measured, chosen if args.write else stored_thresholds() or chosen)))


if __name__ == "__main__":
    main()

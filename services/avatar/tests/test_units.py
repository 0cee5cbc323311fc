"""The avatar's pure parts: the script of a session, clip addresses, captions, the mouth's drive, the motion."""

from __future__ import annotations

import itertools
import uuid
from dataclasses import replace

import numpy as np
from intervu_avatar.animate import poses
from intervu_avatar.clips.service import script
from intervu_avatar.encode import spread_cues, webvtt
from intervu_avatar.personas import PERSONAS, clip_address, persona_for
from intervu_avatar.speech import Cue, mouth_track, sentences

Q = [(uuid.uuid4(), "First question?"), (uuid.uuid4(), "Second question?"), (uuid.uuid4(), "Third question?")]


def test_a_session_script_greets_asks_moves_on_and_closes() -> None:
    maya = PERSONAS["maya"]
    lines = script(maya, Q)
    assert [line.kind for line in lines] == [
        "intro", "question", "transition", "question", "transition", "question", "closing",
    ]  # fmt: skip
    assert "Maya" in lines[0].text and "three questions" in lines[0].text
    assert [line.question_id for line in lines if line.kind == "question"] == [q[0] for q in Q]
    assert lines[2].text != lines[4].text  # transitions vary
    # An older event with ids but no text: greeting and closing still announce the right count.
    assert [line.kind for line in script(maya, [], count=4)] == ["intro", "closing"]
    assert "four questions" in script(maya, [], count=4)[0].text


def test_unknown_or_missing_personas_fall_back_to_the_default() -> None:
    assert persona_for(None).id == persona_for("hal9000").id == "daniel"
    assert persona_for("sam").style == "tough"


def test_a_clip_address_changes_with_words_persona_version_and_renderer_only() -> None:
    daniel = PERSONAS["daniel"]
    key = clip_address("Tell me about yourself.", daniel, "local", "1")
    assert key == clip_address("  Tell me about yourself. ", daniel, "local", "1")
    others = {
        clip_address("Tell me about yourselves.", daniel, "local", "1"),
        clip_address("Tell me about yourself.", PERSONAS["sam"], "local", "1"),
        clip_address("Tell me about yourself.", replace(daniel, version=2), "local", "1"),
        clip_address("Tell me about yourself.", daniel, "did", "1"),
        clip_address("Tell me about yourself.", daniel, "local", "2"),
    }
    assert key not in others and len(others) == 5


def test_captions_are_valid_webvtt() -> None:
    vtt = webvtt([Cue(0.35, 2.5, "Hello --> there."), Cue(2.78, 3661.25, "Second\n\nline.")])
    assert vtt.splitlines()[:5] == ["WEBVTT", "", "1", "00:00:00.350 --> 00:00:02.500", "Hello -> there."]
    assert "01:01:01.250" in vtt and "Second line." in vtt
    spread = spread_cues(["Short.", "A much longer sentence here."], 0.0, 10.0)
    assert spread[0].end == spread[1].start and spread[1].end == 10.0 and spread[0].end < 3


def test_sentences_split_on_sentence_ends_only() -> None:
    assert sentences("Hi, I'm Sam.  Ready?  Let's go! e.g. 3.5 years") == [
        "Hi, I'm Sam.",
        "Ready?",
        "Let's go! e.g. 3.5 years",
    ]


def test_the_mouth_opens_with_the_voice_and_closes_in_silence() -> None:
    rate, fps = 16000, 25
    t = np.arange(rate) / rate
    voice = (0.3 * np.sin(2 * np.pi * 180 * t) * 32767).astype(np.int16)
    samples = np.concatenate([np.zeros(rate, np.int16), voice, np.zeros(rate, np.int16)])
    mouth = mouth_track(samples, rate, fps)
    assert len(mouth) == 75
    assert mouth[:20].max() == 0 and mouth[30:45].min() > 0.6 and mouth[-10:].max() < 0.05


def test_the_interviewer_blinks_and_moves_a_little() -> None:
    fps = 25
    frames = list(poses(np.zeros(30 * fps, np.float32), fps, [Cue(1.0, 5.0, "x")], "neutral", seed="s"))
    blinks = sum(1 for a, b in itertools.pairwise(frames) if a.blink == 0 and b.blink > 0)
    assert 5 <= blinks <= 12  # every 2.5-5.5 s over 30 s
    yaw = np.array([p.yaw for p in frames])
    assert 0.2 < np.abs(yaw).max() <= 4 and np.abs(np.diff(yaw)).max() < 0.2  # small and smooth
    assert frames == list(poses(np.zeros(30 * fps, np.float32), fps, [Cue(1.0, 5.0, "x")], "neutral", seed="s"))

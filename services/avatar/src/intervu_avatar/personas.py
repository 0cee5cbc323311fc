"""The interviewers: who they are, how they look and sound, and what they say between the questions.

A persona's ``version`` is part of every rendered clip's address: change a persona's look, voice or lines and
bump it, and its clips render again instead of serving the old ones.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Literal

from intervu_contracts import DEFAULT_INTERVIEWER

Style = Literal["friendly", "neutral", "tough"]


@dataclass(frozen=True)
class Voice:
    # Piper voice models that ship on PyPI: only "joe" (en_US, medium) so far; the others are made from it.
    model: Literal["joe"] = "joe"
    pace: float = 1.0  # >1 speaks faster
    # Pitch shift in semitones (rubberband, tempo kept). One voice model exists offline; a real second voice model
    # should replace the shift when one ships.
    semitones: float = 0.0


@dataclass(frozen=True)
class CloudFace:
    """What a cloud avatar provider needs: a presenter picture URL and a voice id (D-ID: Microsoft voices)."""

    source_url: str
    voice_id: str


@dataclass(frozen=True)
class Persona:
    id: str
    name: str
    title: str
    style: Style
    description: str
    look: str  # a key of intervu_avatar.render.head.LOOKS
    voice: Voice
    cloud: CloudFace
    intro: str  # {name}, {count}
    transitions: tuple[str, ...]
    closing: str
    greeting: str  # the preview a user watches when choosing an interviewer
    version: int = 1

    def transition(self, index: int) -> str:
        return self.transitions[index % len(self.transitions)]


PERSONAS: dict[str, Persona] = {
    p.id: p
    for p in (
        Persona(
            id="maya",
            name="Maya",
            title="Talent partner",
            style="friendly",
            description="Warm and encouraging; gives you time to think.",
            look="maya",
            voice=Voice(pace=0.95, semitones=6.0),
            cloud=CloudFace("https://intervu.example/personas/maya.jpg", "en-US-JennyNeural"),
            intro=(
                "Hi, I'm {name}. Thanks for practising with me today. I'll ask you {count}. "
                "Take a moment before each answer if you need it. Let's begin."
            ),
            transitions=("Thank you. Here's the next one.", "Great, thanks. Let's move on.", "Thanks for that."),
            closing="That's everything from me. Well done for practising. Your feedback will be ready shortly.",
            greeting="Hi, I'm Maya. I'll keep things relaxed, so you can focus on telling your story well.",
        ),
        Persona(
            id="daniel",
            name="Daniel",
            title="Hiring manager",
            style="neutral",
            description="Calm and structured, like most real first-round interviews.",
            look="daniel",
            voice=Voice(pace=1.0),
            cloud=CloudFace("https://intervu.example/personas/daniel.jpg", "en-US-GuyNeural"),
            intro="Hello, I'm {name}, and I'll be interviewing you today. I have {count} for you. Let's start.",
            transitions=("Thank you. Next question.", "Okay. Let's continue.", "Thank you. Moving on."),
            closing="That was the last question. Thank you for your time. Your feedback is on its way.",
            greeting="Hello, I'm Daniel. I interview the way most hiring managers do: calm, structured, fair.",
        ),
        Persona(
            id="sam",
            name="Sam",
            title="Senior panel interviewer",
            style="tough",
            description="Brisk and demanding; expects concise, specific answers.",
            look="sam",
            voice=Voice(pace=1.08, semitones=-1.5),
            cloud=CloudFace("https://intervu.example/personas/sam.jpg", "en-US-DavisNeural"),
            intro="I'm {name}. We have {count} to get through, so keep your answers specific. First question.",
            transitions=("Right. Next.", "Noted. Moving on.", "Okay. Next question."),
            closing="That's all. We'll be in touch. Check your feedback for where to improve.",
            greeting="I'm Sam. I'll push for specifics and numbers. Handle me, and the real thing will feel easy.",
        ),
    )
}
DEFAULT_PERSONA = DEFAULT_INTERVIEWER


def persona_for(persona_id: str | None) -> Persona:
    """The session's persona; an unknown or missing one is the default (a newer client may know more personas)."""
    return PERSONAS.get(persona_id or DEFAULT_PERSONA, PERSONAS[DEFAULT_PERSONA])


def count_phrase(count: int) -> str:
    words = ["no questions", "one question", "two questions", "three questions", "four questions", "five questions"]
    return words[count] if count < len(words) else f"{count} questions"


def clip_address(text: str, persona: Persona, provider: str, provider_version: str) -> str:
    """Content address of a clip: the same words, said by the same persona through the same renderer, once."""
    material = "\x1f".join([text.strip(), persona.id, str(persona.version), provider, provider_version])
    return hashlib.sha256(material.encode()).hexdigest()

"""Real recorded speech (not the project's own synthetic voices): LibriVox readings, public domain, from Debian's
`pocketsphinx-testdata` (installed by `make setup`) with their reference transcripts. And the decoding loop the
synthetic voices never showed: tiny.en with the filler prompt repeated "see you next time" forty times after a
six-word sentence."""

from __future__ import annotations

import re
from pathlib import Path

import jiwer
import pytest
from intervu_transcription.providers.base import Word
from intervu_transcription.providers.local import LocalWhisper, drop_loops

pytestmark = pytest.mark.slow  # models or servers of its own: `make test`, not `make test-unit`

LIBRIVOX = Path("/usr/share/pocketsphinx/test/data/librivox")


def _normal(text: str) -> str:
    text = re.sub(r"\bmr\b", "mister", text.lower())
    return " ".join(re.sub(r"[^a-z' ]", " ", text).split())


def _references() -> dict[str, str]:
    found = (
        re.match(r"<s> (.*) </s> \((.*)\)", line) for line in (LIBRIVOX / "transcription").read_text().splitlines()
    )
    return {m.group(2): m.group(1) for m in found if m}


async def test_real_read_speech_is_transcribed_without_invented_text() -> None:
    stt = LocalWhisper()
    references = _references()
    assert len(references) == 5
    hypotheses = []
    for name in references:
        transcript = await stt.transcribe(LIBRIVOX / f"{name}.wav")
        hypotheses.append(_normal(transcript.text))
    # Nothing invented after the last real word (the loop made one clip's error 2,225%).
    for reference, hypothesis in zip(references.values(), hypotheses, strict=True):
        assert len(hypothesis.split()) <= len(reference.split()) + 2, hypothesis
    wer = jiwer.wer(list(references.values()), hypotheses)
    assert wer <= 0.08, (wer, hypotheses)


@pytest.mark.parametrize(
    ("said", "kept"),
    [
        ("he might even have been made amiable himself see you next time see you next time see you next time",
         "he might even have been made amiable himself see you next time"),
        ("thank you thank you thank you thank you", "thank you"),
        # Speech repeats itself too: hesitations, stutters and a phrase said three times stay as said.
        ("it was very very very hard", "it was very very very hard"),
        ("the the the the the server", "the the the the the server"),
        ("um, so, um, so, um, so we shipped it", "um, so, um, so, um, so we shipped it"),
        ("and then, and then, and then it broke", "and then, and then, and then it broke"),
        ("we tested it, we tested it again", "we tested it, we tested it again"),
    ],
)  # fmt: skip
def test_a_decoding_loop_keeps_one_copy(said: str, kept: str) -> None:
    words = [Word(t, float(k), float(k) + 0.5, 0.9) for k, t in enumerate(said.split())]
    assert " ".join(w.text for w in drop_loops(words)) == kept

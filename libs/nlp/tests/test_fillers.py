"""Fillers: hesitations always; "like", "you know" and "so" only where they are used as fillers."""

from __future__ import annotations

import pytest
from intervu_nlp.fillers import Token, filler_flags, fillers_in


def flagged(text: str) -> list[str]:
    words = text.split()
    return [w.strip(",.?!").lower() for w, f in zip(words, fillers_in(words), strict=True) if f]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Um, I think, uh, we shipped it. Hmm.", ["um", "uh", "hmm"]),
        # "like": a verb or a preposition is not a filler; set off by commas, or after "was" before an adjective, it is.
        ("I would like to lead the team.", []),
        ("I'd like to try. It looks like rain. Things like testing matter.", []),
        ("People like working with me.", []),
        ("It was, like, really hard.", ["like"]),
        ("We were both like, pretty stubborn.", ["like"]),
        ("It was like really hard.", ["like"]),
        ("It was like a dream.", []),
        # "you know": with an object or a clause it is a question or a statement; alone it is a filler.
        ("You know, we had no choice.", ["you", "know"]),
        ("Do you know the feeling?", []),
        ("You know what I mean is different from this.", []),
        ("And you know we shipped anyway.", ["you", "know"]),
        # "so": opening a sentence and set off, it is a filler; "so that", "so much", "so I" are not.
        ("So, in my last role I led a team.", ["so"]),
        ("We tested it so that nothing broke.", []),
        ("It was so much work.", []),
        ("I grew up in a shop, so I know the work.", []),
        ("Um, so, we started over.", ["um", "so"]),
    ],
)
def test_fillers_in_context(text: str, expected: list[str]) -> None:
    assert flagged(text) == expected


def test_silences_mark_fillers_the_way_commas_do() -> None:
    # "it was like <0.5 s> hard" without punctuation (a recogniser that writes none): the pause marks the filler.
    tokens = [Token("it", 0.0, 0.2), Token("was", 0.2, 0.4), Token("like", 0.45, 0.7), Token("hard", 1.2, 1.5)]
    assert filler_flags(tokens) == [False, False, True, False]
    tokens = [Token("so", 0.0, 0.2), Token("we", 0.7, 0.9), Token("started", 0.9, 1.3)]
    assert filler_flags(tokens) == [True, False, False]

"""The stored labelled speech set `make bench` measures on (services/transcription/labelled): every file there,
unchanged and decodable, labels that agree with the scripts and the audio, a held-out part that shares no voice,
text or noise condition with the tune part; and the bench's scoring run end to end on two short answers."""

from __future__ import annotations

import hashlib
import json
import re

import pytest
from faster_whisper import decode_audio
from intervu_kit.testing.speech import BENCH_SCRIPTS, reference
from intervu_transcription.bench import LABELLED, load, report
from intervu_transcription.providers.base import Transcript, Word
from intervu_transcription.providers.local import LocalWhisper
from intervu_transcription.scoring import PAUSE_S, normalise, score

pytestmark = pytest.mark.slow  # models or servers of its own: `make test`, not `make test-unit`

MARK = re.compile(r"\[(\d+(?:\.\d+)?)\]")


@pytest.fixture(scope="module")
def document() -> dict[str, object]:
    return json.loads((LABELLED / "speech.json").read_text())  # type: ignore[no-any-return]


def test_every_stored_answer_is_there_unchanged_and_decodable() -> None:
    answers = load()
    assert len(answers) >= 45
    assert len({a.id for a in answers}) == len(answers)
    stored = {p.name for p in (LABELLED / "audio").iterdir()}
    assert stored == {a.path.name for a in answers}, "a file without labels, or labels without a file"
    size = sum(p.stat().st_size for p in LABELLED.rglob("*") if p.is_file())
    assert size < 4_000_000, size
    for a in answers:
        assert hashlib.sha256(a.path.read_bytes()).hexdigest() == a.sha256, f"{a.id} changed"
        audio = decode_audio(str(a.path), sampling_rate=16000)
        assert abs(len(audio) / 16000 - a.duration_s) < 0.1, a.id
        assert float(abs(audio).max()) > 0.01, f"{a.id} is silent"


def test_labels_agree_with_the_scripts_and_the_timeline(document: dict[str, object]) -> None:
    for raw, a in zip(document["answers"], load(), strict=True):  # type: ignore[call-overload]
        assert raw["split"] in ("tune", "heldout")
        assert a.words, a.id
        if a.source == "real":
            assert a.split == "tune", "the real recordings were looked at when the decoder was tuned"
            assert a.speaking_s is None and not any(a.filler)
            continue
        words, flags = reference(raw["script"])
        assert (words, flags) == (a.words, a.filler), a.id
        assert any(a.filler), f"{a.id} has no filler"
        for f in raw["fillers"]:
            assert " ".join(a.words[f["first"] : f["last"] + 1]) == f["text"]
        assert a.speaking_s is not None and a.silences is not None
        assert 0 < a.speaking_s < a.duration_s
        assert raw["wpm"] == pytest.approx(len(a.words) / (a.speaking_s / 60), abs=0.1)
        ends = [t for s in a.silences for t in s]
        assert ends == sorted(ends) and ends[0] > 0 and ends[-1] < a.duration_s if ends else True
        # Every inserted silence is a pause in the truth (with the voice's own silence either side of it), and the
        # voices made no pause of their own.
        assert len(a.pauses) == len(MARK.findall(raw["script"])), a.id
        for (start, end), seconds in zip(a.pauses, MARK.findall(raw["script"]), strict=True):
            assert end - start >= PAUSE_S and float(seconds) <= end - start <= float(seconds) + 0.5, a.id


def test_the_held_out_part_shares_no_voice_text_or_noise_with_the_tune_part() -> None:
    answers = load()
    tune = [a for a in answers if a.split == "tune"]
    held = [a for a in answers if a.split == "heldout"]
    assert len(held) >= 20 and len(tune) >= 20
    assert not {a.voice for a in tune} & {a.voice for a in held}
    assert not {" ".join(a.words) for a in tune} & {" ".join(a.words) for a in held}
    only_held = {a.condition for a in held} - {a.condition for a in tune}
    assert {"reverb", "pink-15db"} <= only_held
    # The answers the recogniser was tuned on are all in the tune part.
    tuned_on = {" ".join(reference(s.text)[0]) for s in BENCH_SCRIPTS}
    assert tuned_on <= {" ".join(a.words) for a in tune}
    for part in (tune, held):
        assert {"behavioural", "technical", "short"} <= {a.question_type for a in part}
        assert len({a.speed for a in part}) >= 4
        assert len({a.voice for a in part}) >= 4


def test_scoring_normalises_written_forms_and_judges_pauses_and_pace() -> None:
    assert normalise(["I'm", "it's", "can't", "20%"]) == ["i", "am", "it", "is", "can", "not", "twenty", "percent"]
    words = ["Uh,", "I'm", "at", "$55", ",000,", "so", "yes."]
    times = [(0.5, 0.7), (0.8, 1.0), (1.0, 1.2), (1.2, 1.6), (1.6, 1.9), (3.0, 3.2), (3.3, 3.6)]
    transcript = Transcript(
        " ".join(words), [Word(w, a, b, 0.9) for w, (a, b) in zip(words, times, strict=True)], "en", 4.0
    )
    ref = ["Uh", "I", "am", "at", "fifty", "five", "thousand", "so", "yes"]
    flags = [True] + [False] * 8
    s = score(transcript, ref, flags, [(1.9, 3.0)], 4.0, silences=[(1.9, 3.0)], speaking_s=2.6)
    assert (s.errors, s.filler_tp, s.filler_ref, s.pauses_found, s.false_pauses) == (0, 1, 1, 1, 0)
    # 7 words over 1.8 s of word spans, against 9 words over 2.6 s.
    assert s.pace_error == pytest.approx(abs(7 / 1.8 - 9 / 2.6) / (9 / 2.6))
    # The same words heard with a silence where there was speech: a false pause.
    s = score(transcript, ref, flags, [], 4.0, silences=[(1.9, 2.1)], speaking_s=2.6)
    assert s.false_pauses == 1


async def test_the_bench_scores_two_stored_answers_end_to_end() -> None:
    answers = load()
    subset = [
        min((a for a in answers if a.split == split), key=lambda a: a.duration_s) for split in ("tune", "heldout")
    ]
    lines = await report(LocalWhisper(), subset)
    text = "\n".join(lines)
    row = next(line for line in lines if "WER, fillers counted as words" in line)
    assert re.search(r"\d+\.\d%\s+\d+\.\d%\s+<= 4%", row), row
    assert "filler recall" in text and "pace error, worst answer" in text and "false pauses" in text
    assert "repeatable" in text or "moved between runs" in text
    assert "by voice:" in text and subset[1].voice in text

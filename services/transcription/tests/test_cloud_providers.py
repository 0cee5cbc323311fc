"""Cloud speech-to-text adapters against recorded exchanges: what each sends (fillers asked for verbatim, word
timings, auth), what it makes of the answer (words, fillers, VAD speech regions measured locally), and errors
(a refused recording fails for good; an overloaded provider is retried later)."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from intervu_kit.testing.replay import Replay
from intervu_kit.testing.speech import BENCH_SCRIPTS, Rendered, render
from intervu_nlp.fillers import core
from intervu_transcription.providers.base import TranscriptionError
from intervu_transcription.providers.cloud import AssemblyAISTT, DeepgramSTT, OpenAICompatibleSTT

EXCHANGES = Path(__file__).parent / "exchanges"
STAR = next(s for s in BENCH_SCRIPTS if s.name == "star-team-lead")


@pytest.fixture(scope="module")
def spoken(tmp_path_factory: pytest.TempPathFactory) -> Rendered:
    return render(STAR, tmp_path_factory.mktemp("speech"))


def _words(transcript_words: list[str]) -> list[str]:
    return [core(w) for w in transcript_words]


async def test_openai_compatible_asks_for_word_timings_and_keeps_fillers(spoken: Rendered) -> None:
    replay = Replay(EXCHANGES / "openai_transcription.json")
    stt = OpenAICompatibleSTT("https://api.openai.com/v1", "whisper-1", "sk-test", transport=replay.transport)
    progress: list[float] = []
    transcript = await stt.transcribe(spoken.path, progress.append)
    (request,) = replay.requests
    assert request["path"] == "v1/audio/transcriptions" and request["headers"]["authorization"] == "Bearer sk-test"
    form = request["form"]
    assert form["response_format"] == "verbose_json" and form["timestamp_granularities[]"] == "word"
    assert "um" in form["prompt"].lower()  # the disfluent prompt that keeps Whisper's fillers
    assert request["size"] > spoken.path.stat().st_size  # the audio itself went up
    words = _words([w.text for w in transcript.words])
    assert words[:2] == ["so", "um"] and "uh" in words and words[-1] == "days"
    # Speech regions come from the local detector, and word times are trimmed to them.
    assert transcript.speech and len(transcript.speech) >= 3
    assert progress == [1.0] and stt.third_party


async def test_deepgram_asks_for_filler_words(spoken: Rendered) -> None:
    replay = Replay(EXCHANGES / "deepgram_listen.json")
    stt = DeepgramSTT("dg-key", transport=replay.transport)
    transcript = await stt.transcribe(spoken.path)
    (request,) = replay.requests
    assert request["path"] == "v1/listen"
    assert request["query"]["filler_words"] == "true" and request["query"]["model"] == "nova-3"
    assert request["headers"]["authorization"] == "Token dg-key"
    assert request["headers"]["content-type"] == "audio/wav"
    assert [w.text for w in transcript.words][:2] == ["So,", "um,"]  # punctuated words: the filler cues need them
    assert any(w.probability < 0.8 for w in transcript.words)  # confidences carried through
    assert transcript.duration_s == pytest.approx(17.03)


async def test_assemblyai_uploads_asks_for_disfluencies_and_polls(spoken: Rendered) -> None:
    replay = Replay(EXCHANGES / "assemblyai_transcript.json")
    stt = AssemblyAISTT("aai-key", poll_s=0.01, transport=replay.transport)
    progress: list[float] = []
    transcript = await stt.transcribe(spoken.path, progress.append)
    upload, create, *polls = replay.requests
    assert upload["path"] == "v2/upload" and upload["headers"]["authorization"] == "aai-key"
    assert create["json"]["disfluencies"] is True and create["json"]["audio_url"].startswith("https://cdn.")
    assert [p["path"] for p in polls] == ["v2/transcript/6rlr37h5s4-3b0c-4f59-9d4b-5b1e7c2f0a11"] * 2
    assert progress[-1] == 1.0 and progress == sorted(progress)
    words = transcript.words
    assert _words([w.text for w in words]).count("um") == 1 and words[1].start < 1.5  # milliseconds -> seconds


async def test_a_refused_recording_fails_for_good_and_an_overloaded_provider_is_retried(spoken: Rendered) -> None:
    corrupt = Replay(EXCHANGES / "deepgram_corrupt.json")
    with pytest.raises(TranscriptionError, match="refused the audio"):
        await DeepgramSTT("k", transport=corrupt.transport).transcribe(spoken.path)
    overloaded = Replay(EXCHANGES / "openai_overloaded.json")
    with pytest.raises(httpx.HTTPStatusError):  # not a TranscriptionError: the event is redelivered later
        await OpenAICompatibleSTT(
            "https://api.openai.com/v1", "whisper-1", "k", transport=overloaded.transport
        ).transcribe(spoken.path)
    failed = Replay(EXCHANGES / "assemblyai_error.json")
    with pytest.raises(TranscriptionError, match="does not appear to contain audio"):
        await AssemblyAISTT("k", poll_s=0.01, transport=failed.transport).transcribe(spoken.path)

"""Voice: pitch variation (monotone or lively) and loudness consistency, with Praat's algorithms (parselmouth).

Only how the voice varies is measured, never what it "reveals": no emotion, personality or confidence is
inferred from it (the privacy policy and the issue both rule that out).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from intervu_feedback.analysis.evidence import Evidence, Remark

MONOTONE_ST = 2.0  # pitch spread (standard deviation, semitones) below which speech sounds flat
LOUDNESS_SPREAD_DB = 6.0  # loudness spread over speech (standard deviation, dB) above which volume wanders
TRAIL_OFF_DB = 6.0  # the last part of sentences this much quieter than the rest: the voice trails off


@dataclass
class Voice:
    pitch_median_hz: float | None
    pitch_spread_st: float | None
    loudness_spread_db: float | None
    quiet_stretches: list[Evidence] = field(default_factory=list)
    remarks: list[Remark] = field(default_factory=list)


def analyse(audio: Path, speech: Sequence[tuple[float, float]]) -> Voice:
    import parselmouth  # type: ignore[import-not-found]

    sound = parselmouth.Sound(str(audio))
    pitch = sound.to_pitch(time_step=0.01, pitch_floor=75, pitch_ceiling=500)
    f0 = pitch.selected_array["frequency"]
    voiced = f0[f0 > 0]
    spread_st: float | None = None
    median: float | None = None
    if len(voiced) >= 50:
        median = float(np.median(voiced))
        semitones = 12 * np.log2(voiced / median)
        spread_st = float(np.std(semitones))
    intensity = sound.to_intensity(minimum_pitch=75, time_step=0.01)
    times = np.asarray(intensity.xs())
    db = np.asarray(intensity.values[0])
    in_speech = np.zeros(len(times), dtype=bool)
    for a, b in speech or [(0.0, float(sound.duration))]:
        in_speech |= (times >= a) & (times <= b)
    spread_db: float | None = None
    voice = Voice(median, None, None)
    if in_speech.sum() >= 50:
        speech_db = db[in_speech]
        # Ignore the quietest tenth (consonants, breaths): the spread of the voice itself is what matters.
        voiced_db = speech_db[speech_db >= np.percentile(speech_db, 10)]
        spread_db = float(np.std(voiced_db))
        reference = float(np.median(voiced_db))
        for a, b in speech:
            part = db[(times >= a) & (times <= b)]
            if len(part) >= 30 and reference - float(np.median(part)) >= TRAIL_OFF_DB:
                voice.quiet_stretches.append(Evidence.at(a, b, "noticeably quieter than the rest"))
    voice.pitch_spread_st = round(spread_st, 2) if spread_st is not None else None
    voice.loudness_spread_db = round(spread_db, 2) if spread_db is not None else None
    voice.pitch_median_hz = round(median, 1) if median is not None else None
    if spread_st is not None and spread_st < MONOTONE_ST:
        voice.remarks.append(
            Remark(
                "monotone",
                f"Your pitch varies little ({spread_st:.1f} semitones): stress the words that carry your point.",
                "improve",
            )
        )
    elif spread_st is not None:
        voice.remarks.append(Remark("varied_pitch", "Your pitch varies naturally.", "strength"))
    if voice.quiet_stretches:
        voice.remarks.append(
            Remark(
                "quiet_stretches",
                "Your voice drops in places; keep the ends of sentences as strong as the starts.",
                "improve",
                voice.quiet_stretches,
            )
        )
    return voice
